// CPU tests of the K-quant types Q4_K, Q5_K and Q6_K (runtime/quant/kquants.*).
//
// 1. Hand-built super-blocks with known scales and quants dequantize to values
//    computed here from the ggml-common.h layout description (not with the code
//    under test). Scales are powers of two times small integers, so every
//    expected value is exact in float and compared with ==.
// 2. quantize -> dequantize round trips: every element is within half of the
//    ideal sub-block step plus the slack from quantizing the scales themselves
//    to 6 (Q4_K/Q5_K) or 8 (Q6_K) bits:
//      Q4_K/Q5_K: |x - y| <= step_j / 2 + amax / 300, step_j = (max_j - min(0, min_j)) / nmax
//      Q6_K:      |x - y| <= step_g / 2 + amax / 2000, step_g = max_g |x| / 31
//    (amax = largest |x| of the 256-element super-block; sub-blocks j of 32,
//    groups g of 16).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "quant/quantize.h"

namespace mrrope::test {
namespace {

void put_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v & 0xff);
  p[1] = static_cast<uint8_t>(v >> 8);
}

// Half-precision bit patterns of exact powers of two used below.
constexpr uint16_t kHalf0_5 = 0x3800, kHalf0_25 = 0x3400, kHalf0_125 = 0x3000, kHalf2 = 0x4000,
                   kHalf0_0625 = 0x2c00;

// The 12-byte scales/mins field of Q4_K and Q5_K, written from the layout
// description: bytes 0-3 hold sc[0..3] in bits 0-5 and the top 2 bits of
// sc[4..7] in bits 6-7; bytes 4-7 the same for m; bytes 8-11 hold the low 4
// bits of sc[4..7] (low nibble) and of m[4..7] (high nibble).
void pack_scales(const int sc[8], const int m[8], uint8_t* out) {
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<uint8_t>(sc[i] | ((sc[i + 4] >> 4) << 6));
    out[i + 4] = static_cast<uint8_t>(m[i] | ((m[i + 4] >> 4) << 6));
    out[i + 8] = static_cast<uint8_t>((sc[i + 4] & 0xf) | ((m[i + 4] & 0xf) << 4));
  }
}

// Element e of a Q4_K/Q5_K super-block sits in 64-element chunk e/64; its low
// nibble is in byte 32*(e/64) + e%32 of qs, low half for the first 32 elements
// of the chunk and high half for the second. Q5_K's fifth bit is bit (e/32) of
// qh[e%32].
struct AsymBlock {
  uint16_t d, dmin;
  int sc[8], m[8];
  int q[256];
};

AsymBlock make_asym_block(int variant, int nmax) {
  AsymBlock b{};
  b.d = variant == 0 ? kHalf0_5 : kHalf0_125;
  b.dmin = variant == 0 ? kHalf0_25 : kHalf2;
  // Values from 0 to 63, with j >= 4 using the top bits (>= 16) so that the
  // split packing is exercised.
  const int sc0[8] = {1, 2, 63, 40, 17, 33, 48, 63};
  const int m0[8] = {0, 7, 63, 32, 20, 63, 9, 62};
  for (int j = 0; j < 8; ++j) {
    b.sc[j] = variant == 0 ? sc0[j] : sc0[7 - j];
    b.m[j] = variant == 0 ? m0[j] : m0[(j + 3) % 8];
  }
  for (int e = 0; e < 256; ++e) b.q[e] = (e * 7 + 3 + variant * 5) % (nmax + 1);
  return b;
}

float half_value(uint16_t h) {
  switch (h) {
    case kHalf0_5: return 0.5f;
    case kHalf0_25: return 0.25f;
    case kHalf0_125: return 0.125f;
    case kHalf2: return 2.0f;
    case kHalf0_0625: return 0.0625f;
  }
  ADD_FAILURE() << "unexpected half";
  return 0;
}

float asym_expect(const AsymBlock& b, int e) {
  const int j = e / 32;
  return half_value(b.d) * static_cast<float>(b.sc[j]) * static_cast<float>(b.q[e]) -
         half_value(b.dmin) * static_cast<float>(b.m[j]);
}

