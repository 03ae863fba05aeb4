// Matrix-vector and matrix-matrix products on the GPU against the CPU
// reference, for every weight type, with odd shapes, weights split into slices,
// and a weight larger than 128 MiB.
//
// Tolerance: the reference multiplies the same dequantized weights in double,
// so only float32 rounding in the GPU's sums differs. We require
// |gpu - ref| <= 1e-5 + 1e-5 * sqrt(K) * sum_k |w_k x_k| per output.
// The matrix-unit kernel rounds weights and activations to f16 (relative error
// 2^-11 each, so under 1e-3 per product) and sums in float32; it gets
// |gpu - ref| <= 1e-4 + 1e-3 * sum_k |w_k x_k| (the 1e-4 covers f16 underflow).
// The integer-dot kernel multiplies int8-quantized activations: its reference
// takes the activations that quantize_act wrote (read back), so its sums are
// exact integers and the float32 tolerance applies. quantize_act itself is
// checked against ref::quantize_act: equal scales, quants at most one step
// apart (a tie rounded the other way under a different 1/d rounding).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <span>
#include <ostream>
#include <string>

#include "ops/matvec_int8.h"
#include "ops/ops.h"
#include "ops/weight_types.h"
#include "quant/half.h"
#include "quant/quantize.h"
#include "reference/reference_ops.h"
#include "support/gpu_buffers.h"
#include "support/quant_samples.h"
#include "support/quantized_check.h"
#include "support/gpu_test.h"

namespace mrrope::test {
namespace {

struct MatCase {
  GgmlType type;
  uint32_t rows, cols, batch;
  bool small_buffers;  // split the weight into 64 KiB slices
};

std::string case_name(const testing::TestParamInfo<MatCase>& info) {
  const MatCase& c = info.param;
  return std::string(ggml_type_name(c.type)) + "_" + std::to_string(c.rows) + "x" + std::to_string(c.cols) + "_b" +
         std::to_string(c.batch) + (c.small_buffers ? "_split" : "");
}

// Runs y = W x on the GPU with the chosen kernel and checks it against the
// reference. Auto is ops::matmul's own choice.
enum class Kind {
  Matvec, Subgroup, Fast, Int8, Tiled, Rows, CoopmatLarge, CoopmatSmall, CoopmatSplit, CoopmatHalf, CoopmatHalfSplit, Auto
};
const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Matvec: return "matvec";
    case Kind::Subgroup: return "matvec_sg";
    case Kind::Fast: return "matvec_fast";
    case Kind::Int8: return "matvec_int8";
    case Kind::Tiled: return "matmul";
    case Kind::Rows: return "matmul_rows";
    case Kind::CoopmatLarge: return "matmul_cm large";
    case Kind::CoopmatSmall: return "matmul_cm small";
    case Kind::CoopmatSplit: return "matmul_cm split staging";
    case Kind::CoopmatHalf: return "matmul_cm on f16 input";
    case Kind::CoopmatHalfSplit: return "matmul_cm split on f16 input";
    case Kind::Auto: return "ops::matmul";
  }
  return "";
}

