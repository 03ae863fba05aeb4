// gemma3 files: the keys llama.cpp reads (sliding window, its layer pattern,
// the local RoPE base, logit soft-capping, the 27B attention scale), the
// tensors they bind (q/k norms, post-attention and post-FFN norms), and properties of the CPU reference that follow from
// Gemma's design: local layers ignore the RoPE method, and a local layer's
// token sees nothing before its window.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "model/cpu_model.h"
#include "support/gemma_models.h"
#include "support/logits_compare.h"
#include "support/model_files.h"

namespace mrrope::test {
namespace {

SyntheticModelSpec gemma3_spec() {
  SyntheticModelSpec spec = gemma_config_spec("gemma3");
  spec.freq_base = 1000000;
  return spec;
}

std::string config_error(const GgufWriter& w) {
  const GgufFile f = GgufFile::parse(w.to_bytes(), "m.gguf");
  try {
    ModelConfig::from_gguf(f);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(ModelGemma3, ReadsTheWindowItsPatternAndTheLocalBase) {
  SyntheticModelSpec spec = gemma3_spec();
  spec.swa_window = 64;
  spec.swa_pattern = 3;
  spec.swa_freq_base = 5000;
  spec.final_logit_softcap = 30;
  spec.attn_logit_softcap = 50;  // ignored for gemma3, as llama.cpp ignores it
  const GgufFile f = synthetic_gguf(spec);
  const ModelConfig c = ModelConfig::from_gguf(f);
  EXPECT_EQ(c.arch, Architecture::Gemma3);
  EXPECT_EQ(c.swa_window, 64);
  // Every third layer (the last of each period) is global.
  EXPECT_EQ(c.swa_layers, (std::vector<bool>{true, true, false, true}));
  EXPECT_DOUBLE_EQ(c.swa_freq_base, 5000);
  EXPECT_DOUBLE_EQ(c.rope.freq_base, 1000000);  // the global layers' base, for the methods
  EXPECT_FLOAT_EQ(c.final_logit_softcap, 30);
  EXPECT_FLOAT_EQ(c.attn_logit_softcap, 0);
  EXPECT_FLOAT_EQ(c.embd_scale, std::sqrt(128.0f));
  EXPECT_DOUBLE_EQ(c.query_scale(), 1 / std::sqrt(32.0));
  EXPECT_TRUE(c.qk_norm && c.post_norms && c.gelu_ffn && c.neox && c.tied_output);
  const std::vector<double> local = c.local_rope_freq();
  ASSERT_EQ(local.size(), 16u);
  EXPECT_DOUBLE_EQ(local[1], std::pow(5000.0, -2.0 / 32));

  EXPECT_EQ(c.rope_extension_note(), "gemma3: the RoPE method extends only the 1 global layer of 4; the 3 "
                                     "sliding-window layers (window 64) keep plain RoPE of base 5000");

  const ModelTensors t = ModelTensors::bind(f, c);
  EXPECT_EQ(t.layers[2].attn_post_norm.info->name, "blk.2.post_attention_norm.weight");
  EXPECT_EQ(t.layers[3].ffn_post_norm.info->name, "blk.3.post_ffw_norm.weight");
  EXPECT_EQ(t.layers[0].q_norm.cols(), 32);
  EXPECT_EQ(t.output.info, t.tok_embd.info);
}

// llama.cpp's defaults: a period of 6 and a local base of 10000 when the file
// has a window but not those keys; no window key means every layer is global.
TEST(ModelGemma3, DefaultsFollowLlamaCpp) {
  SyntheticModelSpec spec = gemma3_spec();
  spec.n_layer = 7;
  spec.swa_window = 512;
  const ModelConfig c = ModelConfig::from_gguf(synthetic_gguf(spec));
  EXPECT_EQ(c.swa_layers, (std::vector<bool>{true, true, true, true, true, false, true}));
  EXPECT_DOUBLE_EQ(c.swa_freq_base, 10000);
  EXPECT_FLOAT_EQ(c.final_logit_softcap, 0);

  const ModelConfig global = ModelConfig::from_gguf(synthetic_gguf(gemma3_spec()));
  EXPECT_FALSE(global.has_local_layers());
  EXPECT_EQ(global.swa_window, 0);
  EXPECT_EQ(global.rope_extension_note(), "");
}

// Gemma 3 27B (62 layers: n_embd 5376, 32 heads of 128) scales queries by
// 1 / sqrt(n_embd / n_head) = 1 / sqrt(168), not 1 / sqrt(head_dim).
TEST(ModelGemma3, The62LayerModelScalesQueriesByItsEmbeddingPerHead) {
  EXPECT_DOUBLE_EQ(query_scale_with_layers(gemma3_spec(), 62), 1 / std::sqrt(32.0));
  EXPECT_DOUBLE_EQ(query_scale_with_layers(gemma3_spec(), 61), 1 / std::sqrt(64.0));
}

TEST(ModelGemma3, APerLayerWindowPatternArrayIsRefusedNamingTheKey) {
  SyntheticModelSpec spec = gemma3_spec();
  spec.swa_window = 64;
  GgufWriter w = make_synthetic_model(spec);
  w.set_u32_array("gemma3.attention.sliding_window_pattern", {1, 1, 0, 1});
  EXPECT_EQ(config_error(w), "m.gguf: metadata key 'gemma3.attention.sliding_window_pattern' must be one integer "
                             "(a per-layer array is not supported)");
}

// A qwen3 file relabelled gemma3: everything but the post norms is there.
TEST(ModelGemma3, WithoutItsPostNormsIsRefusedNamingTheTensor) {
  SyntheticModelSpec spec = gemma3_spec();
  spec.arch = "qwen3";
  EXPECT_EQ(bind_error(relabelled(spec, "gemma3")), "m.gguf: missing tensor 'blk.0.post_attention_norm.weight'");
}

// Local layers rotate with their own plain RoPE: with every layer local, the
// method chosen for the global layers changes nothing.
TEST(ModelGemma3, AllLocalLayersIgnoreTheRopeMethod) {
  SyntheticModelSpec spec = gemma3_spec();
  spec.n_layer = 2;
  spec.swa_window = 1000;
  spec.swa_pattern = 0;  // every layer local
  const GgufFile f = synthetic_gguf(spec);
  const ModelConfig c = ModelConfig::from_gguf(f);
  ASSERT_EQ(c.swa_layers, (std::vector<bool>{true, true}));
  const auto tokens = random_tokens(40, c.n_vocab, 5);
  CpuModel plain(f, c), scaled(f, c);
  scaled.set_rope(schedule(c, "yarn", 4.0));
  EXPECT_EQ(plain.forward(tokens), scaled.forward(tokens));

  // With a global layer the method does change the logits.
  spec.swa_pattern = 2;
  const GgufFile mixed = synthetic_gguf(spec);
  const ModelConfig mc = ModelConfig::from_gguf(mixed);
  CpuModel mixed_plain(mixed, mc), mixed_scaled(mixed, mc);
  mixed_scaled.set_rope(schedule(mc, "yarn", 4.0));
  EXPECT_NE(mixed_plain.forward(tokens), mixed_scaled.forward(tokens));
}

// One local layer of window W: the last token's logits depend only on the
// last W tokens, so changing an earlier one changes nothing; a global layer
// sees it.
TEST(ModelGemma3, ALocalLayerSeesOnlyItsWindow) {
  SyntheticModelSpec spec = gemma3_spec();
  spec.n_layer = 1;
  spec.swa_window = 8;
  spec.swa_pattern = 0;
  for (bool local : {true, false}) {
    if (!local) spec.swa_window = 0;
    const GgufFile f = synthetic_gguf(spec);
    const ModelConfig c = ModelConfig::from_gguf(f);
    auto tokens = random_tokens(20, c.n_vocab, 6);
    CpuModel a(f, c), b(f, c);
    const auto before = a.forward(tokens);
    tokens[11] = (tokens[11] + 1) % c.n_vocab;  // 9 tokens before the last: outside a window of 8
    const auto after = b.forward(tokens);
    const std::vector<float> last_before(before.end() - c.n_vocab, before.end());
    const std::vector<float> last_after(after.end() - c.n_vocab, after.end());
    if (local) EXPECT_EQ(last_before, last_after);
    else EXPECT_NE(last_before, last_after);
  }
}

// Soft-capping bounds every logit by the cap.
TEST(ModelGemma3, FinalLogitSoftcappingBoundsTheLogits) {
  SyntheticModelSpec spec = gemma3_spec();
  spec.final_logit_softcap = 0.5f;
  const GgufFile f = synthetic_gguf(spec);
  const ModelConfig c = ModelConfig::from_gguf(f);
  CpuModel m(f, c);
  const auto logits = m.forward(random_tokens(5, c.n_vocab, 7));
  float largest = 0;
  for (float v : logits) largest = std::max(largest, std::abs(v));
  EXPECT_LE(largest, 0.5f);  // tanh rounds to 1 in float for the largest
  EXPECT_GT(largest, 0.1f);
}

}  // namespace
}  // namespace mrrope::test