TEST(KQuants, Q4KHandBuiltBlocksDequantize) {
  const AsymBlock blocks[2] = {make_asym_block(0, 15), make_asym_block(1, 15)};
  std::vector<uint8_t> row(2 * 144, 0);
  for (int s = 0; s < 2; ++s) {
    uint8_t* p = row.data() + 144 * s;
    const AsymBlock& b = blocks[s];
    put_u16(p, b.d);
    put_u16(p + 2, b.dmin);
    pack_scales(b.sc, b.m, p + 4);
    for (int e = 0; e < 256; ++e) {
      const int chunk = e / 64, second = (e % 64) >= 32;
      p[16 + 32 * chunk + e % 32] |= static_cast<uint8_t>(b.q[e] << (second ? 4 : 0));
    }
  }
  std::vector<float> got(512);
  dequantize_row(GgmlType::Q4_K, row.data(), got.data(), 512);
  for (int s = 0; s < 2; ++s)
    for (int e = 0; e < 256; ++e) ASSERT_EQ(got[256 * s + e], asym_expect(blocks[s], e)) << s << ":" << e;
  // Spot values computed by hand: block 0, element 0: q = 3, sc = 1, m = 0 -> 0.5 * 3.
  EXPECT_EQ(got[0], 1.5f);
  // Element 64 (sub-block 2: sc = 63, m = 63): q = (64*7+3)%16 = 3 -> 0.5*63*3 - 0.25*63.
  EXPECT_EQ(got[64], 0.5f * 63 * 3 - 0.25f * 63);
  // Element 200 (sub-block 6: sc = 48, m = 9): q = (1400+3)%16 = 11 -> 264 - 2.25.
  EXPECT_EQ(got[200], 261.75f);
}

TEST(KQuants, Q5KHandBuiltBlocksDequantize) {
  const AsymBlock blocks[2] = {make_asym_block(0, 31), make_asym_block(1, 31)};
  std::vector<uint8_t> row(2 * 176, 0);
  for (int s = 0; s < 2; ++s) {
    uint8_t* p = row.data() + 176 * s;
    const AsymBlock& b = blocks[s];
    put_u16(p, b.d);
    put_u16(p + 2, b.dmin);
    pack_scales(b.sc, b.m, p + 4);
    for (int e = 0; e < 256; ++e) {
      const int chunk = e / 64, second = (e % 64) >= 32;
      p[48 + 32 * chunk + e % 32] |= static_cast<uint8_t>((b.q[e] & 15) << (second ? 4 : 0));
      if (b.q[e] & 16) p[16 + e % 32] |= static_cast<uint8_t>(1 << (e / 32));
    }
  }
  std::vector<float> got(512);
  dequantize_row(GgmlType::Q5_K, row.data(), got.data(), 512);
  for (int s = 0; s < 2; ++s)
    for (int e = 0; e < 256; ++e) ASSERT_EQ(got[256 * s + e], asym_expect(blocks[s], e)) << s << ":" << e;
  // Element 5: q = 38 % 32 = 6, sc = 1, m = 0 -> 3. Element 7: q = 52 % 32 = 20 (high bit set) -> 10.
  EXPECT_EQ(got[5], 3.0f);
  EXPECT_EQ(got[7], 10.0f);
  // Element 255 (sub-block 7: sc = 63, m = 62): q = (1785+3)%32 = 28 -> 0.5*63*28 - 0.25*62.
  EXPECT_EQ(got[255], 882.0f - 15.5f);
}

// Q6_K: element e = 128*h + 32*k + l (h in 0..1, k in 0..3, l in 0..31) has
// its low 4 bits in ql[64*h + 32*(k%2) + l] (low nibble for k < 2, high for
// k >= 2), its high 2 bits in bits 2k..2k+1 of qh[32*h + l], and the int8
// scale scales[e/16]; x = d * scale * (q - 32). d is the f16 at byte 208.
TEST(KQuants, Q6KHandBuiltBlocksDequantize) {
  const uint16_t ds[2] = {kHalf0_125, kHalf0_0625};
  std::vector<uint8_t> row(2 * 210, 0);
  int q[2][256], sc[2][16];
  for (int s = 0; s < 2; ++s) {
    uint8_t* p = row.data() + 210 * s;
    for (int g = 0; g < 16; ++g) sc[s][g] = ((g * 37 + s * 11) % 255) - 127;  // -127..127, both signs
    sc[s][3] = -128;
    for (int e = 0; e < 256; ++e) q[s][e] = (e * 13 + 1 + s) % 64;
    for (int e = 0; e < 256; ++e) {
      const int h = e / 128, k = (e % 128) / 32, l = e % 32;
      p[64 * h + 32 * (k % 2) + l] |= static_cast<uint8_t>((q[s][e] & 15) << (k >= 2 ? 4 : 0));
      p[128 + 32 * h + l] |= static_cast<uint8_t>((q[s][e] >> 4) << (2 * k));
    }
    for (int g = 0; g < 16; ++g) p[192 + g] = static_cast<uint8_t>(static_cast<int8_t>(sc[s][g]));
    put_u16(p + 208, ds[s]);
  }
  std::vector<float> got(512);
  dequantize_row(GgmlType::Q6_K, row.data(), got.data(), 512);
  for (int s = 0; s < 2; ++s)
    for (int e = 0; e < 256; ++e) {
      const float want = half_value(ds[s]) * static_cast<float>(sc[s][e / 16]) * static_cast<float>(q[s][e] - 32);
      ASSERT_EQ(got[256 * s + e], want) << s << ":" << e;
    }
  // Element 0: q = 1, scale = -127 -> 0.125 * -127 * -31.
  EXPECT_EQ(got[0], 0.125f * 127 * 31);
  // Element 50: q = 651 % 64 = 11, scale index 3 = -128 -> 0.125 * -128 * -21 = 336.
  EXPECT_EQ(got[50], 336.0f);
}

