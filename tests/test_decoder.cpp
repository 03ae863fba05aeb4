// The Vulkan decoder against the CPU reference forward pass, on random-weight
// GGUF files written by the project's writer: each architecture and weight
// type, prefill in several chunks and single-token decode, and positions past
// 4K under none, linear, yarn and mrrope-pro.
//
// Tolerance: both sides use the same (de)quantized weights and F16-rounded KV
// cache; what differs is float32 summation order and GPU exp/cos. We require
// max |gpu - cpu| <= 2e-3 * (1 + max |cpu|) per logits row (3e-2 where prefill
// rounds to f16 on matrix units or decode products round activations to
// int8: support/precision.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>

#include "model/cpu_model.h"
#include "model/gpu_model.h"
#include "ops/matvec_int8.h"
#include "ops/weight_types.h"
#include "quant/quantize.h"
#include "support/gpu_test.h"
#include "support/long_context_check.h"
#include "support/precision.h"
#include "support/logits_compare.h"
#include "support/model_files.h"

namespace mrrope::test {
namespace {

struct DecoderCase {
  std::string arch;
  GgmlType type;
};

class DecoderMatchesReference : public GpuTest, public testing::WithParamInterface<DecoderCase> {};
class DecoderOnIntegerDot : public GpuTest {};

// 45 tokens of prefill in chunks of 16, 16 and 13, then three decode steps,
// each row of logits within rtol of the reference.
void check_chunks_then_decode(vk::Context& ctx, const std::string& arch, GgmlType type, double rtol) {
  SyntheticModelSpec spec;
  spec.arch = arch;
  spec.weight_type = type;
  spec.random_blocks = !can_quantize(type);  // the IQ1-IQ3 grid types have no quantizer
  spec.n_embd = 256;  // a multiple of every block size
  spec.n_ff = 512;
  spec.n_head = 4;
  spec.n_head_kv = 2;
  spec.tied_output = spec.arch == "qwen2" || spec.arch == "qwen3";
  const GgufFile file = synthetic_gguf(spec);
  const ModelConfig config = ModelConfig::from_gguf(file);
  EXPECT_EQ(config.neox, spec.arch != "llama");

  GpuModelOptions options;
  options.n_ctx = 128;
  options.max_batch = 16;
  GpuModel gpu_model(ctx, file, config, options);
  CpuModel cpu_model(file, config);
  const RopeTable table = schedule(config, "yarn", 2.0);
  gpu_model.set_rope(table);
  cpu_model.set_rope(table);

  const auto tokens = random_tokens(45, config.n_vocab, 3);
  for (size_t i = 0; i < tokens.size(); i += 16) {
    const std::span<const int32_t> chunk(tokens.data() + i, std::min<size_t>(16, tokens.size() - i));
    expect_close_rows(gpu_model.forward(chunk, true), cpu_model.forward(chunk), config.n_vocab,
                      "prefill chunk at " + std::to_string(i), rtol);
  }
  for (int step = 0; step < 3; ++step) {
    const int32_t t = tokens[step];
    expect_close_rows(gpu_model.forward(std::span(&t, 1)), cpu_model.forward(std::span(&t, 1)), config.n_vocab,
                      "decode step " + std::to_string(step), rtol);
  }
  EXPECT_EQ(gpu_model.n_past(), 48);
}

TEST_P(DecoderMatchesReference, PrefillInChunksThenDecode) {
  check_chunks_then_decode(gpu(), GetParam().arch, GetParam().type, logits_rtol(gpu(), 2e-3));
}

// The integer-dot decode products (taken by default only where 4x8-bit dot
// products are accelerated) forced on, with their tolerance (support/precision.h).
TEST_F(DecoderOnIntegerDot, MatchesReference) {
  if (!ops::matvec_int8_supported(gpu().info())) GTEST_SKIP() << "no integer dot products on " << gpu().info().name;
  const char* before = std::getenv("MRROPE_MATVEC_INT8");
  const std::string saved = before ? before : "";
  setenv("MRROPE_MATVEC_INT8", "on", 1);
  check_chunks_then_decode(gpu(), "llama", GgmlType::Q4_K, 3e-2);
  check_chunks_then_decode(gpu(), "qwen2", GgmlType::Q6_K, 3e-2);
  check_chunks_then_decode(gpu(), "llama", GgmlType::IQ4_XS, 3e-2);  // issue 14's int8 unpacking
  check_chunks_then_decode(gpu(), "qwen2", GgmlType::Q5_0, 3e-2);
  if (before) setenv("MRROPE_MATVEC_INT8", saved.c_str(), 1);
  else unsetenv("MRROPE_MATVEC_INT8");
}

// NaN weights in layer 1's down projection: the forward pass stops with the
// file and the layer named, not with NaN logits for the sampler to trip on.
class DecoderNonFinite : public GpuTest {};

TEST_F(DecoderNonFinite, NamesTheFirstLayerThatWentBad) {
  SyntheticModelSpec spec;
  spec.weight_type = GgmlType::F32;
  spec.n_layer = 3;
  std::vector<uint8_t> bytes = make_synthetic_model(spec).to_bytes();
  {
    const GgufFile clean = GgufFile::parse(bytes, "nan.gguf");
    const GgufTensorInfo* down = clean.find_tensor("blk.1.ffn_down.weight");
    ASSERT_NE(down, nullptr);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (uint64_t at = 0; at < down->bytes; at += 4)
      std::memcpy(bytes.data() + clean.data_offset() + down->offset + at, &nan, 4);
  }
  const GgufFile file = GgufFile::parse(bytes, "nan.gguf");
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModelOptions options;
  options.n_ctx = 64;
  options.max_batch = 16;
  GpuModel model(gpu(), file, config, options);
  const auto tokens = random_tokens(5, config.n_vocab, 4);
  for (size_t n : {size_t(5), size_t(1)}) {  // a prefill chunk and a decode step
    try {
      model.forward(std::span(tokens.data(), n));
      ADD_FAILURE() << "NaN weights gave no error";
    } catch (const ModelError& e) {
      EXPECT_STREQ(e.what(),
                   "nan.gguf: the forward pass produced non-finite values (NaN or infinity) in layer 1; the file's "
                   "weights in or before that layer may be corrupted");
    }
  }
}

// A deliberate subset of the weight types (the floats, the legacy and the
// K-quants the first files used): the long-context test below runs only these,
// a case there taking over a minute on lavapipe.
std::vector<DecoderCase> decoder_cases() {
  std::vector<DecoderCase> out;
  for (const char* arch : {"llama", "qwen2"})
    for (GgmlType t : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K,
                       GgmlType::Q5_K, GgmlType::Q6_K})
      out.push_back({arch, t});
  return out;
}

// Plus every other weight type of ops/weight_kernels.def (the IQ1-IQ3 grid and
// ternary ones with generic kernels only; the rest with int8 and matrix-unit
// variants that decode through the generic dequantization). Not in the
// long-context test: a case there takes over a minute on lavapipe, and these
// types change only the products, not the positions.
std::vector<DecoderCase> decoder_cases_with_generic_types() {
  std::vector<DecoderCase> out = decoder_cases();
  const size_t first = out.size();
  for (const char* arch : {"llama", "qwen2"})
    for (GgmlType t : ops::gpu_weight_types())
      if (std::none_of(out.begin(), out.begin() + first, [&](const DecoderCase& c) { return c.type == t; }))
        out.push_back({arch, t});
  // qwen3 (per-head q/k norms) and phi3 (fused QKV and gate-up) on a float, a
  // legacy and a K-quant type, a deliberate subset: their layers differ from
  // llama's outside the products, which the types above already cover.
  for (const char* arch : {"qwen3", "phi3"})
    for (GgmlType t : {GgmlType::F16, GgmlType::Q8_0, GgmlType::Q4_K}) out.push_back({arch, t});
  return out;
}

INSTANTIATE_TEST_SUITE_P(ArchAndType, DecoderMatchesReference, testing::ValuesIn(decoder_cases_with_generic_types()),
                         [](const testing::TestParamInfo<DecoderCase>& i) {
                           return i.param.arch + "_" + std::string(ggml_type_name(i.param.type));
                         });

class DecoderLongContext : public GpuTest, public testing::WithParamInterface<DecoderCase> {};

// For each architecture and weight type: 4160 tokens of prefill (chunks of
// 512), then logits of 8 more tokens at positions 4160..4167 against the
// reference, under none, linear S=4, yarn S=4 and mrrope-pro S=4 for a float
// and a K-quant type, under yarn S=4 (its attention factor included) for the
// others: the types change the products, not the positions, and a method
// costs about 13 s on lavapipe (a case with all four took 54 s).
TEST_P(DecoderLongContext, MatchesReferencePast4KUnderEveryMethod) {
  SyntheticModelSpec spec;
  spec.arch = GetParam().arch;
  spec.weight_type = GetParam().type;
  spec.n_layer = 1;
  spec.n_head = 4;    // q_dim 256: a multiple of every block size
  spec.n_head_kv = 2;
  spec.n_embd = 256;
  spec.n_ff = 256;
  spec.n_vocab = 128;
  const GgufFile file = synthetic_gguf(spec);
  const bool every_method = spec.weight_type == GgmlType::F16 || spec.weight_type == GgmlType::Q4_K;
  expect_past_4k_matches_reference(gpu(), file, every_method ? std::vector<std::string>{"none", "linear", "yarn", "mrrope-pro"}
                                                             : std::vector<std::string>{"yarn"});
}

INSTANTIATE_TEST_SUITE_P(ArchAndType, DecoderLongContext, testing::ValuesIn(decoder_cases()),
                         [](const testing::TestParamInfo<DecoderCase>& i) {
                           return i.param.arch + "_" + std::string(ggml_type_name(i.param.type));
                         });

// A cancellable prefill in submissions of a few layers each (what prefill()
// switches to when its smallest chunks are still slow): the same logits as
// whole chunks, bit for bit, and a cancel between chunks keeps the chunks done.
// The same for scoring (forward_nll).
class DecoderPrefillParts : public GpuTest {};

TEST_F(DecoderPrefillParts, GiveTheLogitsOfWholeChunksAndStopOnCancel) {
  SyntheticModelSpec spec;
  spec.weight_type = GgmlType::Q8_0;
  spec.n_layer = 4;
  const GgufFile file = synthetic_gguf(spec);
  const ModelConfig config = ModelConfig::from_gguf(file);
  const auto tokens = random_tokens(150, config.n_vocab, 12);
  GpuModelOptions options;
  options.n_ctx = 256;
  options.max_batch = 64;
  GpuModel whole(gpu(), file, config, options);
  const std::vector<float> want = whole.prefill(tokens);
  options.prefill_parts = 3;
  GpuModel parts(gpu(), file, config, options);
  std::atomic<bool> cancel{false};
  EXPECT_EQ(parts.prefill(tokens, {}, &cancel), want);
  EXPECT_EQ(parts.n_past(), 150);

  parts.reset();
  const auto stop_after_first = [&](int done, int) { cancel = done >= 64; };
  EXPECT_TRUE(parts.prefill(tokens, stop_after_first, &cancel).empty());
  EXPECT_EQ(parts.n_past(), 64);

  // Scoring (perplexity) in parts: the same losses, and nothing when cancelled.
  const auto in = std::span(tokens).first(60), targets = std::span(tokens).subspan(1, 60);
  whole.reset();
  parts.reset();
  cancel = false;
  const std::vector<float> nll = whole.forward_nll(in, targets);
  EXPECT_EQ(parts.forward_nll(in, targets, 3, &cancel), nll);
  EXPECT_EQ(parts.n_past(), 60);
  cancel = true;
  EXPECT_FALSE(parts.forward_nll(in, targets, 3, &cancel).has_value());
  EXPECT_EQ(parts.n_past(), 60);
}

class DecoderErrors : public GpuTest {};

TEST_F(DecoderErrors, ImpossibleContextIsRefusedWithSizes) {
  const GgufFile file = synthetic_gguf({});
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModelOptions options;
  options.n_ctx = 1 << 30;
  try {
    GpuModel m(gpu(), file, config, options);
    FAIL() << "expected an error";
  } catch (const ModelError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("needs"), std::string::npos) << what;
    EXPECT_NE(what.find("KV cache"), std::string::npos) << what;
    EXPECT_NE(what.find("use a shorter context"), std::string::npos) << what;
  }
}

