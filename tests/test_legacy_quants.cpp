// CPU tests of the 32-element block types Q4_1, Q5_0 and Q5_1
// (runtime/quant/legacy_quants.*).
//
// 1. Hand-built blocks dequantize to values computed here from the
//    ggml-common.h layout (low nibble of qs[j % 16], high nibble for j >= 16,
//    fifth bit = bit j of qh), not with the code under test. Scales are powers
//    of two, so every expected value is exact and compared with ==.
// 2. quantize -> dequantize round trips, per block of 32 (step = (max-min)/nmax
//    for Q4_1/Q5_1, amax/16 for Q5_0; amax = largest |x| of the block):
//      Q4_1/Q5_1: |x - y| <= step/2 + amax/2000   (min rounded down and d up
//                 to halves, so the levels cover the block)
//      Q5_0:      |x - y| <= step/2 + amax/2000 where |x| <= 15 step,
//                 step + amax/2000 above (level 31 is the top: +16 clamps)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "quant/quantize.h"

namespace mrrope::test {
namespace {

struct Layout {
  GgmlType type;
  int bytes, qh, qs;  // block size and the offsets of qh (-1: none) and qs
  bool has_min;
};
constexpr Layout kQ4_1{GgmlType::Q4_1, 20, -1, 4, true};
constexpr Layout kQ5_0{GgmlType::Q5_0, 22, 2, 6, false};
constexpr Layout kQ5_1{GgmlType::Q5_1, 24, 4, 8, true};

// Writes level q (0..31) of element j of the block at p.
void put_level(const Layout& l, uint8_t* p, int j, int q) {
  p[l.qs + j % 16] |= static_cast<uint8_t>((q & 15) << (j >= 16 ? 4 : 0));
  if (q & 16) p[l.qh + j / 8] |= static_cast<uint8_t>(1 << (j % 8));
}

void put_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v & 0xff);
  p[1] = static_cast<uint8_t>(v >> 8);
}

// Three blocks with d = 0.5, 0.25, 0.125 and m = -2, 0.0625, 4 (halves 0x3800,
// 0x3400, 0x3000 and 0xc000, 0x2c00, 0x4400); levels cycle through every value.
void check_hand_built(const Layout& l) {
  const uint16_t d_bits[3] = {0x3800, 0x3400, 0x3000}, m_bits[3] = {0xc000, 0x2c00, 0x4400};
  const float d[3] = {0.5f, 0.25f, 0.125f}, m[3] = {-2.0f, 0.0625f, 4.0f};
  const int nmax = l.qh >= 0 ? 31 : 15;
  std::vector<uint8_t> row(3 * l.bytes, 0);
  int q[3][32];
  for (int b = 0; b < 3; ++b) {
    uint8_t* p = row.data() + b * l.bytes;
    put_u16(p, d_bits[b]);
    if (l.has_min) put_u16(p + 2, m_bits[b]);
    for (int j = 0; j < 32; ++j) put_level(l, p, j, q[b][j] = (j * 7 + 5 * b + 3) % (nmax + 1));
  }
  std::vector<float> got(96);
  dequantize_row(l.type, row.data(), got.data(), 96);
  for (int b = 0; b < 3; ++b)
    for (int j = 0; j < 32; ++j) {
      const float want = l.has_min ? float(q[b][j]) * d[b] + m[b] : float(q[b][j] - 16) * d[b];
      ASSERT_EQ(got[32 * b + j], want) << ggml_type_name(l.type) << " block " << b << " element " << j;
    }
}

TEST(LegacyQuants, Q4_1HandBuiltBlocksDequantize) {
  check_hand_built(kQ4_1);
  // Block 0, element 1: q = 10 -> 10 * 0.5 - 2.
  std::vector<uint8_t> row(20, 0);
  put_u16(row.data(), 0x3800);
  put_u16(row.data() + 2, 0xc000);
  row[4 + 1] = 0x0a;
  row[4 + 2] = 0xf0;  // element 18: q = 15
  float y[32];
  dequantize_row(GgmlType::Q4_1, row.data(), y, 32);
  EXPECT_EQ(y[1], 3.0f);
  EXPECT_EQ(y[18], 5.5f);
  EXPECT_EQ(y[0], -2.0f);
}

