// The decoder with a Q8_0 KV cache against the CPU reference whose keys and
// values go through the same Q8_0 quantize -> dequantize: llama F16 and qwen2
// Q8_0 random-weight files, prefill in chunks, decode, a prefix truncated and
// prefilled again, and (qwen2 Q8_0) a run past 4K. Also the memory estimate
// per KV type and the refusal of head sizes a Q8_0 cache cannot hold.
//
// Tolerance: max |gpu - cpu| <= 1.5e-2 * (1 + max |cpu|) per logits row,
// looser than test_decoder.cpp's 2e-3 because Q8_0 rounding is discontinuous
// with a coarse step: the GPU's keys and values differ from the CPU's in the
// last bits (float32 vs double sums), and where one lies near a rounding
// boundary it lands on the neighbouring quant, moving it by max|block| / 127.
// Measured on these files: rounding the CPU's own K/V after a 1e-5 relative
// perturbation moves single rows by up to 0.0044 (1 + max|cpu|); GPU vs CPU
// on lavapipe the worst row is 0.007 (1 + max|cpu|) while rows without a
// flipped quant agree to 1e-6. A cache that ignored the scales or read the
// wrong block is off by O(1); F16 instead of Q8_0 rounding by 0.024 (1 +
// max|cpu|), also outside the bound. The kernels themselves are checked
// tightly in test_kernel_kv_cache.cpp.
#include <gtest/gtest.h>

#include "support/decoder_reference.h"
#include "support/gpu_test.h"
#include "support/long_context_check.h"
#include "support/precision.h"

namespace mrrope::test {
namespace {

struct KvCase {
  std::string arch;
  GgmlType type;
};

constexpr double kQ8Tolerance = 1.5e-2;

std::string case_name(const testing::TestParamInfo<KvCase>& i) {
  return i.param.arch + "_" + std::string(ggml_type_name(i.param.type));
}

class DecoderQ8Kv : public GpuTest, public testing::WithParamInterface<KvCase> {};

TEST_P(DecoderQ8Kv, PrefillInChunksDecodeAndTruncateMatchReference) {
  SyntheticModelSpec spec = small_decoder_spec(GetParam().arch, GetParam().type);
  spec.tied_output = spec.arch == "qwen2";
  const GgufFile file = synthetic_gguf(spec);
  const ModelConfig config = ModelConfig::from_gguf(file);
  const RopeTable table = schedule(config, "yarn", 2.0);
  DecoderAndReference m(gpu(), file, config, decoder_options(128, KvCacheType::Q8_0), table);
  const double rtol = logits_rtol(gpu(), kQ8Tolerance);

  const auto tokens = random_tokens(45, config.n_vocab, 3);
  const std::span<const int32_t> all(tokens);
  expect_prefill_and_decode_match(m, all, all.first(3), rtol);  // chunks of 16, 16, 13, then 3 steps
  // Keep a prefix of 21 (a row whose scales share words with the next) and
  // prefill different tokens over the rest, as the eval sweeps do.
  m.gpu.truncate(21);
  CpuModel again(file, config, KvCacheType::Q8_0);
  again.set_rope(table);
  again.forward(all.first(21));
  const auto other = random_tokens(10, config.n_vocab, 8);
  expect_close_rows(m.gpu.forward(other, true), again.forward(other), config.n_vocab, "after truncate(21)", rtol);
}

INSTANTIATE_TEST_SUITE_P(ArchAndType, DecoderQ8Kv,
                         testing::Values(KvCase{"llama", GgmlType::F16}, KvCase{"qwen2", GgmlType::Q8_0}),
                         case_name);

class DecoderQ8KvLong : public GpuTest {};

// 4160 tokens of prefill (chunks of 512), then logits of 8 more at positions
// 4160..4167 under yarn S=4: one case only, it takes about a minute on lavapipe.
TEST_F(DecoderQ8KvLong, Qwen2Q8MatchesReferencePast4K) {
  SyntheticModelSpec spec = small_decoder_spec("qwen2", GgmlType::Q8_0);
  spec.n_layer = 1;
  spec.n_ff = 256;
  spec.n_vocab = 128;
  expect_past_4k_matches_reference(gpu(), synthetic_gguf(spec), {"yarn"}, KvCacheType::Q8_0, kQ8Tolerance);
}

class DecoderKvMemory : public GpuTest {};

TEST_F(DecoderKvMemory, Q8EstimateIsSmallerByTheBlockRatio) {
  SyntheticModelSpec spec;
  spec.n_head = 4;
  spec.n_head_kv = 2;
  const GgufFile file = synthetic_gguf(spec);
  const ModelConfig config = ModelConfig::from_gguf(file);
  const ModelTensors tensors = ModelTensors::bind(file, config);
  GpuModelOptions f16, q8;
  f16.n_ctx = q8.n_ctx = 4096;
  q8.kv_type = KvCacheType::Q8_0;
  const MemoryEstimate a = estimate_memory(config, tensors, f16), b = estimate_memory(config, tensors, q8);
  // K and V, per layer, kv head and position: 2 bytes per value in F16, 34 per 32 in Q8_0.
  EXPECT_EQ(a.kv_cache, 2ull * config.n_layer * config.n_head_kv * config.head_dim * 4096 * 2);
  EXPECT_EQ(b.kv_cache * 64, a.kv_cache * 34);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.scratch, b.scratch);
  EXPECT_EQ(a.total() - b.total(), a.kv_cache - b.kv_cache);

  // The model built with each type reports what it allocated.
  GpuModelOptions small = q8;
  small.n_ctx = 64;
  GpuModel m(gpu(), file, config, small);
  EXPECT_EQ(m.kv_type(), KvCacheType::Q8_0);
  EXPECT_EQ(m.memory().kv_cache, 2ull * config.n_layer * config.n_head_kv * config.head_dim / 32 * 34 * 64);
}

TEST_F(DecoderKvMemory, ContextThatDoesNotFitNamesTheTypeAndWhatFits) {
  const GgufFile file = synthetic_gguf({});
  const ModelConfig config = ModelConfig::from_gguf(file);
  for (KvCacheType type : {KvCacheType::F16, KvCacheType::Q8_0}) {
    GpuModelOptions options;
    options.n_ctx = 1 << 30;
    options.kv_type = type;
    try {
      GpuModel m(gpu(), file, config, options);
      FAIL() << "expected an error";
    } catch (const ModelError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(std::string(" in ") + kv_cache_type_name(type)), std::string::npos) << what;
      EXPECT_NE(what.find("use a shorter context (at most "), std::string::npos) << what;
      // F16 also says how much a q8_0 cache would hold.
      EXPECT_EQ(what.find("with a q8_0 KV cache") != std::string::npos, type == KvCacheType::F16) << what;
    }
  }
}

TEST_F(DecoderKvMemory, Q8RefusesHeadSizesNotMultipleOf32) {
  SyntheticModelSpec spec;
  spec.head_dim = 80;
  const GgufFile file = synthetic_gguf(spec);
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModelOptions options;
  options.n_ctx = 64;
  options.kv_type = KvCacheType::Q8_0;
  try {
    GpuModel m(gpu(), file, config, options);
    FAIL() << "expected an error";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("multiple of 32 (this model's is 80)"), std::string::npos) << e.what();
  }
  options.kv_type = KvCacheType::F16;  // F16 still works
  GpuModel m(gpu(), file, config, options);
  EXPECT_EQ(m.forward(std::vector<int32_t>{1, 2, 3}).size(), size_t(config.n_vocab));
}

}  // namespace
}  // namespace mrrope::test