// shift > 0 places x and y at element offset `shift` with rows padded by `shift`
// (unaligned for vec4 loads when shift is odd). raw_weights, when given, are the
// weight's bytes instead of quantized random floats.
void check_product(vk::Context& ctx, GgmlType type, uint32_t rows, uint32_t cols, uint32_t batch, Kind kind,
                   uint32_t seed, uint32_t shift = 0, std::span<const uint8_t> raw_weights = {}) {
  const auto x = random_floats(size_t(batch) * cols, seed + 1);
  const auto wq = raw_weights.empty()
                      ? sample_weight_bytes(type, random_floats(size_t(rows) * cols, seed), rows, cols, seed)
                      : std::vector<uint8_t>(raw_weights.begin(), raw_weights.end());
  const auto wd = dequantize_rows(type, wq, rows, cols);  // the exact weights the GPU sees

  vk::DeviceTensor tw(ctx, type, cols, rows, "w");
  tw.upload(wq);
  const uint32_t x_stride = cols + shift, y_stride = rows + shift;
  std::vector<float> x_padded(shift + size_t(batch) * x_stride);
  for (uint32_t b = 0; b < batch; ++b)
    std::copy_n(x.begin() + size_t(b) * cols, cols, x_padded.begin() + shift + size_t(b) * x_stride);
  vk::Buffer bx = device_buffer(ctx, x_padded), by = zero_buffer(ctx, shift + size_t(batch) * y_stride);
  const ops::Act ax(bx, shift, x_stride), ay(by, shift, y_stride);
  vk::Buffer bxq(ctx, ops::quantized_act_bytes(cols, batch), vk::MemoryUsage::Device);
  const bool f16_input = kind == Kind::CoopmatHalf || kind == Kind::CoopmatHalfSplit;
  vk::Buffer bxh(ctx, f16_input ? ops::f16_act_bytes(cols, batch) : 16, vk::MemoryUsage::Device);
  vk::Sequence seq(ctx);
  seq.begin();
  if (kind == Kind::Int8) {
    ops::quantize_act(seq, ax, bxq, cols, batch);
    ops::matvec_int8_kernel(seq, tw, bxq, ay, batch);
  } else if (kind == Kind::Tiled) ops::matmul_kernel(seq, tw, ax, ay, batch);
  else if (kind == Kind::Rows) ops::matmul_rows_kernel(seq, tw, ax, ay, batch);
  else if (kind == Kind::Subgroup) ops::matvec_subgroup_kernel(seq, tw, ax, ay, batch);
  else if (kind == Kind::Fast) ops::matvec_fast_kernel(seq, tw, ax, ay, batch);
  else if (kind == Kind::CoopmatLarge) ops::matmul_coopmat_kernel(seq, tw, ax, ay, batch, ops::CoopmatTile::Large);
  else if (kind == Kind::CoopmatSmall) ops::matmul_coopmat_kernel(seq, tw, ax, ay, batch, ops::CoopmatTile::Small);
  else if (kind == Kind::CoopmatSplit) ops::matmul_coopmat_kernel(seq, tw, ax, ay, batch, ops::CoopmatTile::Split);
  else if (kind == Kind::CoopmatHalf || kind == Kind::CoopmatHalfSplit) {
    ops::convert_to_f16(seq, ax, bxh, cols, batch);
    ops::matmul_coopmat_f16_input(seq, tw, bxh, ay, batch,
                                  kind == Kind::CoopmatHalf ? ops::CoopmatTile::Large : ops::CoopmatTile::Split);
  }
  else if (kind == Kind::Auto) ops::matmul(seq, tw, ax, ay, batch);
  else ops::matvec_kernel(seq, tw, ax, ay, batch);
  seq.end();
  seq.run();
  const auto y_padded = read_back(by, shift + size_t(batch) * y_stride);
  std::vector<float> got(size_t(batch) * rows);
  for (uint32_t b = 0; b < batch; ++b)
    std::copy_n(y_padded.begin() + shift + size_t(b) * y_stride, rows, got.begin() + size_t(b) * rows);

  std::vector<float> want(size_t(batch) * rows);
  const std::vector<float> x_used = kind == Kind::Int8 ? quantized_activations(bxq, x, cols, batch) : x;
  ref::matmul(wd, x_used, want, rows, cols, batch);
  std::vector<double> scale(want.size());
  for (uint32_t b = 0; b < batch; ++b)
    for (uint32_t r = 0; r < rows; ++r) {
      double s = 0;
      for (uint32_t k = 0; k < cols; ++k)
        s += std::fabs(double(wd[size_t(r) * cols + k]) * x_used[size_t(b) * cols + k]);
      scale[size_t(b) * rows + r] = s;
    }
  size_t where = 0;
  const bool f16 = kind == Kind::CoopmatLarge || kind == Kind::CoopmatSmall || kind == Kind::CoopmatSplit ||
                   kind == Kind::CoopmatHalf || kind == Kind::CoopmatHalfSplit ||
                   (kind == Kind::Auto && batch > 8 && ops::matmul_on_coopmat(ctx.info()) &&
                    ops::matmul_coopmat_weight_type(type));
  const double ratio = f16 ? worst_ratio(got, want, scale, 1e-4, 1e-3, &where)
                           : worst_ratio(got, want, scale, 1e-5, 1e-5 * std::sqrt(double(cols)), &where);
  EXPECT_LE(ratio, 1.0) << kind_name(kind) << " batch " << batch << " worst at " << where << ": gpu " << got[where]
                        << " ref " << want[where];
}

class MatmulKernels : public GpuTest, public testing::WithParamInterface<MatCase> {};

// matvec.comp and matvec_subgroup.comp are matmul()'s fallback for batches up
// to 8 on devices without subgroup arithmetic or 16-bit storage.
TEST_P(MatmulKernels, MatvecMatchesReference) {
  const MatCase& c = GetParam();
  vk::Context& ctx = c.small_buffers ? gpu_with_small_buffers() : gpu();
  check_product(ctx, c.type, c.rows, c.cols, std::min(c.batch, 8u), Kind::Matvec, 10);
}

TEST_P(MatmulKernels, SubgroupMatvecMatchesReference) {
  const MatCase& c = GetParam();
  vk::Context& ctx = c.small_buffers ? gpu_with_small_buffers() : gpu();
  if (!ctx.info().subgroup_arithmetic) GTEST_SKIP() << "no subgroup arithmetic on " << ctx.info().name;
  check_product(ctx, c.type, c.rows, c.cols, std::min(c.batch, 8u), Kind::Subgroup, 30);
}

