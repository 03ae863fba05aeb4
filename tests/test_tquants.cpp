// CPU tests of the ternary types TQ1_0 and TQ2_0 (runtime/quant/tquants.*).
//
// 1. The base-3 packing: every 5-trit number Q stored as ceil(256 Q / 243)
//    reads back digit by digit through the "multiply by 3^t, keep the high
//    bits" rule.
// 2. Hand-built blocks dequantize to (q - 1) * d with q placed by the
//    ggml-common.h layout as written out here (TQ2_0: element 128h + 32j + m at
//    bits 2j of qs[32h + m]; TQ1_0: the qs / qh trit order), and arbitrary bytes
//    (TQ1_0 bytes past 242, TQ2_0's unused level 3) decode in the element order
//    of ggml's dequantize_row_tq1_0 / _tq2_0 loops, restated here as nested
//    loops. Power-of-two d keeps every expected value exact, compared with ==.
// 3. quantize -> dequantize: d is the block's max |x| rounded to a half
//    (relative error 2^-11), each element the nearest of -d, 0, d, so
//    |x - y| <= d / 2 + amax * 2^-11 <= amax * (1/2 + 2^-10); ternary inputs
//    come back exactly, and both types give the same values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "quant/half.h"
#include "quant/quantize.h"
#include "support/quant_samples.h"

namespace mrrope::test {
namespace {

void put_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v & 0xff);
  p[1] = static_cast<uint8_t>(v >> 8);
}

// Digit t (0 = most significant of five) of a packed byte.
int read_trit(int byte, int t) {
  int mul = 1;
  for (int i = 0; i < t; ++i) mul *= 3;
  return ((byte * mul) & 255) * 3 / 256;
}
// The byte holding five digits (most significant first).
int pack_trits(const int digits[5]) {
  int q = 0;
  for (int i = 0; i < 5; ++i) q = 3 * q + digits[i];
  return (q * 256 + 242) / 243;
}

TEST(TQuants, BaseThreePackingReadsBackEveryDigit) {
  for (int q = 0; q < 243; ++q) {
    int digits[5];
    for (int i = 4, r = q; i >= 0; --i, r /= 3) digits[i] = r % 3;
    const int byte = pack_trits(digits);
    ASSERT_LE(byte, 255);
    for (int t = 0; t < 5; ++t) ASSERT_EQ(read_trit(byte, t), digits[t]) << "Q " << q << " digit " << t;
  }
}

TEST(TQuants, Tq2HandBuiltBlocksDequantize) {
  const uint16_t d_bits[2] = {0x3800, 0xb400};  // 0.5 and -0.25
  const float d[2] = {0.5f, -0.25f};
  std::vector<uint8_t> row(2 * 66, 0);
  int q[2][256];
  for (int b = 0; b < 2; ++b) {
    uint8_t* p = row.data() + 66 * b;
    for (int e = 0; e < 256; ++e) {
      q[b][e] = (e * 7 + e / 32 + b) % 4;  // 3 too: ggml decodes it as 2d
      const int h = e / 128, j = (e / 32) % 4, m = e % 32;
      p[32 * h + m] |= static_cast<uint8_t>(q[b][e] << (2 * j));
    }
    put_u16(p + 64, d_bits[b]);
  }
  std::vector<float> got(512);
  dequantize_row(GgmlType::TQ2_0, row.data(), got.data(), 512);
  for (int b = 0; b < 2; ++b)
    for (int e = 0; e < 256; ++e) ASSERT_EQ(got[256 * b + e], float(q[b][e] - 1) * d[b]) << b << ":" << e;
  EXPECT_EQ(got[1], 1.0f);    // q = 7 % 4 = 3 -> 2 * 0.5
  EXPECT_EQ(got[256], 0.0f);  // q = 1
}