TEST_F(DecoderErrors, UnsupportedArchitectureIsRefusedByName) {
  SyntheticModelSpec spec;
  spec.arch = "gpt2";
  const GgufFile file = synthetic_gguf(spec);
  try {
    ModelConfig::from_gguf(file);
    FAIL() << "expected an error";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("architecture 'gpt2' is not supported"), std::string::npos) << e.what();
  }
}

TEST_F(DecoderErrors, FullContextAndBadTokensAreErrors) {
  const GgufFile file = synthetic_gguf({});
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModelOptions options;
  options.n_ctx = 8;
  GpuModel m(gpu(), file, config, options);
  const std::vector<int32_t> bad = {config.n_vocab};
  EXPECT_THROW(m.forward(bad), ModelError);
  const auto tokens = random_tokens(8, config.n_vocab, 1);
  m.forward(tokens);
  EXPECT_THROW(m.forward(std::span(tokens).first(1)), ModelError);
}

}  // namespace
}  // namespace mrrope::test

namespace mrrope::test {
namespace {

// Per-token negative log-likelihood computed on the GPU equals the log-softmax
// of the reference logits (tolerance 2e-3 absolute, as the logits above).
TEST_F(DecoderErrors, TokenNllMatchesReferenceLogSoftmax) {
  const GgufFile file = synthetic_gguf({});
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModelOptions options;
  options.n_ctx = 64;
  options.max_batch = 32;
  options.max_logit_rows = 7;  // several output-head groups per call
  GpuModel gpu_model(gpu(), file, config, options);
  CpuModel cpu_model(file, config);
  const auto tokens = random_tokens(31, config.n_vocab, 4);
  const std::span<const int32_t> all(tokens);
  const auto nll = gpu_model.forward_nll(all.first(30), all.subspan(1));
  const auto logits = cpu_model.forward(all.first(30));
  ASSERT_EQ(nll.size(), 30u);
  for (int t = 0; t < 30; ++t) {
    const float* row = logits.data() + size_t(t) * config.n_vocab;
    double m = -INFINITY, sum = 0;
    for (int i = 0; i < config.n_vocab; ++i) m = std::max(m, double(row[i]));
    for (int i = 0; i < config.n_vocab; ++i) sum += std::exp(row[i] - m);
    EXPECT_NEAR(nll[t], m + std::log(sum) - row[tokens[t + 1]], 2e-3) << "token " << t;
  }
}

}  // namespace
}  // namespace mrrope::test