// One pipeline per column count: batches 1, 3, 5 and 8 of every shape.
TEST_P(MatmulKernels, FastMatvecMatchesReference) {
  const MatCase& c = GetParam();
  vk::Context& ctx = c.small_buffers ? gpu_with_small_buffers() : gpu();
  if (!ops::matvec_fast_supported(ctx.info())) GTEST_SKIP() << "no subgroup arithmetic or 16-bit storage";
  for (uint32_t batch : {1u, 3u, 5u, 8u}) check_product(ctx, c.type, c.rows, c.cols, batch, Kind::Fast, 40 + batch);
}

// Activations at an odd offset and stride: scalar instead of vec4 loads.
TEST_P(MatmulKernels, FastMatvecUnalignedActivations) {
  const MatCase& c = GetParam();
  vk::Context& ctx = c.small_buffers ? gpu_with_small_buffers() : gpu();
  if (!ops::matvec_fast_supported(ctx.info())) GTEST_SKIP() << "no subgroup arithmetic or 16-bit storage";
  check_product(ctx, c.type, c.rows, c.cols, 5, Kind::Fast, 50, 3);
}

TEST_P(MatmulKernels, TiledMatmulMatchesReference) {
  const MatCase& c = GetParam();
  vk::Context& ctx = c.small_buffers ? gpu_with_small_buffers() : gpu();
  check_product(ctx, c.type, c.rows, c.cols, c.batch, Kind::Tiled, 20);
}

// The CPU devices' kernel (a weight row per invocation), here on any device;
// batches not a multiple of its 8 columns, and unaligned activations.
TEST_P(MatmulKernels, RowsMatmulMatchesReference) {
  const MatCase& c = GetParam();
  vk::Context& ctx = c.small_buffers ? gpu_with_small_buffers() : gpu();
  check_product(ctx, c.type, c.rows, c.cols, c.batch, Kind::Rows, 22);
  check_product(ctx, c.type, c.rows, c.cols, 11, Kind::Rows, 23, 3);
}