TEST(TQuants, Tq1HandBuiltBlocksDequantize) {
  const uint16_t d_bits[2] = {0x3c00, 0x3000};  // 1 and 0.125
  const float d[2] = {1.0f, 0.125f};
  std::vector<uint8_t> row(2 * 54, 0);
  int q[2][256];
  for (int b = 0; b < 2; ++b) {
    uint8_t* p = row.data() + 54 * b;
    int digits[52][5] = {};
    for (int e = 0; e < 256; ++e) {
      q[b][e] = (e * 5 + e / 16 + 2 * b) % 3;
      if (e < 160) digits[e % 32][e / 32] = q[b][e];
      else if (e < 240) digits[32 + (e - 160) % 16][(e - 160) / 16] = q[b][e];
      else digits[48 + (e - 240) % 4][(e - 240) / 4] = q[b][e];  // the fifth digit stays 0
    }
    for (int i = 0; i < 52; ++i) p[i] = static_cast<uint8_t>(pack_trits(digits[i]));
    put_u16(p + 52, d_bits[b]);
  }
  std::vector<float> got(512);
  dequantize_row(GgmlType::TQ1_0, row.data(), got.data(), 512);
  for (int b = 0; b < 2; ++b)
    for (int e = 0; e < 256; ++e) ASSERT_EQ(got[256 * b + e], float(q[b][e] - 1) * d[b]) << b << ":" << e;
  EXPECT_EQ(got[0], -1.0f);  // q = 0
  EXPECT_EQ(got[511], 0.125f);  // block 1, element 255 (trit 3 of qh[3]): q = 1292 % 3 = 2
}

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(n);
  for (uint8_t& v : out) v = static_cast<uint8_t>(rng() & 255);
  return out;
}

// ggml's loops write elements in order: y advances by one per inner step.
TEST(TQuants, ArbitraryBytesFollowGgmlElementOrder) {
  const int blocks = 3;
  {
    std::vector<uint8_t> row = random_bytes(size_t(blocks) * 54, 5);
    for (int b = 0; b < blocks; ++b) put_u16(row.data() + 54 * b + 52, 0x3400);  // 0.25
    std::vector<float> want;
    for (int b = 0; b < blocks; ++b) {
      const uint8_t* blk = row.data() + 54 * b;
      for (int n = 0; n < 5; ++n)  // qs[0..31], five trits each
        for (int m = 0; m < 32; ++m) want.push_back(0.25f * float(read_trit(blk[m], n) - 1));
      for (int n = 0; n < 5; ++n)  // qs[32..47]
        for (int m = 0; m < 16; ++m) want.push_back(0.25f * float(read_trit(blk[32 + m], n) - 1));
      for (int n = 0; n < 4; ++n)  // qh[0..3], four trits each
        for (int j = 0; j < 4; ++j) want.push_back(0.25f * float(read_trit(blk[48 + j], n) - 1));
    }
    std::vector<float> got(256 * blocks);
    dequantize_row(GgmlType::TQ1_0, row.data(), got.data(), 256 * blocks);
    EXPECT_EQ(got, want);
  }
  {
    std::vector<uint8_t> row = random_bytes(size_t(blocks) * 66, 6);
    for (int b = 0; b < blocks; ++b) put_u16(row.data() + 66 * b + 64, 0xb800);  // -0.5
    std::vector<float> want;
    for (int b = 0; b < blocks; ++b)
      for (int j = 0; j < 64; j += 32)
        for (int l = 0; l < 4; ++l)
          for (int m = 0; m < 32; ++m)
            want.push_back(-0.5f * float(((row[66 * b + j + m] >> (2 * l)) & 3) - 1));
    std::vector<float> got(256 * blocks);
    dequantize_row(GgmlType::TQ2_0, row.data(), got.data(), 256 * blocks);
    EXPECT_EQ(got, want);
  }
}

double roundtrip_ratio(GgmlType type, const std::vector<float>& x, int64_t rows, int64_t cols) {
  const auto q = quantize_rows(type, x, rows, cols);
  EXPECT_EQ(q.size(), size_t(rows) * ggml_row_bytes(type, cols));
  const auto y = dequantize_rows(type, q, rows, cols);
  double worst = 0;
  for (size_t b = 0; b < x.size(); b += 256) {
    float amax = 0;
    for (size_t i = b; i < b + 256; ++i) amax = std::max(amax, std::fabs(x[i]));
    const double bound = amax * (0.5 + 1.0 / 1024) + 1e-30;
    for (size_t i = b; i < b + 256; ++i) {
      EXPECT_TRUE(std::isfinite(y[i]));
      worst = std::max(worst, std::fabs(double(x[i]) - y[i]) / bound);
    }
  }
  return worst;
}