TEST(LegacyQuants, Q5_0HandBuiltBlocksDequantize) {
  check_hand_built(kQ5_0);
  // Element 31 takes its fifth bit from bit 31 of qh (byte 5, bit 7).
  std::vector<uint8_t> row(22, 0);
  put_u16(row.data(), 0x3400);
  row[5] = 0x80;
  row[6 + 15] = 0x30;  // element 31: low nibble 3, high bit set -> q = 19
  float y[32];
  dequantize_row(GgmlType::Q5_0, row.data(), y, 32);
  EXPECT_EQ(y[31], 0.75f);
  EXPECT_EQ(y[0], -4.0f);  // q = 0 -> -16 * 0.25
}

TEST(LegacyQuants, Q5_1HandBuiltBlocksDequantize) { check_hand_built(kQ5_1); }

double roundtrip_ratio(GgmlType type, const std::vector<float>& x, int64_t rows, int64_t cols) {
  const auto q = quantize_rows(type, x, rows, cols);
  EXPECT_EQ(q.size(), size_t(rows) * ggml_row_bytes(type, cols));
  const auto y = dequantize_rows(type, q, rows, cols);
  double worst = 0;
  for (size_t b = 0; b < x.size(); b += 32) {
    float lo = x[b], hi = x[b], amax = 0;
    for (size_t i = b; i < b + 32; ++i) lo = std::min(lo, x[i]), hi = std::max(hi, x[i]), amax = std::max(amax, std::fabs(x[i]));
    const double slack = amax / 2000.0 + 1e-30;
    for (size_t i = b; i < b + 32; ++i) {
      EXPECT_TRUE(std::isfinite(y[i]));
      double bound;
      if (type == GgmlType::Q5_0) {
        const double step = amax / 16.0;
        bound = (std::fabs(x[i]) <= 15 * step ? step / 2 : step) + slack;
      } else {
        bound = (double(hi) - lo) / (type == GgmlType::Q4_1 ? 15 : 31) / 2 + slack;
      }
      worst = std::max(worst, std::fabs(double(x[i]) - y[i]) / bound);
    }
  }
  return worst;
}

class LegacyRoundTrip : public testing::TestWithParam<GgmlType> {};

TEST_P(LegacyRoundTrip, ErrorWithinHalfStep) {
  const GgmlType t = GetParam();
  std::mt19937 rng(99);
  const int64_t rows = 5, cols = 320;
  for (auto [lo, hi] : {std::pair{-1.0f, 1.0f}, std::pair{0.5f, 2.0f}, std::pair{-3.0f, -1.0f},
                        std::pair{100.0f, 101.0f}, std::pair{-1e-3f, 1e-3f}}) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> x(rows * cols);
    for (float& v : x) v = u(rng);
    EXPECT_LE(roundtrip_ratio(t, x, rows, cols), 1.0) << lo << ".." << hi;
  }
  // Zeros and a constant block come back exactly.
  std::vector<float> x(cols, 0.0f);
  std::fill(x.begin() + 32, x.begin() + 64, 0.75f);
  const auto y = dequantize_rows(t, quantize_rows(t, x, 1, cols), 1, cols);
  for (int i = 0; i < 64; ++i) ASSERT_EQ(y[i], x[i]) << "element " << i;
}

// The legacy quantizers of this file: a deliberate subset (every type of
// ops/weight_kernels.def: WeightSupport, MatmulKernels).
INSTANTIATE_TEST_SUITE_P(Types, LegacyRoundTrip, testing::Values(GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1),
                         [](const testing::TestParamInfo<GgmlType>& info) {
                           return std::string(ggml_type_name(info.param));
                         });

TEST(LegacyQuants, SupportedAndSized) {
  for (GgmlType t : {GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1}) {
    EXPECT_TRUE(can_quantize(t));
    EXPECT_TRUE(can_dequantize(t));
    EXPECT_EQ(ggml_traits(t).block_elems, 32u);
    EXPECT_THROW(quantize_rows(t, std::vector<float>(48), 1, 48), std::invalid_argument);
  }
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q4_1, 64), 40u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q5_0, 64), 44u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q5_1, 64), 48u);
}

}  // namespace
}  // namespace mrrope::test
