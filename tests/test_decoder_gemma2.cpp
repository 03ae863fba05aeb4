// gemma2 on the Vulkan decoder against the CPU reference: attention-logit
// soft-capping in every attention kernel the decoder takes (prefill chunks,
// then token-by-token decode replaying a recorded step), local and global
// layers alternating with a window shorter than the context, final-logit
// soft-capping, no q/k norms, and the 27B's query scale (1 / sqrt(n_embd /
// n_head), which without q norms goes to the kernels' scale), under a scaled
// method for the global layers, with F16 and Q8_0 KV caches. The cap (2) is
// low enough that the synthetic weights' scores pass it: a decoder that
// ignores it fails. Tolerance as test_decoder.cpp: 2e-3 * (1 + max |cpu|) per
// logits row (support/precision.h).
#include <gtest/gtest.h>

#include <cmath>

#include "support/decoder_reference.h"
#include "support/gemma_models.h"
#include "support/gpu_test.h"
#include "support/precision.h"

namespace mrrope::test {
namespace {

struct Gemma2Case {
  GgmlType weights;
  KvCacheType kv;
  bool big_model_scale;  // the 27B's query scale
};

class DecoderGemma2 : public GpuTest, public testing::WithParamInterface<Gemma2Case> {};

SyntheticModelSpec small_gemma2(GgmlType type) {
  SyntheticModelSpec spec = gemma_decoder_spec("gemma2", type);
  spec.head_dim = 128;
  spec.n_layer = 4;      // local, global, local, global (Gemma 2's default period of 2)
  spec.freq_base = 10000;
  spec.attn_logit_softcap = 2;
  return spec;
}

// 61 tokens of prefill in chunks of 16 (the window of 20 falls inside and
// across chunks), then 6 decoded tokens.
TEST_P(DecoderGemma2, PrefillInChunksThenDecodeWithCappedScores) {
  const Gemma2Case c = GetParam();
  const GgufFile file = synthetic_gguf(small_gemma2(c.weights));
  ModelConfig config = ModelConfig::from_gguf(file);
  ASSERT_EQ(config.swa_layers, (std::vector<bool>{true, false, true, false}));
  ASSERT_FLOAT_EQ(config.attn_logit_softcap, 2);
  ASSERT_FALSE(config.qk_norm);
  if (c.big_model_scale) config.attn_scale = 1.0 / std::sqrt(double(config.n_embd / config.n_head));
  DecoderAndReference m(gpu(), file, config, decoder_options(128, c.kv), schedule(config, "mrrope-pro", 4.0));
  const double rtol = logits_rtol(gpu(), 2e-3);

  // The cap bends this model's scores (else the comparison proves nothing about it).
  m.cpu.record_attention(1, 0);
  const auto tokens = random_tokens(67, config.n_vocab, 4);
  const std::span<const int32_t> all(tokens);
  expect_prefill_and_decode_match(m, all.first(16), {}, rtol);
  float largest = 0;
  for (float s : m.cpu.recorded_scores()) largest = std::max(largest, std::abs(s));
  EXPECT_GT(largest, 1.5f) << "scores stay below the cap";
  expect_prefill_and_decode_match(m, all.subspan(16, 45), all.subspan(61), rtol);
}

// A float, a legacy and a K-quant type, deliberately: gemma2 differs from
// llama outside the products, which DecoderMatchesReference runs for every type.
INSTANTIATE_TEST_SUITE_P(Cases, DecoderGemma2,
                         testing::Values(Gemma2Case{GgmlType::F16, KvCacheType::F16, false},
                                         Gemma2Case{GgmlType::Q8_0, KvCacheType::Q8_0, false},
                                         Gemma2Case{GgmlType::Q4_K, KvCacheType::F16, true}),
                         [](const testing::TestParamInfo<Gemma2Case>& i) {
                           return std::string(ggml_type_name(i.param.weights)) + "_kv_" +
                                  kv_cache_type_name(i.param.kv) + (i.param.big_model_scale ? "_27b_scale" : "");
                         });

}  // namespace
}  // namespace mrrope::test
