// RMSNorm, SiLU-gated multiply, residual add, softmax and embedding lookup on
// the GPU against the CPU reference. Sizes are deliberately odd.
// Tolerances: elementwise ops 1e-6 relative (float32 vs double); reductions
// (RMSNorm, softmax) 1e-5 relative plus 1e-7 absolute.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <random>

#include "ops/matvec_int8.h"
#include "ops/ops.h"
#include "ops/weight_types.h"
#include "quant/half.h"
#include "quant/quantize.h"
#include "reference/reference_ops.h"
#include "support/embedding_check.h"
#include "support/gpu_buffers.h"
#include "support/quant_samples.h"
#include "support/gpu_test.h"
#include "support/quantized_check.h"

namespace mrrope::test {
namespace {

class ElementwiseKernels : public GpuTest {};

TEST_F(ElementwiseKernels, RmsNormMatchesReference) {
  for (auto [rows, cols] : {std::pair{1u, 7u}, std::pair{5u, 1000u}, std::pair{3u, 4099u}}) {
    const auto x = random_floats(size_t(rows) * cols, 1, -3, 3), w = random_floats(cols, 2);
    vk::Buffer bx = device_buffer(gpu(), x), bw = device_buffer(gpu(), w), by = zero_buffer(gpu(), x.size());
    vk::Sequence seq(gpu());
    seq.begin();
    ops::rms_norm(seq, bx, bw, by, rows, cols, 1e-5f);
    ops::rms_norm(seq, bx, bw, bx, rows, cols, 1e-5f);  // in place
    seq.end();
    seq.run();
    std::vector<float> want(x.size());
    ref::rms_norm(x, w, want, rows, cols, 1e-5f);
    EXPECT_LE(worst_ratio(read_back(by, x.size()), want, {}, 1e-7, 1e-5), 1.0) << rows << "x" << cols;
    EXPECT_LE(worst_ratio(read_back(bx, x.size()), want, {}, 1e-7, 1e-5), 1.0) << "in place " << rows << "x" << cols;
  }
}

// The fused residual add + RMSNorm of a rows x cols input against the two
// reference ops in turn; with `int8`, y also quantized as quantize_act would.
void check_add_rms_norm(vk::Context& ctx, uint32_t rows, uint32_t cols, uint64_t seed, bool int8) {
  const auto x = random_floats(size_t(rows) * cols, seed, -3, 3), r = random_floats(x.size(), seed + 1, -3, 3);
  const auto w = random_floats(cols, seed + 2);
  vk::Buffer bx = device_buffer(ctx, x), br = device_buffer(ctx, r), bw = device_buffer(ctx, w);
  vk::Buffer by = zero_buffer(ctx, x.size());
  vk::Buffer bq(ctx, int8 ? ops::quantized_act_bytes(cols, rows) : 16, vk::MemoryUsage::Device);
  vk::Sequence seq(ctx);
  seq.begin();
  ops::add_rms_norm(seq, bx, br, bw, by, rows, cols, 1e-5f, int8 ? &bq : nullptr);
  seq.end();
  seq.run();
  std::vector<float> sum(x.size()), want(x.size());
  ref::add(x, r, sum);
  ref::rms_norm(sum, w, want, rows, cols, 1e-5f);
  const auto y = read_back(by, x.size());
  EXPECT_LE(worst_ratio(read_back(bx, x.size()), sum, {}, 0, 1e-6), 1.0) << "sum " << rows << "x" << cols;
  EXPECT_LE(worst_ratio(y, want, {}, 1e-7, 1e-5), 1.0) << rows << "x" << cols;
  if (int8) quantized_activations(bq, y, cols, rows);  // checks the blocks against ref::quantize_act(y)
}

// Both reductions: subgroup operations (where the device has them) and the
// shared-memory tree (MRROPE_NORM_SUBGROUPS=0, what devices without them run).
TEST_F(ElementwiseKernels, AddRmsNormMatchesAddThenNorm) {
  for (const bool tree : {false, true}) {
    if (tree) setenv("MRROPE_NORM_SUBGROUPS", "0", 1);
    SCOPED_TRACE(tree ? "shared-memory tree" : "subgroup reductions where available");
    // Scalar rows, vec4 rows in registers, and past 16 x 256 elements (reloaded).
    for (auto [rows, cols] : {std::pair{1u, 7u}, std::pair{5u, 1000u}, std::pair{3u, 4099u}, std::pair{2u, 4200u}})
      check_add_rms_norm(gpu(), rows, cols, 11, false);
    // With an int8 output for the next products (rows of whole 32-blocks).
    for (auto [rows, cols] : {std::pair{1u, 4096u}, std::pair{3u, 5120u}, std::pair{8u, 256u}, std::pair{2u, 8192u}})
      check_add_rms_norm(gpu(), rows, cols, 14, true);
  }
  unsetenv("MRROPE_NORM_SUBGROUPS");
}

// SwiGLU straight to int8 blocks: silu(gate) * up, quantized as quantize_act
// would quantize silu_mul's output; gate and up at an offset and a stride.
// Both ways: eight lanes a block (the default where subgroups shuffle) and the
// one-thread fallback (MRROPE_QUANTIZE_LANES=1); plain quantize_act alongside.
TEST_F(ElementwiseKernels, SwigluQuantizeWritesInt8BlocksOfSiluMul) {
  for (const bool fallback : {false, true}) {
    if (fallback) setenv("MRROPE_QUANTIZE_LANES", "1", 1);
    for (auto [batch, cols] : {std::pair{1u, 14336u}, std::pair{3u, 96u}, std::pair{8u, 256u}}) {
      const uint32_t offset = 4, stride = cols + 32;  // whole vec4s, then an unaligned start
      for (uint32_t start : {offset, offset + 1}) {
        const size_t n = size_t(start) + size_t(batch) * stride;
        const auto g = random_floats(n, 17, -8, 8), u = random_floats(n, 18, -2, 2);
        vk::Buffer bg = device_buffer(gpu(), g), bu = device_buffer(gpu(), u);
        vk::Buffer bq(gpu(), ops::quantized_act_bytes(cols, batch), vk::MemoryUsage::Device);
        vk::Buffer bplain(gpu(), ops::quantized_act_bytes(cols, batch), vk::MemoryUsage::Device);
        vk::Sequence seq(gpu());
        seq.begin();
        ops::swiglu_quantize(seq, ops::Act(bg, start, stride), bu, bq, cols, batch);
        ops::quantize_act(seq, ops::Act(bg, start, stride), bplain, cols, batch);
        seq.end();
        seq.run();
        std::vector<float> gate, up, want;
        for (uint32_t b = 0; b < batch; ++b) {
          gate.insert(gate.end(), g.begin() + start + b * stride, g.begin() + start + b * stride + cols);
          up.insert(up.end(), u.begin() + start + b * stride, u.begin() + start + b * stride + cols);
        }
        want.resize(gate.size());
        ref::silu_mul(gate, up, want);
        SCOPED_TRACE(std::to_string(batch) + "x" + std::to_string(cols) + " from " + std::to_string(start) +
                     (fallback ? ", one thread a block" : ""));
        quantized_activations(bq, want, cols, batch);
        quantized_activations(bplain, gate, cols, batch);
      }
    }
  }
  unsetenv("MRROPE_QUANTIZE_LANES");
}

// The copy kernel (bench-kernels' roofline) moves every byte, across several grid strides.
TEST_F(ElementwiseKernels, CopyWordsCopiesEveryByte) {
  const size_t words = 4096 * 256 * 2 + 5;  // more than the largest grid: threads loop
  const auto src = random_floats(words * 4, 21);
  vk::Buffer bs = device_buffer(gpu(), src), bd = zero_buffer(gpu(), src.size());
  vk::Sequence seq(gpu());
  seq.begin();
  ops::copy_words(seq, bs, bd, words * 16);
  seq.end();
  seq.run();
  EXPECT_EQ(read_back(bd, src.size()), src);
}

TEST_F(ElementwiseKernels, SiluMulAndAddMatchReference) {
  const uint32_t n = 70001;  // > 256 workgroups' worth, not a multiple of 256
  const auto g = random_floats(n, 3, -8, 8), u = random_floats(n, 4);
  vk::Buffer bg = device_buffer(gpu(), g), bu = device_buffer(gpu(), u);
  vk::Buffer bs = zero_buffer(gpu(), n), ba = zero_buffer(gpu(), n);
  vk::Sequence seq(gpu());
  seq.begin();
  ops::silu_mul(seq, bg, bu, bs, n);
  ops::add(seq, bg, bu, ba, n);
  seq.end();
  seq.run();
  std::vector<float> want_s(n), want_a(n);
  ref::silu_mul(g, u, want_s);
  ref::add(g, u, want_a);
  EXPECT_LE(worst_ratio(read_back(bs, n), want_s, {}, 1e-7, 1e-5), 1.0);
  EXPECT_LE(worst_ratio(read_back(ba, n), want_a, {}, 0, 1e-6), 1.0);
}

// GeGLU (Gemma's FFN), the embedding scale and logit soft-capping, with
// arguments large enough that a naive tanh would overflow. Tolerances: float
// exp against double, relative 1e-5 past an absolute 1e-6.
TEST_F(ElementwiseKernels, GeluMulScaleAndSoftcapMatchReference) {
  const uint32_t n = 70001;
  auto g = random_floats(n, 6, -8, 8);
  g[0] = 200.0f, g[1] = -200.0f;  // u far past exp's range on both sides
  const auto u = random_floats(n, 7);
  vk::Buffer bg = device_buffer(gpu(), g), bu = device_buffer(gpu(), u), bo = zero_buffer(gpu(), n);
  vk::Buffer bs = device_buffer(gpu(), g), bc = device_buffer(gpu(), g);
  vk::Sequence seq(gpu());
  seq.begin();
  ops::gelu_mul(seq, bg, bu, bo, n);
  ops::scale(seq, bs, n, 45.25f);
  ops::softcap(seq, bc, n, 3.0f);
  seq.end();
  seq.run();
  std::vector<float> want(n), scaled(n), capped = g;
  ref::gelu_mul(g, u, want);
  for (uint32_t i = 0; i < n; ++i) scaled[i] = g[i] * 45.25f;
  ref::softcap(capped, 3.0f);
  EXPECT_LE(worst_ratio(read_back(bo, n), want, {}, 1e-6, 1e-5), 1.0);
  EXPECT_LE(worst_ratio(read_back(bs, n), scaled, {}, 0, 1e-7), 1.0);
  EXPECT_LE(worst_ratio(read_back(bc, n), capped, {}, 1e-6, 1e-5), 1.0);
}

TEST_F(ElementwiseKernels, SoftmaxMatchesReference) {
  for (auto [rows, cols, scale] : {std::tuple{1u, 1u, 1.0f}, std::tuple{7u, 333u, 0.125f}, std::tuple{2u, 5000u, 3.0f}}) {
    const auto x = random_floats(size_t(rows) * cols, 5, -10, 10);
    vk::Buffer bx = device_buffer(gpu(), x), by = zero_buffer(gpu(), x.size());
    vk::Sequence seq(gpu());
    seq.begin();
    ops::softmax(seq, bx, by, rows, cols, scale);
    seq.end();
    seq.run();
    std::vector<float> want(x.size());
    ref::softmax(x, want, rows, cols, scale);
    EXPECT_LE(worst_ratio(read_back(by, x.size()), want, {}, 1e-8, 1e-5), 1.0) << rows << "x" << cols;
  }
}

TEST_F(ElementwiseKernels, EmbeddingLookupDequantizesEveryType) {
  for (bool split : {false, true}) {
    vk::Context& ctx = split ? gpu_with_small_buffers() : gpu();
    for (GgmlType t : ops::gpu_weight_types()) {  // every row of ops/weight_kernels.def
      const uint32_t rows = 301, cols = ggml_traits(t).block_elems == 256 ? 768 : 320;
      const auto table = random_floats(size_t(rows) * cols, 6);
      const auto q = sample_weight_bytes(t, table, rows, cols, 6);
      check_embedding(ctx, t, q, rows, cols, {0, 300, 17, 17, 150, 299, 1}, split ? " split" : "");
    }
  }
}

// Ternary blocks of arbitrary bytes (TQ1_0 bytes past 242, TQ2_0's level 3:
// what a file may hold beyond what quantize_rows writes) look up exactly as
// the CPU dequantizes them.
TEST_F(ElementwiseKernels, EmbeddingLookupOfAnyTernaryBytes) {
  for (GgmlType t : {GgmlType::TQ1_0, GgmlType::TQ2_0}) {
    const uint32_t rows = 37, cols = 768;
    const std::vector<uint8_t> q = blocks_of_any_bytes(t, rows, cols, 65, -0.3f, 0.01f, 50);
    check_embedding(gpu(), t, q, rows, cols, {0, 36, 5, 5, 20}, "");
  }
}

// Grid-type blocks (IQ1..IQ3) of arbitrary bytes: every index, sign and
// sub-block scale a file may hold, looked up exactly as the CPU dequantizes.
TEST_F(ElementwiseKernels, EmbeddingLookupOfAnyGridTypeBytes) {
  for (GgmlType t : {GgmlType::IQ2_XXS, GgmlType::IQ2_XS, GgmlType::IQ2_S, GgmlType::IQ3_XXS, GgmlType::IQ3_S,
                     GgmlType::IQ1_S, GgmlType::IQ1_M}) {
    const uint32_t rows = 37, cols = 768;
    const std::vector<uint8_t> q = blocks_of_any_bytes(t, rows, cols, 66, -0.3f, 0.01f, 50);
    check_embedding(gpu(), t, q, rows, cols, {0, 36, 5, 5, 20}, "");
  }
}

}  // namespace
}  // namespace mrrope::test
