// CPU tests of the 2- and 3-bit K-quants Q2_K and Q3_K (runtime/quant/kquants_low.*).
//
// 1. Hand-built super-blocks dequantize to values computed here from the
//    ggml-common.h layout (element e = 128h + 32j + 16p + l: two low bits at
//    bit 2j of qs[32h + 16p + l], Q3_K's high bit at bit 4h + j of
//    hmask[16p + l], sub-block e / 16), not with the code under test.
//    Power-of-two d keeps every expected value exact, compared with ==.
// 2. quantize -> dequantize round trips, per 16-element sub-block
//    (amax = largest |x| of the 256-element super-block):
//      Q2_K: |x - y| <= (max - min(0, min)) / 3 / 2 + amax / 30
//            (the scale and min levels are 1/15 of the super-block's largest)
//      Q3_K: |x - y| <= max|x| / 4 + amax / 32 + amax / 2000
//            (one level: the sign opposite the extreme stops at +3; the
//            scale is a 6-bit level of d = amax / 128)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "quant/quantize.h"
#include "support/quant_samples.h"

namespace mrrope::test {
namespace {

void put_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v & 0xff);
  p[1] = static_cast<uint8_t>(v >> 8);
}
int low_byte(int e) { return 32 * (e / 128) + 16 * ((e / 16) % 2) + e % 16; }
int low_shift(int e) { return 2 * ((e / 32) % 4); }

TEST(KQuantsLow, Q2KHandBuiltBlockDequantizes) {
  std::vector<uint8_t> row(2 * 84, 0);
  int sc[2][16], mn[2][16], q[2][256];
  const float d[2] = {0.5f, 0.125f}, dmin[2] = {0.25f, 2.0f};
  const uint16_t d_bits[2] = {0x3800, 0x3000}, dmin_bits[2] = {0x3400, 0x4000};
  for (int b = 0; b < 2; ++b) {
    uint8_t* p = row.data() + 84 * b;
    for (int s = 0; s < 16; ++s) {
      sc[b][s] = (s * 5 + b) % 16, mn[b][s] = (s * 3 + 7 * b) % 16;
      p[s] = static_cast<uint8_t>(sc[b][s] | (mn[b][s] << 4));
    }
    for (int e = 0; e < 256; ++e) {
      q[b][e] = (e * 7 + b + e / 64) % 4;
      p[16 + low_byte(e)] |= static_cast<uint8_t>(q[b][e] << low_shift(e));
    }
    put_u16(p + 80, d_bits[b]);
    put_u16(p + 82, dmin_bits[b]);
  }
  std::vector<float> got(512);
  dequantize_row(GgmlType::Q2_K, row.data(), got.data(), 512);
  for (int b = 0; b < 2; ++b)
    for (int e = 0; e < 256; ++e) {
      const float want = d[b] * float(sc[b][e / 16]) * float(q[b][e]) - dmin[b] * float(mn[b][e / 16]);
      ASSERT_EQ(got[256 * b + e], want) << b << ":" << e;
    }
  // Element 41 (sub-block 2: scale 10, min 6): q = 287 % 4 = 3 -> 0.5 * 10 * 3 - 0.25 * 6.
  EXPECT_EQ(got[41], 13.5f);
}

// Q3_K's 16 six-bit scales: low nibbles in scales[0..7] (s >= 8 in the high
// nibble of scales[s - 8]), high two bits at bit 2(s/4) of scales[8 + s % 4].
void pack_q3k_scales(const int ls[16], uint8_t* out) {
  for (int s = 0; s < 16; ++s) {
    out[s % 8] |= static_cast<uint8_t>((ls[s] & 15) << (s < 8 ? 0 : 4));
    out[8 + s % 4] |= static_cast<uint8_t>((ls[s] >> 4) << (2 * (s / 4)));
  }
}

