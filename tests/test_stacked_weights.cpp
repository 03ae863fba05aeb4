// Stacked weights (ops/stacked_weights.h): Q, K and V (gate and up) stored as
// one tensor by rows. The stacked decode product must equal the products of
// the parts bit for bit (each output row is the same sum in the same order),
// on both matrix-vector kernels, with strided and offset outputs, with the
// stack split into buffers; and the decoder's logits must not change.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "model/gpu_model.h"
#include "model/model_config.h"
#include "model/synthetic_model.h"
#include "ops/matvec_int8.h"
#include "ops/stacked_weights.h"
#include "quant/quantize.h"
#include "support/gpu_buffers.h"
#include "support/gpu_test.h"
#include "support/logits_compare.h"
#include "support/quant_samples.h"

namespace mrrope::test {
namespace {

class StackedWeightsTest : public GpuTest {};

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* v = std::getenv(name)) saved_ = v, had_ = true;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (had_) setenv(name_, saved_.c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::string saved_;
  bool had_ = false;
};

struct Parts {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<ops::WeightPart> parts;
};

Parts make_parts(const std::vector<std::pair<GgmlType, uint32_t>>& types_rows, uint32_t cols) {
  Parts p;
  uint32_t seed = 3;
  for (const auto& [type, rows] : types_rows)
    p.bytes.push_back(sample_weight_bytes(type, random_floats(size_t(rows) * cols, seed), rows, cols, seed)), ++seed;
  for (size_t i = 0; i < types_rows.size(); ++i)
    p.parts.push_back({types_rows[i].first, cols, types_rows[i].second, p.bytes[i], "w" + std::to_string(i)});
  return p;
}

TEST_F(StackedWeightsTest, RunsOfOneTypeShareATensorAndPartsReadBackTheirBytes) {
  const Parts p = make_parts({{GgmlType::Q8_0, 48}, {GgmlType::Q8_0, 16}, {GgmlType::Q4_K, 16}}, 256);
  const ops::StackedWeights w(gpu(), p.parts, "qkv");
  ASSERT_EQ(w.size(), 3u);
  // Q8_0 rows of 256 are 272 bytes: 48 of them start the second part at 13056, a multiple of 16 and 256.
  const bool bindable = 48 * 272 % gpu().info().min_storage_buffer_offset_alignment == 0;
  ASSERT_EQ(w.stacks().size(), bindable ? 2u : 3u);
  if (bindable) {
    EXPECT_EQ(w.stacks()[0].whole.rows(), 64);
    EXPECT_EQ(w.stacks()[0].count, 2u);
    EXPECT_EQ(w.stacks()[0].whole.name(), "qkv");
  }
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(w.part(i).rows(), p.parts[i].rows);
    EXPECT_EQ(w.part(i).name(), p.parts[i].name);
    EXPECT_EQ(w.part(i).download(), p.bytes[i]) << "part " << i;
  }
  const ScopedEnv off("MRROPE_STACKED", "0");
  EXPECT_EQ(ops::StackedWeights(gpu(), p.parts, "qkv").stacks().size(), 3u);
}

// The stacked product against each part's own product, output rows at an
// offset and with a stride (as a batch of decode columns writes them).
void check_stacked_product(vk::Context& ctx, GgmlType type, uint32_t batch, bool int8) {
  const uint32_t cols = 256, pad = 3;
  const Parts p = make_parts({{type, 64}, {type, 32}, {type, 32}}, cols);
  const ops::StackedWeights w(ctx, p.parts, "qkv");
  ASSERT_EQ(w.stacks().size(), 1u) << "the parts did not stack on " << ctx.info().name;
  vk::Buffer bx = device_buffer(ctx, random_floats(size_t(batch) * cols, 11));
  vk::Buffer xq(ctx, ops::quantized_act_bytes(cols, batch), vk::MemoryUsage::Device);
  std::vector<vk::Buffer> stacked_out, own_out;
  for (const auto& part : p.parts) {
    stacked_out.push_back(zero_buffer(ctx, pad + size_t(batch) * (part.rows + pad)));
    own_out.push_back(zero_buffer(ctx, pad + size_t(batch) * (part.rows + pad)));
  }
  vk::Sequence seq(ctx);
  seq.begin();
  if (int8) ops::quantize_act(seq, bx, xq, cols, batch);
  ops::ProductOutputs y;
  for (int i = 0; i < 3; ++i) {
    const auto rows = static_cast<uint32_t>(p.parts[i].rows);
    y.parts[i] = ops::Act(stacked_out[i], pad, rows + pad);
    y.rows[i] = rows;
    const ops::Act own(own_out[i], pad, rows + pad);
    if (int8) ops::matvec_int8_kernel(seq, w.part(i), xq, own, batch);
    else ops::matvec_fast_kernel(seq, w.part(i), bx, own, batch);
  }
  if (int8) ops::matvec_int8_kernel(seq, w.stacks()[0].whole, xq, y, batch);
  else ops::matvec_fast_kernel(seq, w.stacks()[0].whole, bx, y, batch);
  seq.end();
  seq.run();
  for (int i = 0; i < 3; ++i) {
    const size_t n = pad + size_t(batch) * (p.parts[i].rows + pad);
    const auto got = read_back(stacked_out[i], n), want = read_back(own_out[i], n);
    EXPECT_EQ(got, want) << ggml_type_name(type) << " batch " << batch << (int8 ? " int8" : " fast") << " part " << i;
    double sum = 0;
    for (float v : want) sum += std::abs(v);
    EXPECT_GT(sum, 0.0) << "part " << i << " wrote nothing";
  }
}