class TQuantRoundTrip : public testing::TestWithParam<GgmlType> {};

TEST_P(TQuantRoundTrip, ErrorWithinBound) {
  const GgmlType t = GetParam();
  std::mt19937 rng(13);
  const int64_t rows = 4, cols = 512;
  for (auto [lo, hi] : {std::pair{-1.0f, 1.0f}, std::pair{0.5f, 2.0f}, std::pair{-3.0f, -1.0f}})
    EXPECT_LE(roundtrip_ratio(t, uniform_values(rng, rows * cols, lo, hi), rows, cols), 1.0) << lo << ".." << hi;
  const std::vector<float> x = mixed_magnitudes(rng, rows * cols, 256);  // one magnitude per block, a zero block
  EXPECT_LE(roundtrip_ratio(t, x, rows, cols), 1.0) << "mixed magnitudes";
  const auto y = dequantize_rows(t, quantize_rows(t, x, rows, cols), rows, cols);
  for (int i = 0; i < 256; ++i) ASSERT_EQ(y[i], 0.0f) << "zero block, element " << i;
}

// Weights that are already ternary (a half scale times -1, 0, 1) come back exactly.
TEST_P(TQuantRoundTrip, TernaryWeightsAreExact) {
  const GgmlType t = GetParam();
  std::mt19937 rng(14);
  const int64_t rows = 3, cols = 768;
  std::vector<float> x(rows * cols);
  for (size_t b = 0; b < x.size(); b += 256) {
    const float d = half_to_float(float_to_half(std::ldexp(1.0f + float(rng() % 1000) / 1000.0f, int(rng() % 20) - 10)));
    for (size_t i = b; i < b + 256; ++i) x[i] = d * float(int(rng() % 3) - 1);
    x[b + rng() % 256] = (rng() & 1) ? d : -d;  // the scale is in the block
  }
  EXPECT_EQ(dequantize_rows(t, quantize_rows(t, x, rows, cols), rows, cols), x);
}

// Gaussian weights: d = max |x| leaves most of them at 0 (ggml's reference
// quantizer does the same; ternary models are trained for it): relative RMS
// error 0.806 for both types on these values.
TEST_P(TQuantRoundTrip, GaussianRmsError) {
  EXPECT_LT(gaussian_relative_rms(GetParam(), 15), 0.82);
}

// The ternary family of this file: a deliberate subset (every type of
// ops/weight_kernels.def: WeightSupport, MatmulKernels).
INSTANTIATE_TEST_SUITE_P(Types, TQuantRoundTrip, testing::Values(GgmlType::TQ1_0, GgmlType::TQ2_0),
                         [](const testing::TestParamInfo<GgmlType>& info) {
                           return std::string(ggml_type_name(info.param));
                         });

// The two types round the same way: only the packing differs.
TEST(TQuants, BothTypesGiveTheSameValues) {
  std::mt19937 rng(16);
  const auto x = uniform_values(rng, 4 * 1024, -2, 2);
  EXPECT_EQ(dequantize_rows(GgmlType::TQ1_0, quantize_rows(GgmlType::TQ1_0, x, 4, 1024), 4, 1024),
            dequantize_rows(GgmlType::TQ2_0, quantize_rows(GgmlType::TQ2_0, x, 4, 1024), 4, 1024));
}

TEST(TQuants, SupportedAndSized) {
  for (GgmlType t : {GgmlType::TQ1_0, GgmlType::TQ2_0}) {
    EXPECT_TRUE(can_quantize(t));
    EXPECT_TRUE(can_dequantize(t));
    EXPECT_THROW(quantize_rows(t, std::vector<float>(128), 1, 128), std::invalid_argument);
  }
  EXPECT_EQ(static_cast<uint32_t>(GgmlType::TQ1_0), 34u);  // ggml.h's GGML_TYPE_TQ1_0 / _TQ2_0
  EXPECT_EQ(static_cast<uint32_t>(GgmlType::TQ2_0), 35u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::TQ1_0, 512), 108u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::TQ2_0, 512), 132u);
}

}  // namespace
}  // namespace mrrope::test
