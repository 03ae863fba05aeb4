// qwen3 and phi3 files bind (shapes, fused tensors, norms, LongRoPE factors),
// and a fused tensor is read as the same weights as its separate parts.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "model/cpu_model.h"
#include "support/logits_compare.h"
#include "support/model_files.h"

namespace mrrope::test {
namespace {

SyntheticModelSpec spec_of(const std::string& arch) {
  SyntheticModelSpec spec;
  spec.arch = arch;
  spec.n_head = 4;
  spec.n_head_kv = 2;
  spec.head_dim = 32;  // q_dim 128 = n_embd, as in Phi-3; qwen3 below has its own
  return spec;
}

TEST(ModelArchs, Qwen3BindsItsPerHeadNorms) {
  SyntheticModelSpec spec = spec_of("qwen3");
  spec.head_dim = 64;  // q_dim 256 with n_embd 128: Qwen3's heads are wider than n_embd / n_head
  const GgufFile f = synthetic_gguf(spec);
  const ModelConfig c = ModelConfig::from_gguf(f);
  EXPECT_TRUE(c.qk_norm);
  EXPECT_TRUE(c.neox);
  EXPECT_FALSE(c.qkv_bias);
  const ModelTensors t = ModelTensors::bind(f, c);
  EXPECT_EQ(t.layers[1].q_norm.cols(), 64);
  EXPECT_EQ(t.layers[1].k_norm.info->name, "blk.1.attn_k_norm.weight");
  EXPECT_EQ(t.layers[0].wq.rows(), 256);
}

// A llama file relabelled qwen3: everything but the q/k norms is there.
TEST(ModelArchs, Qwen3WithoutItsNormsIsRefusedNamingTheTensor) {
  GgufWriter w = make_synthetic_model(spec_of("llama"));
  const auto keys = w.metadata();
  for (const auto& [key, value] : keys)
    if (key.rfind("llama.", 0) == 0) w.remove(key), w.set("qwen3." + key.substr(6), value);
  w.set_string("general.architecture", "qwen3");
  EXPECT_EQ(bind_error(w), "m.gguf: missing tensor 'blk.0.attn_q_norm.weight'");
}

// phi3: attn_qkv split into q, k, v rows and ffn_up into gate (first half) and up.
TEST(ModelArchs, Phi3BindsFusedTensorsAsRowRanges) {
  const GgufFile f = synthetic_gguf(spec_of("phi3"));
  const ModelConfig c = ModelConfig::from_gguf(f);
  EXPECT_TRUE(c.fused_gate_up);
  const ModelTensors t = ModelTensors::bind(f, c);
  const LayerTensors& l = t.layers[0];
  const GgufTensorInfo* qkv = f.find_tensor("blk.0.attn_qkv.weight");
  ASSERT_NE(qkv, nullptr);
  EXPECT_EQ(l.wq.info, qkv);
  EXPECT_EQ(l.wv.info, qkv);
  EXPECT_EQ(l.wq.rows(), c.q_dim());
  EXPECT_EQ(l.wk.rows(), c.kv_dim());
  const auto all = f.tensor_data(*qkv);
  EXPECT_EQ(l.wq.data.data(), all.data());
  EXPECT_EQ(l.wk.data.data(), all.data() + l.wq.data.size());
  EXPECT_EQ(l.wv.data.data() + l.wv.data.size(), all.data() + all.size());
  EXPECT_EQ(l.w_gate.rows(), c.n_ff);
  EXPECT_EQ(l.w_up.data.data(), l.w_gate.data.data() + l.w_gate.data.size());
  EXPECT_EQ(l.w_up.info->name, "blk.0.ffn_up.weight");
}

TEST(ModelArchs, Phi3FusedGateUpOfTheWrongHeightIsNamed) {
  SyntheticModelSpec spec = spec_of("phi3");
  GgufWriter w = make_synthetic_model(spec);
  w.set_u32("phi3.feed_forward_length", spec.n_ff / 2);
  EXPECT_EQ(bind_error(w), "m.gguf: tensor 'blk.0.ffn_up.weight' has shape [128, 512], expected [128, 256]");
}

// The synthetic writer draws the same values for a fused attn_qkv as for
// separate q, k, v tensors, so the reference's logits must be identical.
TEST(ModelArchs, FusedQkvGivesTheSameModelAsSeparateTensors) {
  for (const char* arch : {"llama", "qwen2"}) {
    SyntheticModelSpec separate = spec_of(arch), fused = spec_of(arch);
    fused.fused_qkv = true;
    const GgufFile a = synthetic_gguf(separate), b = synthetic_gguf(fused);
    ASSERT_NE(b.find_tensor("blk.0.attn_qkv.weight"), nullptr);
    CpuModel ma(a, ModelConfig::from_gguf(a)), mb(b, ModelConfig::from_gguf(b));
    const auto tokens = random_tokens(6, separate.n_vocab, 5);
    EXPECT_EQ(ma.forward(tokens), mb.forward(tokens)) << arch;
  }
}

TEST(ModelArchs, Phi3LongRopeFactorsAreRead) {
  SyntheticModelSpec spec = spec_of("phi3");
  for (int i = 0; i < 16; ++i) spec.longrope_long.push_back(1 + i), spec.longrope_short.push_back(1 + 0.01f * i);
  spec.native_orig_ctx = 128;
  spec.attn_factor = 1.25f;
  const GgufFile f = synthetic_gguf(spec);
  const ModelConfig c = ModelConfig::from_gguf(f);
  EXPECT_EQ(c.rope.native_scaling, NativeScaling::LongRope);
  EXPECT_EQ(c.rope.longrope_long, spec.longrope_long);
  EXPECT_EQ(c.rope.freq_factors, spec.longrope_short);  // the trained frequencies below L
  EXPECT_FLOAT_EQ(c.rope.attn_factor, 1.25f);
  EXPECT_EQ(bind_error(make_synthetic_model(spec)), "");
}

TEST(ModelArchs, LongRopeFactorsOfTheWrongLengthAreNamed) {
  SyntheticModelSpec spec = spec_of("phi3");
  spec.longrope_long.assign(15, 1.0f);
  spec.longrope_short.assign(16, 1.0f);
  const GgufFile f = synthetic_gguf(spec);
  try {
    ModelConfig::from_gguf(f);
    ADD_FAILURE() << "15 long factors for 16 pairs were accepted";
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(), "synthetic-phi3.gguf: rope_factors_long.weight must be F32 with 16 values (one per "
                           "rotary pair), got F32 [15]");
  }
  spec.longrope_long.clear();
  const GgufFile g = synthetic_gguf(spec);
  try {
    ModelConfig::from_gguf(g);
    ADD_FAILURE() << "short factors alone were accepted";
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(),
                 "synthetic-phi3.gguf: LongRoPE needs both rope_factors_long.weight and rope_factors_short.weight");
  }
}

}  // namespace
}  // namespace mrrope::test