TEST_F(StackedWeightsTest, OneDispatchEqualsThePartsOnTheFloatKernel) {
  if (!ops::matvec_fast_supported(gpu().info())) GTEST_SKIP() << "no matvec_fast on " << gpu().info().name;
  for (GgmlType t : {GgmlType::F16, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K})
    for (uint32_t batch : {1u, 3u}) check_stacked_product(gpu(), t, batch, false);
}

TEST_F(StackedWeightsTest, OneDispatchEqualsThePartsOnTheIntegerDotKernel) {
  if (!ops::matvec_int8_supported(gpu().info())) GTEST_SKIP() << "no integer dot products on " << gpu().info().name;
  for (GgmlType t : {GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K})
    for (uint32_t batch : {1u, 3u}) check_stacked_product(gpu(), t, batch, true);
}

// Through SharedInput, as the decoder records them: a decode batch (one
// matrix-vector dispatch) and a prefill batch (one matrix-unit dispatch on f16
// input where the device has them, else a product per part), against the
// parts' own products. The matrix units may tile the stack differently from
// a part, so f16 rounding is allowed for (test_kernel_matmul.cpp's bound).
TEST_F(StackedWeightsTest, SharedInputRunsEachStackAsThePartsWould) {
  const ScopedEnv coopmat("MRROPE_STACKED_COOPMAT", "1");  // the opt-in matrix-unit stack, where there are some
  const uint32_t cols = 256;
  const Parts p = make_parts({{GgmlType::Q8_0, 64}, {GgmlType::Q8_0, 32}, {GgmlType::Q8_0, 32}}, cols);
  const ops::StackedWeights w(gpu(), p.parts, "qkv");
  std::vector<vk::DeviceTensor> own;
  for (const auto& part : p.parts) {
    own.emplace_back(gpu(), part.type, part.cols, part.rows, part.name);
    own.back().upload(part.data);
  }
  for (uint32_t batch : {1u, 20u}) {
    vk::Buffer bx = device_buffer(gpu(), random_floats(size_t(batch) * cols, 17));
    vk::Buffer xq(gpu(), ops::quantized_act_bytes(cols, 8), vk::MemoryUsage::Device);
    vk::Buffer xh(gpu(), ops::f16_act_bytes(cols, batch), vk::MemoryUsage::Device);
    std::vector<vk::Buffer> stacked_out, own_out;
    for (const auto& part : p.parts) {
      stacked_out.push_back(zero_buffer(gpu(), size_t(batch) * part.rows));
      own_out.push_back(zero_buffer(gpu(), size_t(batch) * part.rows));
    }
    vk::Sequence seq(gpu());
    seq.begin();
    ops::SharedInput(seq, bx, xq, cols, batch, false, &xh).matmul(w, {stacked_out[0], stacked_out[1], stacked_out[2]});
    ops::SharedInput own_in(seq, bx, xq, cols, batch, false, &xh);
    for (size_t i = 0; i < 3; ++i) own_in.matmul(own[i], own_out[i]);
    seq.end();
    seq.run();
    for (size_t i = 0; i < 3; ++i) {
      const size_t n = size_t(batch) * p.parts[i].rows;
      const auto got = read_back(stacked_out[i], n), want = read_back(own_out[i], n);
      float peak = 0;
      for (float v : want) peak = std::max(peak, std::abs(v));
      ASSERT_GT(peak, 0.0f) << "part " << i;
      for (size_t e = 0; e < n; ++e)
        ASSERT_NEAR(got[e], want[e], 1e-4 + 2e-3 * peak) << "batch " << batch << " part " << i << " at " << e;
    }
  }
}

// A stack split over 64 KiB buffers: parts start inside a slice (bound at an
// offset) and a part spans two slices.
TEST_F(StackedWeightsTest, StacksSplitIntoBuffersKeepTheirParts) {
  vk::Context& ctx = gpu_with_small_buffers();
  const uint32_t cols = 1024;  // Q8_0: 1088-byte rows, 60 a slice
  const Parts p = make_parts({{GgmlType::Q8_0, 48}, {GgmlType::Q8_0, 32}, {GgmlType::Q8_0, 48}}, cols);
  const ops::StackedWeights w(ctx, p.parts, "qkv");
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(w.part(i).download(), p.bytes[i]) << "part " << i;
  if (w.stacks().size() == 1) EXPECT_GE(w.stacks()[0].whole.slices().size(), 3u);
}

