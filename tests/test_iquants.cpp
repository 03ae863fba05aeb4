// CPU tests of the non-linear 4-bit types IQ4_NL and IQ4_XS (runtime/quant/iquants.*).
//
// 1. Hand-built blocks dequantize to values computed here from the
//    ggml-common.h layout and the format's 16-level table (written out below,
//    not taken from the code under test); powers-of-two scales keep every
//    expected value exact, compared with ==.
// 2. quantize -> dequantize round trips. The levels' widest gap is 24 (89 to
//    113) and the top level 113 against -127 at the bottom, so round to
//    nearest with the extreme at -127 is within 14 steps of the block scale
//    s = amax/127:
//      IQ4_NL: |x - y| <= 14 s + amax/2000
//      IQ4_XS: the sub-block scale is d * l with l a 6-bit level of
//              d = amax/(127*32), off by at most d, which adds 141 d:
//              |x - y| <= 14 s_j + 141 d + amax/2000  (s_j = max_j|x| / 127)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "quant/quantize.h"
#include "support/quant_samples.h"

namespace mrrope::test {
namespace {

constexpr int kLevels[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

void put_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v & 0xff);
  p[1] = static_cast<uint8_t>(v >> 8);
}

// Index of element j (0..31) of 32 goes to qs[j % 16], high nibble for j >= 16.
void put_index(uint8_t* qs, int j, int idx) { qs[j % 16] |= static_cast<uint8_t>(idx << (j >= 16 ? 4 : 0)); }

TEST(IQuants, Iq4NlHandBuiltBlocksDequantize) {
  const uint16_t d_bits[2] = {0x3800, 0xb000};  // 0.5 and -0.125
  const float d[2] = {0.5f, -0.125f};
  std::vector<uint8_t> row(36, 0);
  int idx[2][32];
  for (int b = 0; b < 2; ++b) {
    put_u16(row.data() + 18 * b, d_bits[b]);
    for (int j = 0; j < 32; ++j) put_index(row.data() + 18 * b + 2, j, idx[b][j] = (j * 5 + b * 3) % 16);
  }
  std::vector<float> got(64);
  dequantize_row(GgmlType::IQ4_NL, row.data(), got.data(), 64);
  for (int b = 0; b < 2; ++b)
    for (int j = 0; j < 32; ++j) ASSERT_EQ(got[32 * b + j], d[b] * float(kLevels[idx[b][j]])) << b << ":" << j;
  EXPECT_EQ(got[0], -63.5f);  // index 0 -> -127 * 0.5
  EXPECT_EQ(got[3], 56.5f);   // index 15 -> 113 * 0.5
}

// IQ4_XS: d at 0, scales_h (u16) at 2, scales_l[4] at 4, qs[128] at 8.
TEST(IQuants, Iq4XsHandBuiltBlocksDequantize) {
  const uint16_t d_bits[2] = {0x3000, 0x2c00};  // 0.125 and 0.0625
  const float d[2] = {0.125f, 0.0625f};
  const int ls[2][8] = {{0, 63, 32, 31, 33, 16, 48, 5}, {40, 1, 62, 7, 32, 50, 19, 63}};
  std::vector<uint8_t> row(2 * 136, 0);
  int idx[2][256];
  for (int b = 0; b < 2; ++b) {
    uint8_t* p = row.data() + 136 * b;
    put_u16(p, d_bits[b]);
    uint16_t scales_h = 0;
    for (int ib = 0; ib < 8; ++ib) {
      p[4 + ib / 2] |= static_cast<uint8_t>((ls[b][ib] & 15) << (4 * (ib % 2)));
      scales_h |= static_cast<uint16_t>((ls[b][ib] >> 4) << (2 * ib));
      for (int j = 0; j < 32; ++j) put_index(p + 8 + 16 * ib, j, idx[b][32 * ib + j] = (j * 7 + ib + b) % 16);
    }
    put_u16(p + 2, scales_h);
  }
  std::vector<float> got(512);
  dequantize_row(GgmlType::IQ4_XS, row.data(), got.data(), 512);
  for (int b = 0; b < 2; ++b)
    for (int e = 0; e < 256; ++e) {
      const float dl = d[b] * float(ls[b][e / 32] - 32);
      ASSERT_EQ(got[256 * b + e], dl * float(kLevels[idx[b][e]])) << b << ":" << e;
    }
  EXPECT_EQ(got[0], 0.125f * -32 * -127);  // sub-block 0: ls = 0; index 0
  EXPECT_EQ(got[64], 0.0f);                // sub-block 2: ls = 32 -> scale 0
}

double roundtrip_ratio(GgmlType type, const std::vector<float>& x, int64_t rows, int64_t cols) {
  const auto q = quantize_rows(type, x, rows, cols);
  EXPECT_EQ(q.size(), size_t(rows) * ggml_row_bytes(type, cols));
  const auto y = dequantize_rows(type, q, rows, cols);
  const size_t block = ggml_traits(type).block_elems;
  double worst = 0;
  for (size_t b = 0; b < x.size(); b += block) {
    float amax = 0;
    for (size_t i = b; i < b + block; ++i) amax = std::max(amax, std::fabs(x[i]));
    for (size_t g = b; g < b + block; g += 32) {
      float gmax = 0;
      for (size_t i = g; i < g + 32; ++i) gmax = std::max(gmax, std::fabs(x[i]));
      const double bound = type == GgmlType::IQ4_NL ? 14.0 * amax / 127 + amax / 2000.0 + 1e-30
                                                    : 14.0 * gmax / 127 + 141.0 * amax / (127 * 32) + amax / 2000.0 + 1e-30;
      for (size_t i = g; i < g + 32; ++i) {
        EXPECT_TRUE(std::isfinite(y[i]));
        worst = std::max(worst, std::fabs(double(x[i]) - y[i]) / bound);
      }
    }
  }
  return worst;
}

class IQuantRoundTrip : public testing::TestWithParam<GgmlType> {};

TEST_P(IQuantRoundTrip, ErrorWithinBound) {
  const GgmlType t = GetParam();
  std::mt19937 rng(7);
  const int64_t rows = 4, cols = 512;
  for (auto [lo, hi] : {std::pair{-1.0f, 1.0f}, std::pair{0.5f, 2.0f}, std::pair{-3.0f, -1.0f}}) {
    EXPECT_LE(roundtrip_ratio(t, uniform_values(rng, rows * cols, lo, hi), rows, cols), 1.0) << lo << ".." << hi;
  }
  // Magnitudes varying by 32-element sub-block (1e-3 .. 10) and a zero block.
  const std::vector<float> x = mixed_magnitudes(rng, rows * cols, 32);
  EXPECT_LE(roundtrip_ratio(t, x, rows, cols), 1.0) << "mixed magnitudes";
  const auto y = dequantize_rows(t, quantize_rows(t, x, rows, cols), rows, cols);
  for (int i = 0; i < 256; ++i) ASSERT_EQ(y[i], 0.0f) << "zero block, element " << i;
}

// Gaussian weights, as in trained models: the mean error is well below the bound.
TEST_P(IQuantRoundTrip, GaussianRmsErrorIsSmall) {
  const GgmlType t = GetParam();
  EXPECT_LT(gaussian_relative_rms(t, 8), 0.1);  // 0.079 for both; Q4_0 gives 0.085 on these values
}

// The non-linear 4-bit family of this file: a deliberate subset (every type
// of ops/weight_kernels.def: WeightSupport, MatmulKernels).
INSTANTIATE_TEST_SUITE_P(Types, IQuantRoundTrip, testing::Values(GgmlType::IQ4_NL, GgmlType::IQ4_XS),
                         [](const testing::TestParamInfo<GgmlType>& info) {
                           return std::string(ggml_type_name(info.param));
                         });

TEST(IQuants, SupportedAndSized) {
  for (GgmlType t : {GgmlType::IQ4_NL, GgmlType::IQ4_XS}) {
    EXPECT_TRUE(can_quantize(t));
    EXPECT_TRUE(can_dequantize(t));
  }
  EXPECT_THROW(quantize_rows(GgmlType::IQ4_XS, std::vector<float>(128), 1, 128), std::invalid_argument);
  EXPECT_EQ(ggml_row_bytes(GgmlType::IQ4_NL, 64), 36u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::IQ4_XS, 512), 272u);
}

}  // namespace
}  // namespace mrrope::test