std::vector<MatCase> cases() {
  std::vector<MatCase> out;
  for (GgmlType t : ops::gpu_weight_types()) {  // every row of ops/weight_kernels.def
    const uint32_t block = ggml_traits(t).block_elems;  // K-quants, IQ4_XS, TQ, IQ1-3: rows are multiples of 256
    const bool quant = block > 1;
    // Not a multiple of any workgroup or tile (K-quants: 2 super-blocks, 16 sub-blocks).
    const uint32_t odd_cols = block == 256 ? 512 : quant ? 160 : 97;
    out.push_back({t, 1, block == 256 ? 256u : 32u, 1, false});
    out.push_back({t, 67, odd_cols, 3, false});
    out.push_back({t, 131, block == 256 ? 768u : 512u, 70, false});
    out.push_back({t, 300, 1024, 5, true});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllTypes, MatmulKernels, testing::ValuesIn(cases()), case_name);

// Integer dot products on int8 activations, for the block types that have them.
class Int8Matvec : public GpuTest, public testing::WithParamInterface<MatCase> {};

TEST_P(Int8Matvec, MatchesReference) {
  const MatCase& c = GetParam();
  vk::Context& ctx = c.small_buffers ? gpu_with_small_buffers() : gpu();
  if (!ops::matvec_int8_supported(ctx.info())) GTEST_SKIP() << "no integer dot products on " << ctx.info().name;
  for (uint32_t batch : {1u, 3u, 8u}) check_product(ctx, c.type, c.rows, c.cols, batch, Kind::Int8, 80 + batch);
  check_product(ctx, c.type, c.rows, c.cols, 2, Kind::Int8, 90, 3);  // unaligned activations
}

// Q4_K / Q5_K / Q2_K / Q3_K rows in 32-weight chunks (MRROPE_MATVEC_WIDE=0;
// the default takes whole sub-block pairs, or Q2_K/Q3_K's four pieces that
// share quant bytes); the other types ignore the switch.
TEST_P(Int8Matvec, NarrowKQuantChunksMatchReference) {
  const MatCase& c = GetParam();
  vk::Context& ctx = c.small_buffers ? gpu_with_small_buffers() : gpu();
  if (!ops::matvec_int8_supported(ctx.info())) GTEST_SKIP() << "no integer dot products on " << ctx.info().name;
  setenv("MRROPE_MATVEC_WIDE", "0", 1);
  for (uint32_t batch : {1u, 3u, 8u}) check_product(ctx, c.type, c.rows, c.cols, batch, Kind::Int8, 130 + batch);
  check_product(ctx, c.type, c.rows, c.cols, 2, Kind::Int8, 140, 3);
  unsetenv("MRROPE_MATVEC_WIDE");
}

std::vector<MatCase> int8_cases() {
  std::vector<MatCase> out;
  for (const MatCase& c : cases())
    if (ops::matvec_int8_weight_type(c.type)) out.push_back(c);
  return out;
}

INSTANTIATE_TEST_SUITE_P(BlockTypes, Int8Matvec, testing::ValuesIn(int8_cases()), case_name);

// The grid types' int8 variants (INTEGER_DOT 2 in ops/weight_kernels.def:
// taken only with MRROPE_INT8_UNVERIFIED=1 until timed on a GPU), one shape
// each at batch 1 and 3. llvmpipe took 150 s to compile the four pipelines of
// an IQ1 type's Int8Matvec case (IQ2/IQ3: 5-31 s), so CPU devices check IQ2 and
// IQ3 and leave IQ1 to GPUs (with MRROPE_INT8_UNVERIFIED=1, Int8Matvec takes all).
class Int8MatvecUnverified : public GpuTest, public testing::WithParamInterface<MatCase> {};

TEST_P(Int8MatvecUnverified, MatchesReference) {
  const MatCase& c = GetParam();
  if (!ops::matvec_int8_supported(gpu().info())) GTEST_SKIP() << "no integer dot products on " << gpu().info().name;
  if (gpu().info().type == "CPU" && (c.type == GgmlType::IQ1_S || c.type == GgmlType::IQ1_M))
    GTEST_SKIP() << "IQ1 int8 pipelines take minutes to compile on a CPU device; checked on GPUs";
  for (uint32_t batch : {1u, 3u}) check_product(gpu(), c.type, c.rows, c.cols, batch, Kind::Int8, 160 + batch);
}

std::vector<MatCase> unverified_int8_cases() {
  std::vector<MatCase> out;
  for (const ops::WeightTypeRow& row : ops::kWeightTypeTable)
    if (row.integer_dot == 2) out.push_back({row.type, 67, 512, 3, false});
  return out;
}

INSTANTIATE_TEST_SUITE_P(GridTypes, Int8MatvecUnverified, testing::ValuesIn(unverified_int8_cases()), case_name);

// The int8 kernel's switchable variants, each over the types it changes
// (the default is tested by Int8Matvec): MRROPE_MATVEC_WORD_LOADS=0 reads
// Q6_K / Q3_K quant fields as 16-bit pieces instead of the default whole
// funnel-shifted words (blocks alternate between 4-byte and 2-byte aligned
// offsets, so the default takes both shifts); MRROPE_MATVEC_BLOCK_LANES=4 splits
// Q8_0 / Q4_0 blocks over four lanes (a quarter block a chunk, Q4_0's -8
// offset taken once a block).
struct Int8Variant {
  MatCase c;
  const char* env;
  const char* value;
};
void PrintTo(const Int8Variant& v, std::ostream* os) {
  *os << v.env << "=" << v.value << " " << ggml_type_name(v.c.type) << " " << v.c.rows << "x" << v.c.cols;
}

class Int8MatvecVariants : public GpuTest, public testing::WithParamInterface<Int8Variant> {};

TEST_P(Int8MatvecVariants, MatchReference) {
  const auto& [c, env, value] = GetParam();
  vk::Context& ctx = c.small_buffers ? gpu_with_small_buffers() : gpu();
  if (!ops::matvec_int8_supported(ctx.info())) GTEST_SKIP() << "no integer dot products on " << ctx.info().name;
  setenv(env, value, 1);
  for (uint32_t batch : {1u, 3u}) check_product(ctx, c.type, c.rows, c.cols, batch, Kind::Int8, 150 + batch);
  unsetenv(env);
}

std::vector<Int8Variant> int8_variant_cases() {
  const struct {
    const char* env;
    const char* value;
    GgmlType a, b;
  } variants[] = {{"MRROPE_MATVEC_WORD_LOADS", "0", GgmlType::Q6_K, GgmlType::Q3_K},
                  {"MRROPE_MATVEC_BLOCK_LANES", "4", GgmlType::Q8_0, GgmlType::Q4_0}};
  std::vector<Int8Variant> out;
  for (const auto& v : variants)
    for (const MatCase& c : int8_cases())
      if (c.type == v.a || c.type == v.b) out.push_back({c, v.env, v.value});
  return out;
}

std::string variant_name(const testing::TestParamInfo<Int8Variant>& info) {
  const std::string env = info.param.env;
  const std::string variant = env.substr(env.rfind("MATVEC_") + 7);  // WORD_LOADS, BLOCK_LANES
  return variant + "_" + case_name(testing::TestParamInfo<MatCase>(info.param.c, info.index));
}

INSTANTIATE_TEST_SUITE_P(Switched, Int8MatvecVariants, testing::ValuesIn(int8_variant_cases()), variant_name);

// The matrix-unit kernel, both tiles, at shapes that fill no tile: rows and
// batches not multiples of 64 or 128, K not a multiple of the 64-column step
// (float weights: of anything), weights in slices.
class CoopmatMatmul : public GpuTest, public testing::WithParamInterface<MatCase> {};

TEST_P(CoopmatMatmul, CoopmatMatmulMatchesReference) {
  const MatCase& c = GetParam();
  vk::Context& ctx = c.small_buffers ? gpu_with_small_buffers() : gpu();
  if (!ctx.info().coopmat_nv) GTEST_SKIP() << "no cooperative matrices on " << ctx.info().name;
  check_product(ctx, c.type, c.rows, c.cols, c.batch, Kind::CoopmatLarge, 40);
  check_product(ctx, c.type, c.rows, c.cols, c.batch, Kind::CoopmatSmall, 50);
  check_product(ctx, c.type, c.rows, c.cols, c.batch, Kind::CoopmatSplit, 60);
  if (c.cols % 8 == 0) check_product(ctx, c.type, c.rows, c.cols, c.batch, Kind::CoopmatHalf, 70, 8);
}

// Q4_K, Q6_K and Q8_0 tiles dequantized in packed halves (opt-in,
// MRROPE_COOPMAT_DEQUANT=packed), at the same tolerance; other types ignore it.
TEST_P(CoopmatMatmul, PackedHalfDequantizationMatchesReference) {
  const MatCase& c = GetParam();
  vk::Context& ctx = c.small_buffers ? gpu_with_small_buffers() : gpu();
  if (!ctx.info().coopmat_nv) GTEST_SKIP() << "no cooperative matrices on " << ctx.info().name;
  setenv("MRROPE_COOPMAT_DEQUANT", "packed", 1);
  check_product(ctx, c.type, c.rows, c.cols, c.batch, Kind::CoopmatLarge, 80);
  check_product(ctx, c.type, c.rows, c.cols, c.batch, Kind::CoopmatSmall, 90);
  unsetenv("MRROPE_COOPMAT_DEQUANT");
}

// f16 activations loaded straight into the multiplying subgroups' fragments
// (MRROPE_COOPMAT_X=direct; K in whole steps, else the staged path runs), on
// the default tile, on two stages of BK 64 (which fit only this way) and with
// staging subgroups, each also with packed dequantization.
TEST_P(CoopmatMatmul, DirectActivationFragmentsMatchReference) {
  const MatCase& c = GetParam();
  vk::Context& ctx = c.small_buffers ? gpu_with_small_buffers() : gpu();
  if (!ctx.info().coopmat_nv) GTEST_SKIP() << "no cooperative matrices on " << ctx.info().name;
  if (c.cols % 8 != 0) GTEST_SKIP() << "f16 input needs K a multiple of 8";
  setenv("MRROPE_COOPMAT_X", "direct", 1);
  for (const char* dequant : {"float", "packed"}) {
    setenv("MRROPE_COOPMAT_DEQUANT", dequant, 1);
    check_product(ctx, c.type, c.rows, c.cols, c.batch, Kind::CoopmatHalf, 100, 8);
    check_product(ctx, c.type, c.rows, c.cols, c.batch, Kind::CoopmatHalfSplit, 110, 8);
    setenv("MRROPE_COOPMAT_TILE", "128,128,64,32,64,2", 1);
    check_product(ctx, c.type, c.rows, c.cols, c.batch, Kind::CoopmatHalf, 120, 8);
    unsetenv("MRROPE_COOPMAT_TILE");
  }
  unsetenv("MRROPE_COOPMAT_DEQUANT");
  unsetenv("MRROPE_COOPMAT_X");
}

std::vector<MatCase> coopmat_cases() {
  std::vector<MatCase> out;
  for (const ops::WeightTypeRow& row : ops::kWeightTypeTable) {
    if (row.matrix_units == 0) continue;  // no matmul_cm_ variant; 2 (opt-in) is tested too
    const GgmlType t = row.type;
    const uint32_t block = ggml_traits(t).block_elems;
    out.push_back({t, 67, 512, 70, false});
    out.push_back({t, 131, 768, 130, false});
    out.push_back({t, 300, 1024, 257, false});
    out.push_back({t, 300, 256, 50, true});  // activations and outputs fit the 64 KiB buffers
    if (block < 256) out.push_back({t, 67, block == 32 ? 160u : 97u, 130, false});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllTypes, CoopmatMatmul, testing::ValuesIn(coopmat_cases()), case_name);

// ops::matmul takes the matrix units only where the device has 16x16x16 f16
// fragments and room for the large tile; elsewhere (lavapipe) the tiled kernel.
TEST(MatmulDispatch, CoopmatNeedsSixteenCubedFragments) {
  vk::DeviceInfo h100;
  h100.coopmat_nv = true;
  h100.coopmat_m = h100.coopmat_n = h100.coopmat_k = 16;
  h100.subgroup_size = 32;
  h100.max_workgroup_invocations = 1024;
  h100.max_shared_memory = 49152;
  EXPECT_TRUE(ops::matmul_coopmat_supported(h100));
  vk::DeviceInfo no_coopmat = h100;
  no_coopmat.coopmat_nv = false;
  EXPECT_FALSE(ops::matmul_coopmat_supported(no_coopmat));
  vk::DeviceInfo narrow = h100;
  narrow.coopmat_n = 8;
  EXPECT_FALSE(ops::matmul_coopmat_supported(narrow));
  vk::DeviceInfo small_shared = h100;
  small_shared.max_shared_memory = 32768;
  EXPECT_FALSE(ops::matmul_coopmat_supported(small_shared));
}

class MatmulDispatchGpu : public GpuTest {};

TEST_F(MatmulDispatchGpu, PrefillMatchesReferenceOnAnyDevice) {
  if (!gpu().info().coopmat_nv) EXPECT_FALSE(ops::matmul_coopmat_supported(gpu().info()));
  check_product(gpu(), GgmlType::Q4_K, 131, 512, 70, Kind::Auto, 60);
  check_product(gpu(), GgmlType::F16, 67, 97, 130, Kind::Auto, 70);
  // Types whose matrix-unit variants decode through weights.glsl's dequant8 (issue 14).
  for (GgmlType t : {GgmlType::Q5_0, GgmlType::IQ4_NL, GgmlType::IQ4_XS, GgmlType::Q3_K})
    check_product(gpu(), t, 67, 512, 70, Kind::Auto, 61);
}

// convert_to_f16 writes the nearest half (or one of the two nearest: the
// rounding of GLSL's packHalf2x16 is the device's), from aligned (offset and
// stride multiples of 4) and unaligned rows alike.
TEST_F(MatmulDispatchGpu, ConvertToF16MatchesHostHalves) {
  const uint32_t cols = 40, batch = 5;
  for (uint32_t shift : {0u, 4u, 3u}) {
    const uint32_t stride = cols + shift;
    auto x = random_floats(shift + size_t(batch) * stride, 80 + shift);
    x[shift] = 1e-6f;  // an f16 subnormal
    x[shift + 1] = -0.0f;
    x[shift + 2] = 60000.0f;
    vk::Buffer bx = device_buffer(gpu(), x);
    vk::Buffer bxh(gpu(), ops::f16_act_bytes(cols, batch), vk::MemoryUsage::Readback);
    vk::Sequence seq(gpu());
    seq.begin();
    ops::convert_to_f16(seq, ops::Act(bx, shift, stride), bxh, cols, batch);
    seq.end();
    seq.run();
    std::vector<uint16_t> got(size_t(cols) * batch);
    bxh.read(got.data(), got.size() * 2);
    for (uint32_t b = 0; b < batch; ++b)
      for (uint32_t k = 0; k < cols; ++k) {
        const float v = x[shift + size_t(b) * stride + k];
        const float h = half_to_float(got[size_t(b) * cols + k]);
        const float nearest = half_to_float(float_to_half(v));
        // One f16 step at v's magnitude (2^-24 below the normal range).
        const float step = std::max(std::ldexp(1.0f, std::ilogb(std::max(std::fabs(v), 6.1e-5f)) - 10), 5.97e-8f);
        EXPECT_LE(std::fabs(h - nearest), step) << "shift " << shift << " row " << b << " col " << k << ": " << v;
        EXPECT_EQ(std::signbit(h), std::signbit(v)) << v;
      }
  }
}

// The routing follows ops/weight_kernels.def row by row: every type of the
// table has GPU kernels, MATRIX_UNITS 1 takes the matrix units, 2 only with
// MRROPE_COOPMAT_UNVERIFIED=1, INTEGER_DOT the int8 matvec.
TEST(MatmulDispatch, RoutingFollowsTheWeightTable) {
  const char* env = std::getenv("MRROPE_COOPMAT_UNVERIFIED");
  const bool unverified = env && std::string(env) == "1";
  const char* int8_env = std::getenv("MRROPE_INT8_UNVERIFIED");
  const bool int8_unverified = int8_env && std::string(int8_env) == "1";
  for (const ops::WeightTypeRow& row : ops::kWeightTypeTable) {
    EXPECT_TRUE(ops::supports_weight_type(row.type)) << ggml_type_name(row.type);
    EXPECT_EQ(ops::matmul_coopmat_weight_type(row.type), row.matrix_units == 1 || (row.matrix_units == 2 && unverified))
        << ggml_type_name(row.type);
    EXPECT_EQ(ops::matvec_int8_weight_type(row.type), row.integer_dot == 1 || (row.integer_dot == 2 && int8_unverified))
        << ggml_type_name(row.type);
  }
}

// Types without a matrix-unit variant (matmul_cm_*) or an int8 one take the
// generic kernels through ops::matmul, whatever the device offers; every
// block type up to IQ4_XS, Q2_K and Q3_K has both (issue 14). The type lists
// here are deliberate: they pin what each named type has, so that a change of
// a row of ops/weight_kernels.def is seen in review, not followed silently.
TEST(MatmulDispatch, TypesWithoutCoopmatOrInt8VariantsStayGeneric) {
  for (GgmlType t : {GgmlType::IQ2_XXS, GgmlType::IQ2_XS, GgmlType::IQ2_S, GgmlType::IQ3_XXS, GgmlType::IQ3_S,
                     GgmlType::IQ1_S, GgmlType::IQ1_M}) {
    EXPECT_TRUE(ops::supports_weight_type(t)) << ggml_type_name(t);
    EXPECT_FALSE(ops::matmul_coopmat_weight_type(t)) << ggml_type_name(t);
    EXPECT_FALSE(ops::matvec_int8_weight_type(t)) << ggml_type_name(t);
  }
  for (GgmlType t : {GgmlType::F16, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q6_K})
    EXPECT_TRUE(ops::matmul_coopmat_weight_type(t)) << ggml_type_name(t);
  for (GgmlType t : {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
    EXPECT_TRUE(ops::matmul_coopmat_weight_type(t)) << ggml_type_name(t);
    EXPECT_TRUE(ops::matvec_int8_weight_type(t)) << ggml_type_name(t);
  }
  // The ternary types: matrix units, not int8, since their CoopmatMatmul test passed on the H100 (session 31).
  for (GgmlType t : {GgmlType::TQ1_0, GgmlType::TQ2_0}) {
    EXPECT_TRUE(ops::matmul_coopmat_weight_type(t)) << ggml_type_name(t);
    EXPECT_FALSE(ops::matvec_int8_weight_type(t)) << ggml_type_name(t);
  }
  // Issue 14's types: matrix units since their CoopmatMatmul test passed on the H100 (session 27).
  for (GgmlType t : {GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::IQ4_NL, GgmlType::IQ4_XS, GgmlType::Q2_K,
                     GgmlType::Q3_K}) {
    EXPECT_TRUE(ops::matmul_coopmat_weight_type(t)) << ggml_type_name(t);
    EXPECT_TRUE(ops::matvec_int8_weight_type(t)) << ggml_type_name(t);
  }
  EXPECT_FALSE(ops::supports_weight_type(GgmlType::Q8_K));
}

// Ternary blocks of arbitrary bytes (quantize_rows writes neither TQ1_0 bytes
// past 242 nor TQ2_0's level 3, which files may hold) through every generic kernel.
TEST_F(MatmulDispatchGpu, TernaryBlocksOfAnyBytes) {
  for (GgmlType t : {GgmlType::TQ1_0, GgmlType::TQ2_0}) {
    const uint32_t rows = 67, cols = 768;
    const std::vector<uint8_t> w = blocks_of_any_bytes(t, rows, cols, 64, 0.01f, 0.001f, 7);
    for (Kind k : {Kind::Matvec, Kind::Subgroup, Kind::Fast, Kind::Tiled, Kind::Rows}) {
      if (k == Kind::Subgroup && !gpu().info().subgroup_arithmetic) continue;
      if (k == Kind::Fast && !ops::matvec_fast_supported(gpu().info())) continue;
      check_product(gpu(), t, rows, cols, k == Kind::Tiled || k == Kind::Rows ? 20 : 5, k, 63, 1, w);
    }
  }
}

// A sample of the generic-only types (one ternary, three grid types): the
// kernels are the same for all, and AllTypes/MatmulKernels runs each type.
TEST_F(MatmulDispatchGpu, GenericOnlyTypesThroughOpsMatmul) {
  for (GgmlType t : {GgmlType::TQ1_0, GgmlType::IQ2_S, GgmlType::IQ3_XXS, GgmlType::IQ1_M}) {
    check_product(gpu(), t, 67, 512, 70, Kind::Auto, 61);  // prefill: the tiled kernel
    check_product(gpu(), t, 67, 512, 3, Kind::Auto, 62);   // decode: a matrix-vector kernel
  }
}

// The kernels' refusals name what they need.
TEST_F(MatmulDispatchGpu, RefusalsNameTheirLimits) {
  auto message_of = [](auto record) {
    vk::Sequence seq(gpu());
    seq.begin();
    try {
      record(seq);
    } catch (const vk::VulkanError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  vk::DeviceTensor tw(gpu(), GgmlType::F16, 64, 4, "w");
  vk::Buffer bx = zero_buffer(gpu(), 64 * 9), by = zero_buffer(gpu(), 4 * 9);
  if (ops::matvec_fast_supported(gpu().info()))
    EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::matvec_fast_kernel(s, tw, bx, ops::Act(by), 9); }),
              "matvec_fast: batch must be 1..8");
  if (!ops::matmul_coopmat_supported(gpu().info()))
    EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::matmul_coopmat_kernel(s, tw, bx, by, 9); }),
              "this device has no usable cooperative matrices");
  EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::convert_to_f16(s, bx, by, 12, 1); }),
            "convert_to_f16: rows must be a multiple of 8 elements");
  EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::convert_to_f16(s, bx, by, 64, 9); }),
            "convert_to_f16: the f16 buffer is too small");
  // f16 input: K a multiple of 8 and room for batch rows, checked before any device support.
  vk::DeviceTensor tw12(gpu(), GgmlType::F16, 12, 4, "w12");
  EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::matmul_coopmat_f16_input(s, tw12, by, ops::Act(by), 9); }),
            "matmul_coopmat: f16 input needs K a multiple of 8");
  EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::matmul_coopmat_f16_input(s, tw, by, ops::Act(by), 9); }),
            "matmul_coopmat: the f16 input is too small");
  EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::copy_words(s, bx, by, 17); }),
            "copy_words: bytes must be a multiple of 16");
  // The integer-dot path: its activations' layout and the types it has kernels for.
  vk::Buffer tiny(gpu(), 16, vk::MemoryUsage::Device);
  EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::quantize_act(s, bx, by, 48, 1); }),
            "quantize_act: 48 is not a multiple of 32");
  EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::quantize_act(s, bx, tiny, 64, 1); }),
            "quantize_act: the output buffer is too small");
  EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::add_rms_norm(s, bx, bx, bx, by, 1, 48, 1e-5f, &by); }),
            "add_rms_norm: int8 output needs rows of a multiple of 32 and room for them");
  // SwiGLU's up input must cover what gate's offset and stride reach.
  vk::Buffer xq64(gpu(), ops::quantized_act_bytes(64, 2), vk::MemoryUsage::Device);
  EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::swiglu_quantize(s, ops::Act(bx, 0, 64), tiny, xq64, 64, 2); }),
            "swiglu_quantize: up is smaller than gate");
  if (ops::matvec_int8_supported(gpu().info())) {
    vk::DeviceTensor tq(gpu(), GgmlType::Q8_0, 64, 4, "wq");
    vk::Buffer xq(gpu(), ops::quantized_act_bytes(64, 1), vk::MemoryUsage::Device);
    EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::matvec_int8_kernel(s, tq, xq, ops::Act(by), 9); }),
              "matvec_int8: batch must be 1..8");
    EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::matvec_int8_kernel(s, tw, xq, ops::Act(by), 1); }),
              "matvec_int8: no kernel for F16");
    EXPECT_EQ(message_of([&](vk::Sequence& s) { ops::matvec_int8_kernel(s, tq, xq, ops::Act(by), 2); }),
              "matvec_int8: the activations are too small");
  }
}