TEST(KQuantsLow, Q3KHandBuiltBlockDequantizes) {
  std::vector<uint8_t> row(2 * 110, 0);
  int ls[2][16], q[2][256];  // q in -4..3
  const float d[2] = {0.25f, 0.0625f};
  const uint16_t d_bits[2] = {0x3400, 0x2c00};
  for (int b = 0; b < 2; ++b) {
    uint8_t* p = row.data() + 110 * b;
    for (int s = 0; s < 16; ++s) ls[b][s] = (s * 13 + 29 * b) % 64;
    pack_q3k_scales(ls[b], p + 96);
    for (int e = 0; e < 256; ++e) {
      q[b][e] = (e * 5 + b + e / 48) % 8 - 4;
      const int low = q[b][e] >= 0 ? q[b][e] : q[b][e] + 4;  // high bit set: low = q; clear: low = q + 4
      p[32 + low_byte(e)] |= static_cast<uint8_t>(low << low_shift(e));
      if (q[b][e] >= 0) p[16 * ((e / 16) % 2) + e % 16] |= static_cast<uint8_t>(1 << (4 * (e / 128) + (e / 32) % 4));
    }
    put_u16(p + 108, d_bits[b]);
  }
  std::vector<float> got(512);
  dequantize_row(GgmlType::Q3_K, row.data(), got.data(), 512);
  for (int b = 0; b < 2; ++b)
    for (int e = 0; e < 256; ++e)
      ASSERT_EQ(got[256 * b + e], d[b] * float(ls[b][e / 16] - 32) * float(q[b][e])) << b << ":" << e;
  // Element 0: ls = 0, q = -4 -> 0.25 * -32 * -4.
  EXPECT_EQ(got[0], 32.0f);
}

double roundtrip_ratio(GgmlType type, const std::vector<float>& x, int64_t rows, int64_t cols) {
  const auto q = quantize_rows(type, x, rows, cols);
  EXPECT_EQ(q.size(), size_t(rows) * ggml_row_bytes(type, cols));
  const auto y = dequantize_rows(type, q, rows, cols);
  double worst = 0;
  for (size_t sb = 0; sb < x.size(); sb += 256) {
    float amax = 0;
    for (size_t i = sb; i < sb + 256; ++i) amax = std::max(amax, std::fabs(x[i]));
    for (size_t g = sb; g < sb + 256; g += 16) {
      float lo = 0, hi = x[g], gmax = 0;
      for (size_t i = g; i < g + 16; ++i) lo = std::min(lo, x[i]), hi = std::max(hi, x[i]), gmax = std::max(gmax, std::fabs(x[i]));
      const double bound = type == GgmlType::Q2_K ? (double(hi) - lo) / 6 + amax / 30.0 + 1e-30
                                                  : gmax / 4.0 + amax / 32.0 + amax / 2000.0 + 1e-30;
      for (size_t i = g; i < g + 16; ++i) {
        EXPECT_TRUE(std::isfinite(y[i]));
        worst = std::max(worst, std::fabs(double(x[i]) - y[i]) / bound);
      }
    }
  }
  return worst;
}

class KQuantLowRoundTrip : public testing::TestWithParam<GgmlType> {};

TEST_P(KQuantLowRoundTrip, ErrorWithinBound) {
  const GgmlType t = GetParam();
  std::mt19937 rng(11);
  const int64_t rows = 4, cols = 512;
  for (auto [lo, hi] : {std::pair{-1.0f, 1.0f}, std::pair{0.5f, 2.0f}, std::pair{-3.0f, -1.0f}}) {
    EXPECT_LE(roundtrip_ratio(t, uniform_values(rng, rows * cols, lo, hi), rows, cols), 1.0) << lo << ".." << hi;
  }
  const std::vector<float> x = mixed_magnitudes(rng, rows * cols, 16);
  EXPECT_LE(roundtrip_ratio(t, x, rows, cols), 1.0) << "mixed magnitudes";
  const auto y = dequantize_rows(t, quantize_rows(t, x, rows, cols), rows, cols);
  for (int i = 0; i < 256; ++i) ASSERT_EQ(y[i], 0.0f) << "zero block, element " << i;
}

// Gaussian weights: relative RMS error of 2 and 3 bits per weight (0.357 and
// 0.154 with these values; ggml's scale search does better, round to nearest is
// what the tests need).
TEST_P(KQuantLowRoundTrip, GaussianRmsError) {
  const GgmlType t = GetParam();
  EXPECT_LT(gaussian_relative_rms(t, 12), t == GgmlType::Q2_K ? 0.40 : 0.25);
}

// The low-bit K-quants of this file: a deliberate subset (every type of
// ops/weight_kernels.def: WeightSupport, MatmulKernels).
INSTANTIATE_TEST_SUITE_P(Types, KQuantLowRoundTrip, testing::Values(GgmlType::Q2_K, GgmlType::Q3_K),
                         [](const testing::TestParamInfo<GgmlType>& info) {
                           return std::string(ggml_type_name(info.param));
                         });

TEST(KQuantsLow, SupportedAndSized) {
  for (GgmlType t : {GgmlType::Q2_K, GgmlType::Q3_K}) {
    EXPECT_TRUE(can_quantize(t));
    EXPECT_TRUE(can_dequantize(t));
    EXPECT_THROW(quantize_rows(t, std::vector<float>(128), 1, 128), std::invalid_argument);
  }
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q2_K, 512), 168u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q3_K, 512), 220u);
}

}  // namespace
}  // namespace mrrope::test