struct Bound {
  GgmlType type;
  int group, nmax;  // elements per scale and largest level
};

// Returns the worst error / bound ratio over all elements.
double roundtrip_ratio(const Bound& t, const std::vector<float>& x, int64_t rows, int64_t cols) {
  const auto q = quantize_rows(t.type, x, rows, cols);
  EXPECT_EQ(q.size(), size_t(rows) * ggml_row_bytes(t.type, cols));
  const auto y = dequantize_rows(t.type, q, rows, cols);
  double worst = 0;
  for (size_t sb = 0; sb < x.size(); sb += 256) {
    float amax = 0;
    for (size_t i = sb; i < sb + 256; ++i) amax = std::max(amax, std::fabs(x[i]));
    for (size_t g = sb; g < sb + 256; g += t.group) {
      float lo = 0, hi = 0, gmax = 0;
      for (size_t i = g; i < g + t.group; ++i) {
        lo = std::min(lo, x[i]), hi = std::max(hi, x[i]);
        gmax = std::max(gmax, std::fabs(x[i]));
      }
      const double step = t.type == GgmlType::Q6_K ? gmax / 31.0 : (double(hi) - lo) / t.nmax;
      const double bound = step / 2 + amax / (t.type == GgmlType::Q6_K ? 2000.0 : 300.0) + 1e-30;
      for (size_t i = g; i < g + t.group; ++i) {
        EXPECT_TRUE(std::isfinite(y[i]));
        worst = std::max(worst, std::fabs(double(x[i]) - y[i]) / bound);
      }
    }
  }
  return worst;
}

class KQuantRoundTrip : public testing::TestWithParam<Bound> {};

TEST_P(KQuantRoundTrip, ErrorWithinStep) {
  const Bound& t = GetParam();
  std::mt19937 rng(1234);
  const int64_t rows = 7, cols = 1024;
  // Uniform in [-1, 1].
  {
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<float> x(rows * cols);
    for (float& v : x) v = u(rng);
    EXPECT_LE(roundtrip_ratio(t, x, rows, cols), 1.0) << "uniform";
  }
  // All positive (mins clamp to 0), all negative, and large offsets.
  for (auto [lo, hi] : {std::pair{0.5f, 2.0f}, std::pair{-3.0f, -1.0f}, std::pair{100.0f, 101.0f}}) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> x(rows * cols);
    for (float& v : x) v = u(rng);
    EXPECT_LE(roundtrip_ratio(t, x, rows, cols), 1.0) << lo << ".." << hi;
  }
  // Magnitudes varying by sub-block (1e-3 .. 10), zeros, and a constant block.
  {
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<float> x(rows * cols);
    for (size_t i = 0; i < x.size(); ++i) x[i] = u(rng) * std::pow(10.0f, float(int(i / 32) % 5) - 3);
    std::fill(x.begin(), x.begin() + 256, 0.0f);
    std::fill(x.begin() + 256, x.begin() + 512, 0.75f);
    EXPECT_LE(roundtrip_ratio(t, x, rows, cols), 1.0) << "mixed magnitudes";
    const auto y = dequantize_rows(t.type, quantize_rows(t.type, x, rows, cols), rows, cols);
    for (int i = 0; i < 256; ++i) ASSERT_EQ(y[i], 0.0f) << "zero block, element " << i;
  }
}

// The K-quant family of this file, with per-type error bounds: a deliberate
// subset (every type of ops/weight_kernels.def: WeightSupport, MatmulKernels).
INSTANTIATE_TEST_SUITE_P(Types, KQuantRoundTrip,
                         testing::Values(Bound{GgmlType::Q4_K, 32, 15}, Bound{GgmlType::Q5_K, 32, 31},
                                         Bound{GgmlType::Q6_K, 16, 31}),
                         [](const testing::TestParamInfo<Bound>& info) {
                           return std::string(ggml_type_name(info.param.type));
                         });

TEST(KQuants, SupportedAndSized) {
  for (GgmlType t : {GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
    EXPECT_TRUE(can_quantize(t));
    EXPECT_TRUE(can_dequantize(t));
    EXPECT_EQ(ggml_traits(t).block_elems, 256u);
    EXPECT_THROW(quantize_rows(t, std::vector<float>(128), 1, 128), std::invalid_argument);  // not a multiple of 256
  }
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q4_K, 512), 288u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q5_K, 512), 352u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q6_K, 512), 420u);
}

}  // namespace
}  // namespace mrrope::test