class MatmulLargeWeight : public GpuTest {};

// 4100 x 8192 float32 = 134 MB, above lavapipe's 128 MiB per buffer: the tensor
// is split into two slices and both kernels must cover both.
TEST_F(MatmulLargeWeight, WeightAbove128MiBWorks) {
  const uint32_t rows = 4100, cols = 8192;
  ASSERT_GT(uint64_t(rows) * cols * 4, 128ull << 20);
  const auto w = random_floats(size_t(rows) * cols, 5);
  const auto x = random_floats(size_t(8) * cols, 6);
  vk::DeviceTensor tw(gpu(), GgmlType::F32, cols, rows, "big");
  if (gpu().max_buffer_bytes() < tw.bytes()) EXPECT_GE(tw.slices().size(), 2u);
  tw.upload({reinterpret_cast<const uint8_t*>(w.data()), w.size() * 4});
  vk::Buffer bx = device_buffer(gpu(), x);
  vk::Buffer y1 = zero_buffer(gpu(), rows), y8 = zero_buffer(gpu(), size_t(8) * rows);
  vk::Sequence seq(gpu());
  seq.begin();
  ops::matmul(seq, tw, bx, y1, 1);
  ops::matmul(seq, tw, bx, y8, 8);
  seq.end();
  seq.run();
  std::vector<float> want(size_t(8) * rows);
  ref::matmul(w, x, want, rows, cols, 8);
  const auto got1 = read_back(y1, rows), got8 = read_back(y8, size_t(8) * rows);
  // Sums of 8192 products of values in [-1, 1]: magnitude ~50; float32 error well under 1e-3.
  for (uint32_t r = 0; r < rows; ++r) ASSERT_NEAR(got1[r], want[r], 2e-3) << "matvec row " << r;
  for (size_t i = 0; i < got8.size(); ++i) ASSERT_NEAR(got8[i], want[i], 2e-3) << "matmul element " << i;
}

}  // namespace
}  // namespace mrrope::test
