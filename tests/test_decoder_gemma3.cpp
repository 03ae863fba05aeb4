// gemma3 on the Vulkan decoder against the CPU reference: prefill in chunks
// and token-by-token decode (a recorded step replayed at later positions)
// with local layers whose window is shorter than the context, under a scaled
// method for the global layers; soft-capped logits; and the perplexity path
// (NLL on the GPU) with the same soft-capping. Tolerance as test_decoder.cpp:
// 2e-3 * (1 + max |cpu|) per logits row (support/precision.h).
#include <gtest/gtest.h>

#include <cmath>

#include "support/decoder_reference.h"
#include "support/gemma_models.h"
#include "support/gpu_test.h"
#include "support/precision.h"

namespace mrrope::test {
namespace {

class DecoderGemma3 : public GpuTest, public testing::WithParamInterface<GgmlType> {};

SyntheticModelSpec small_gemma3(GgmlType type) {
  SyntheticModelSpec spec = gemma_decoder_spec("gemma3", type);
  spec.n_layer = 3;
  spec.swa_pattern = 3;  // local, local, global
  spec.freq_base = 1000000;
  return spec;
}

// 61 tokens of prefill in chunks of 16 (the window of 20 falls inside and
// across chunks), then 6 decoded tokens.
TEST_P(DecoderGemma3, PrefillInChunksThenDecodeWithWindows) {
  const GgufFile file = synthetic_gguf(small_gemma3(GetParam()));
  const ModelConfig config = ModelConfig::from_gguf(file);
  DecoderAndReference m(gpu(), file, config, decoder_options(128), schedule(config, "mrrope-pro", 4.0));
  const auto tokens = random_tokens(67, config.n_vocab, 4);
  const std::span<const int32_t> all(tokens);
  expect_prefill_and_decode_match(m, all.first(61), all.subspan(61), logits_rtol(gpu(), 2e-3));
}

// forward_nll soft-caps the logits before the log-softmax, as forward does.
TEST_P(DecoderGemma3, TokenNllUsesSoftcappedLogits) {
  const GgufFile file = synthetic_gguf(small_gemma3(GetParam()));
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModel gpu_model(gpu(), file, config, decoder_options(64, KvCacheType::F16, 32));
  CpuModel cpu_model(file, config);
  const auto tokens = random_tokens(33, config.n_vocab, 5);
  const std::span<const int32_t> in(tokens.data(), 32), targets(tokens.data() + 1, 32);
  const auto nll = gpu_model.forward_nll(in, targets);
  const auto logits = cpu_model.forward(in);
  for (int t = 0; t < 32; ++t) {
    const float* row = logits.data() + size_t(t) * config.n_vocab;
    double m = -INFINITY, sum = 0;
    for (int v = 0; v < config.n_vocab; ++v) m = std::max(m, double(row[v]));
    for (int v = 0; v < config.n_vocab; ++v) sum += std::exp(row[v] - m);
    const double want = m + std::log(sum) - row[targets[t]];
    EXPECT_NEAR(nll[t], want, 2e-3 * (1 + std::abs(want))) << "token " << t;
  }
}

// A float, a legacy and a K-quant type, deliberately: gemma3 differs from
// llama outside the products, which DecoderMatchesReference runs for every type.
INSTANTIATE_TEST_SUITE_P(Types, DecoderGemma3, testing::Values(GgmlType::F16, GgmlType::Q8_0, GgmlType::Q4_K),
                         [](const testing::TestParamInfo<GgmlType>& i) { return std::string(ggml_type_name(i.param)); });

}  // namespace
}  // namespace mrrope::test
