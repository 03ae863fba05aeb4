// gemma2 files: the keys llama.cpp reads for Gemma 2 and its defaults when a
// key is absent (window 4096 on every other layer, the global RoPE base for
// the local layers, attention-logit soft-capping 50, final 30, the 27B's query
// scale), the tensors they bind (post norms, no q/k norms), and properties of
// the CPU reference: capped scores never pass the cap, and the cap changes
// the logits.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "model/cpu_model.h"
#include "model/weight_support.h"
#include "reference/reference_ops.h"
#include "support/gemma_models.h"
#include "support/logits_compare.h"
#include "support/model_files.h"

namespace mrrope::test {
namespace {

SyntheticModelSpec gemma2_spec() { return gemma_config_spec("gemma2"); }  // the base: the spec's 10000

TEST(ModelGemma2, LlamaCppDefaultsWhenTheKeysAreAbsent) {
  SyntheticModelSpec spec = gemma2_spec();
  spec.freq_base = 20000;
  const GgufFile f = synthetic_gguf(spec);
  const ModelConfig c = ModelConfig::from_gguf(f);
  EXPECT_EQ(c.arch, Architecture::Gemma2);
  EXPECT_EQ(c.swa_window, 4096);
  // Period 2: even layers local, odd layers global.
  EXPECT_EQ(c.swa_layers, (std::vector<bool>{true, false, true, false}));
  EXPECT_DOUBLE_EQ(c.swa_freq_base, 20000);  // the global base, unlike gemma3's 10000
  EXPECT_FLOAT_EQ(c.attn_logit_softcap, 50);
  EXPECT_FLOAT_EQ(c.final_logit_softcap, 30);
  EXPECT_FLOAT_EQ(c.embd_scale, std::sqrt(128.0f));
  EXPECT_DOUBLE_EQ(c.query_scale(), 1 / std::sqrt(32.0));
  EXPECT_TRUE(c.post_norms && c.gelu_ffn && c.neox && c.tied_output);
  EXPECT_FALSE(c.qk_norm);  // Gemma 2 has no q/k norms
  EXPECT_EQ(c.rope_extension_note(), "gemma2: the RoPE method extends only the 2 global layers of 4; the 2 "
                                     "sliding-window layers (window 4096) keep plain RoPE of base 20000");
  const ModelTensors t = ModelTensors::bind(f, c);
  EXPECT_EQ(t.layers[1].attn_post_norm.info->name, "blk.1.post_attention_norm.weight");
  EXPECT_EQ(t.layers[3].ffn_post_norm.info->name, "blk.3.post_ffw_norm.weight");
  EXPECT_FALSE(t.layers[0].q_norm);
  EXPECT_EQ(decoder_refusal(f), "");
}

TEST(ModelGemma2, ReadsTheFilesKeys) {
  SyntheticModelSpec spec = gemma2_spec();
  spec.swa_window = 64;
  spec.swa_pattern = 3;
  spec.swa_freq_base = 5000;
  spec.attn_logit_softcap = 20;
  spec.final_logit_softcap = 12;
  const ModelConfig c = ModelConfig::from_gguf(synthetic_gguf(spec));
  EXPECT_EQ(c.swa_window, 64);
  EXPECT_EQ(c.swa_layers, (std::vector<bool>{true, true, false, true}));
  EXPECT_DOUBLE_EQ(c.swa_freq_base, 5000);
  EXPECT_FLOAT_EQ(c.attn_logit_softcap, 20);
  EXPECT_FLOAT_EQ(c.final_logit_softcap, 12);
}

// Gemma 2 27B (46 layers: n_embd 4608, 32 heads of 128) scales queries by
// 1 / sqrt(n_embd / n_head) = 1 / sqrt(144) (query_pre_attn_scalar 144).
TEST(ModelGemma2, The46LayerModelScalesQueriesByItsEmbeddingPerHead) {
  EXPECT_DOUBLE_EQ(query_scale_with_layers(gemma2_spec(), 46), 1 / std::sqrt(32.0));
  // gemma3's 27B count means nothing here
  EXPECT_DOUBLE_EQ(query_scale_with_layers(gemma2_spec(), 62), 1 / std::sqrt(64.0));
}

TEST(ModelGemma2, ANegativeCapIsRefusedNamingTheKey) {
  SyntheticModelSpec spec = gemma2_spec();
  spec.attn_logit_softcap = -1;
  EXPECT_EQ(bind_error(make_synthetic_model(spec)), "m.gguf: metadata key 'gemma2.attn_logit_softcapping' is negative");
}

// A gemma3 file relabelled gemma2: its q/k norms are tensors Gemma 2 does not read.
TEST(ModelGemma2, QkNormTensorsAreRefusedAsUnused) {
  SyntheticModelSpec spec = gemma2_spec();
  spec.arch = "gemma3";
  EXPECT_EQ(bind_error(relabelled(spec, "gemma2")),
            "m.gguf: tensor 'blk.0.attn_q_norm.weight' is not used by a 4-layer gemma2 model");
}

// The reference's capped attention: every score within the cap, and the
// same as capping the scores by hand.
TEST(ModelGemma2, ReferenceAttentionCapsEveryScore) {
  const int n = 3, pos0 = 5, hd = 4, total = pos0 + n;
  std::vector<float> q(size_t(n) * hd), k(size_t(total) * hd), v(size_t(total) * hd), out(q.size());
  for (size_t i = 0; i < q.size(); ++i) q[i] = float(int(i % 7) - 3);
  for (size_t i = 0; i < k.size(); ++i) k[i] = float(int(i % 5) - 2), v[i] = float(i % 3);
  const double scale = 0.5, cap = 2;
  ref::attention(q, k, v, out, n, pos0, 1, 1, hd, 0, scale, cap);
  for (int t = 0; t < n; ++t) {
    std::vector<double> p;
    double m = -INFINITY, sum = 0;
    for (int j = 0; j <= pos0 + t; ++j) {
      double s = 0;
      for (int d = 0; d < hd; ++d) s += double(q[t * hd + d]) * k[j * hd + d];
      p.push_back(cap * std::tanh(s * scale / cap));
      ASSERT_LE(std::abs(p.back()), cap);
      m = std::max(m, p.back());
    }
    for (double& e : p) sum += (e = std::exp(e - m));
    for (int d = 0; d < hd; ++d) {
      double o = 0;
      for (size_t j = 0; j < p.size(); ++j) o += p[j] / sum * v[j * hd + d];
      EXPECT_NEAR(out[t * hd + d], o, 1e-6) << t << "," << d;
    }
  }
}

// CpuModel: the recorded scores are the capped ones, within the cap, and the
// cap changes the logits.
TEST(ModelGemma2, CpuModelCapsItsAttentionScores) {
  SyntheticModelSpec spec = gemma2_spec();
  spec.swa_window = 8;
  spec.attn_logit_softcap = 0.5f;
  const GgufFile f = synthetic_gguf(spec);
  ModelConfig c = ModelConfig::from_gguf(f);
  const auto tokens = random_tokens(12, c.n_vocab, 3);
  CpuModel capped(f, c);
  capped.record_attention(1, 2);
  const auto with_cap = capped.forward(tokens);
  float largest = 0;
  for (float s : capped.recorded_scores()) largest = std::max(largest, std::abs(s));
  EXPECT_LE(largest, 0.5f);
  EXPECT_GT(largest, 0.2f);
  c.attn_logit_softcap = 0;
  CpuModel uncapped(f, c);
  uncapped.record_attention(1, 2);
  const auto without = uncapped.forward(tokens);
  float uncapped_largest = 0;
  for (float s : uncapped.recorded_scores()) uncapped_largest = std::max(uncapped_largest, std::abs(s));
  EXPECT_GT(uncapped_largest, 0.5f);  // the synthetic weights give scores past the cap
  EXPECT_NE(with_cap, without);
}

}  // namespace
}  // namespace mrrope::test