// Row views, row uploads and per-part outputs refuse what does not fit, naming it.
TEST_F(StackedWeightsTest, RefusalsNameTheirLimits) {
  auto message_of = [](auto call) {
    try {
      call();
    } catch (const vk::VulkanError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  vk::DeviceTensor t(gpu(), GgmlType::F32, 8, 10, "t");  // 32-byte rows
  const std::vector<uint8_t> three_rows(96);
  EXPECT_EQ(message_of([&] { t.upload_rows(8, three_rows); }),
            "tensor t: upload of 96 bytes at row 8 is not whole rows inside its 10");
  EXPECT_EQ(message_of([&] { t.rows_view(5, 6, "v"); }), "tensor t: rows 5+6 are outside its 10");
  vk::DeviceTensor q(gpu(), GgmlType::Q8_0, 32, 4, "q");  // 34-byte rows: row 1 starts at byte 34
  if (34 % gpu().info().min_storage_buffer_offset_alignment != 0) {
    EXPECT_FALSE(q.can_view_rows(1));
    EXPECT_EQ(message_of([&] { q.rows_view(1, 2, "v"); }), "tensor q: row 1 starts at an offset the device cannot bind");
  }
  EXPECT_TRUE(q.can_view_rows(0));

  const Parts p = make_parts({{GgmlType::Q8_0, 64}, {GgmlType::Q8_0, 32}, {GgmlType::Q8_0, 32}}, 256);
  const ops::StackedWeights w(gpu(), p.parts, "qkv");
  vk::Buffer x = zero_buffer(gpu(), 256), y = zero_buffer(gpu(), 128);
  vk::Buffer xq(gpu(), ops::quantized_act_bytes(256, 1), vk::MemoryUsage::Device);
  vk::Sequence seq(gpu());
  seq.begin();
  EXPECT_EQ(message_of([&] { ops::SharedInput(seq, x, xq, 256, 1).matmul(w, {y, y}); }),
            "stacked product: 2 outputs for 3 parts");
  if (ops::matvec_fast_supported(gpu().info()))
    EXPECT_EQ(message_of([&] { ops::matvec_fast_kernel(seq, w.stacks()[0].whole, x, ops::ProductOutputs(), 1); }),
              "matvec_fast: no output");
  ops::ProductOutputs short_parts;
  short_parts.parts[0] = short_parts.parts[1] = ops::Act(y);
  short_parts.rows[0] = short_parts.rows[1] = 32;
  if (ops::matvec_fast_supported(gpu().info()))
    EXPECT_EQ(message_of([&] { ops::matvec_fast_kernel(seq, w.stacks()[0].whole, x, short_parts, 1); }),
              "matvec_fast: output parts of 32+32+0 rows for a 128-row tensor " + w.stacks()[0].whole.name());
  seq.end();
}

// The decoder with stacked weights against the same decoder with each product
// on its own: prefill then decode steps, logits equal bit for bit.
std::vector<std::vector<float>> prefill_and_decode(vk::Context& ctx, const std::vector<uint8_t>& bytes) {
  const GgufFile file = GgufFile::parse(bytes, "stacked.gguf");
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModelOptions options;
  options.n_ctx = 64;
  options.max_batch = 16;
  GpuModel model(ctx, file, config, options);
  const auto tokens = random_tokens(12, config.n_vocab, 5);
  std::vector<std::vector<float>> out{model.forward(std::span(tokens.data(), 9))};
  for (size_t i = 9; i < tokens.size(); ++i) out.push_back(model.forward(std::span(tokens.data() + i, 1)));
  return out;
}

TEST_F(StackedWeightsTest, DecoderLogitsDoNotChange) {
  for (const char* int8 : {"off", "on"}) {
    if (std::string(int8) == "on" && !ops::matvec_int8_supported(gpu().info())) continue;
    const ScopedEnv path("MRROPE_MATVEC_INT8", int8);
    SyntheticModelSpec spec;
    spec.weight_type = GgmlType::Q8_0;
    spec.n_embd = 256;
    spec.n_head = 4;
    spec.n_head_kv = 2;
    spec.n_ff = 512;
    const std::vector<uint8_t> bytes = make_synthetic_model(spec).to_bytes();
    const auto stacked = prefill_and_decode(gpu(), bytes);
    std::vector<std::vector<float>> separate;
    {
      const ScopedEnv off("MRROPE_STACKED", "0");
      separate = prefill_and_decode(gpu(), bytes);
    }
    ASSERT_EQ(stacked.size(), separate.size());
    for (size_t i = 0; i < stacked.size(); ++i) EXPECT_EQ(stacked[i], separate[i]) << "step " << i << ", int8 " << int8;
  }
}

}  // namespace
}  // namespace mrrope::test
