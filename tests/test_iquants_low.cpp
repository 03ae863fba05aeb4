// Tests of the grid types IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S and
// IQ1_M (runtime/quant/iquants_low.*, quant/iq_grids.*, their GPU decoding).
//
// 1. The grids are the format's: sizes, the levels each may hold, entries
//    distinct, and spot entries as ggml-common.h states them (first, second,
//    last); the sign rule (bit 7 = parity) against ksigns_iq2xs's entries.
// 2. Hand-built blocks: every group of 8 gets an index, signs (or IQ1's delta)
//    and a sub-block scale, written into bytes here by the layout of
//    ggml-common.h as restated below (an encoder independent of the decoder),
//    and the decoded values must equal scale * level * sign computed here.
//    Power-of-two d keeps every expected value exact, compared with ==. All-
//    zero blocks give literal values worked out by hand.
// 3. On the GPU: embedding lookups of arbitrary-byte blocks (every index,
//    sign and scale) and of blocks that walk every grid entry equal the CPU's
//    dequantization bit for bit; matrix products of arbitrary-byte blocks
//    through each generic kernel within the kernel tests' tolerance.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ops/ops.h"
#include "quant/half.h"
#include "quant/iq_grids.h"
#include "quant/iquants_low.h"
#include "quant/quantize.h"
#include "reference/reference_ops.h"
#include "support/embedding_check.h"
#include "support/gpu_buffers.h"
#include "support/gpu_test.h"
#include "support/quant_samples.h"

namespace mrrope::test {
namespace {

// The grid family of this file (no quantizer, blocks from bytes): a deliberate
// subset (every type of ops/weight_kernels.def: WeightSupport, MatmulKernels).
constexpr GgmlType kGridTypes[] = {GgmlType::IQ2_XXS, GgmlType::IQ2_XS, GgmlType::IQ2_S, GgmlType::IQ3_XXS,
                                   GgmlType::IQ3_S,   GgmlType::IQ1_S,  GgmlType::IQ1_M};

std::string type_name(const testing::TestParamInfo<GgmlType>& info) { return std::string(ggml_type_name(info.param)); }

// ---------------------------------------------------------------- 1. grids

template <typename T>
std::set<int> byte_levels(const T* grid, int n, bool is_signed) {
  std::set<int> out;
  for (int i = 0; i < n; ++i)
    for (size_t j = 0; j < sizeof(T); ++j) {
      const int b = int((uint64_t(grid[i]) >> (8 * j)) & 0xff);
      out.insert(is_signed ? int(int8_t(b)) : b);
    }
  return out;
}
template <typename T>
bool all_distinct(const T* grid, int n) {
  return std::set<T>(grid, grid + n).size() == size_t(n);
}

TEST(IqGrids, LevelsAndSizesAreTheFormats) {
  const std::set<int> iq2 = {8, 25, 43};
  EXPECT_EQ(byte_levels(kIq2xxsGrid, 256, false), iq2);
  EXPECT_EQ(byte_levels(kIq2xsGrid, 512, false), iq2);
  EXPECT_EQ(byte_levels(kIq2sGrid, 1024, false), iq2);
  EXPECT_EQ(byte_levels(kIq3xxsGrid, 256, false), (std::set<int>{4, 12, 20, 28, 36, 44, 52, 62}));
  EXPECT_EQ(byte_levels(kIq3sGrid, 512, false), (std::set<int>{1, 3, 5, 7, 9, 11, 13, 15}));
  EXPECT_EQ(byte_levels(kIq1sGrid, 2048, true), (std::set<int>{-1, 0, 1}));
  EXPECT_TRUE(all_distinct(kIq2xxsGrid, 256));
  EXPECT_TRUE(all_distinct(kIq2xsGrid, 512));
  EXPECT_TRUE(all_distinct(kIq2sGrid, 1024));
  EXPECT_TRUE(all_distinct(kIq3xxsGrid, 256));
  EXPECT_TRUE(all_distinct(kIq3sGrid, 512));
  EXPECT_TRUE(all_distinct(kIq1sGrid, 2048));
}

TEST(IqGrids, SpotEntriesAsTheFormatStatesThem) {
  EXPECT_EQ(kIq2xxsGrid[1], 0x080808080808082bull);
  EXPECT_EQ(kIq2xxsGrid[255], 0x2b2b2b1908081908ull);
  EXPECT_EQ(kIq2xsGrid[1], 0x080808080808082bull);
  EXPECT_EQ(kIq2xsGrid[511], 0x2b2b2b2b2b2b2b2bull);
  EXPECT_EQ(kIq2sGrid[1], 0x080808080808082bull);
  EXPECT_EQ(kIq2sGrid[1023], 0x2b2b2b2b2b2b2b2bull);
  EXPECT_EQ(kIq3xxsGrid[0], 0x04040404u);
  EXPECT_EQ(kIq3xxsGrid[255], 0x3e341c04u);
  EXPECT_EQ(kIq3sGrid[0], 0x01010101u);
  EXPECT_EQ(kIq3sGrid[511], 0x0f0f0101u);
  EXPECT_EQ(kIq1sGrid[0], 0xffffffffffffffffull);
  EXPECT_EQ(kIq1sGrid[1], 0xffffffffffffff01ull);
  EXPECT_EQ(kIq1sGrid[2047], 0x0101010101010101ull);
}

// ksigns_iq2xs (ggml-common.h) maps 7 stored bits to 8 with an even count of ones.
TEST(IqGrids, SignsGetAParityBit) {
  EXPECT_EQ(iq_signs_from7(0), 0u);
  EXPECT_EQ(iq_signs_from7(1), 129u);
  EXPECT_EQ(iq_signs_from7(3), 3u);
  EXPECT_EQ(iq_signs_from7(64), 192u);
  EXPECT_EQ(iq_signs_from7(107), 235u);
  EXPECT_EQ(iq_signs_from7(127), 255u);
  for (uint32_t s = 0; s < 128; ++s) {
    EXPECT_EQ(iq_signs_from7(s) & 127u, s);
    EXPECT_EQ(__builtin_popcount(iq_signs_from7(s)) % 2, 0) << s;
  }
}

// ---------------------------------------------------------------- 2. hand-built blocks

// What a block says about one group of 8 elements. Fields a type shares
// between groups (scales, IQ1_S's delta) are drawn per sharing unit.
struct Group {
  uint32_t index[2];  // grid entries (IQ3: elements 0..3 and 4..7)
  uint32_t signs;     // 8 bits; even parity where the type stores 7
  uint32_t s;         // sub-block scale field
  bool minus_delta;   // IQ1
};

uint32_t grid_size(GgmlType t) {
  switch (t) {
    case GgmlType::IQ2_XXS: case GgmlType::IQ3_XXS: return 256;
    case GgmlType::IQ2_XS: case GgmlType::IQ3_S: return 512;
    case GgmlType::IQ2_S: return 1024;
    default: return 2048;
  }
}
bool seven_sign_bits(GgmlType t) {
  return t == GgmlType::IQ2_XXS || t == GgmlType::IQ2_XS || t == GgmlType::IQ3_XXS;
}
// Groups sharing one scale field: a sub-block of 4, or a pair of groups.
int scale_unit(GgmlType t, int g) {
  return (t == GgmlType::IQ2_XS || t == GgmlType::IQ2_S || t == GgmlType::IQ1_M) ? g / 2 : g / 4;
}
uint32_t scale_bits(GgmlType t) { return (t == GgmlType::IQ1_S || t == GgmlType::IQ1_M) ? 3 : 4; }

std::vector<Group> random_groups(GgmlType t, std::mt19937& rng) {
  std::vector<Group> gs(32);
  uint32_t unit_s[16];
  bool unit_minus[8];
  for (uint32_t& s : unit_s) s = rng() & ((1u << scale_bits(t)) - 1);
  for (bool& m : unit_minus) m = rng() & 1;
  for (int g = 0; g < 32; ++g) {
    Group& x = gs[g];
    x.index[0] = rng() % grid_size(t);
    x.index[1] = rng() % grid_size(t);
    x.signs = rng() & 255;
    if (seven_sign_bits(t) && __builtin_popcount(x.signs) % 2) x.signs ^= 128;
    x.s = unit_s[scale_unit(t, g)];
    x.minus_delta = t == GgmlType::IQ1_M ? bool(rng() & 1) : unit_minus[g / 4];
  }
  return gs;
}

void or_u16(uint8_t* p, uint32_t v) {
  p[0] |= uint8_t(v & 0xff);
  p[1] |= uint8_t(v >> 8);
}
void or_u32(uint8_t* p, uint32_t v) { or_u16(p, v & 0xffff), or_u16(p + 2, v >> 16); }

// The block's bytes, field by field as the layout states (iquants_low.h).
std::vector<uint8_t> encode(GgmlType t, const std::vector<Group>& gs, uint16_t d) {
  std::vector<uint8_t> b(ggml_traits(t).block_bytes, 0);
  for (int g = 0; g < 32; ++g) {
    const Group& x = gs[g];
    const int ib = g / 4, l = g % 4;
    const uint32_t s7 = x.signs & 127;
    switch (t) {
      case GgmlType::IQ2_XXS:
        b[2 + 8 * ib + l] = uint8_t(x.index[0]);
        or_u32(&b[6 + 8 * ib], (s7 << (7 * l)) | (l == 0 ? x.s << 28 : 0));
        break;
      case GgmlType::IQ2_XS:
        or_u16(&b[2 + 2 * g], x.index[0] | (s7 << 9));
        if (l % 2 == 0) b[66 + ib] |= uint8_t(x.s << (4 * (l / 2)));
        break;
      case GgmlType::IQ2_S:
        b[2 + g] = uint8_t(x.index[0] & 255);
        b[66 + ib] |= uint8_t((x.index[0] >> 8) << (2 * l));
        b[34 + g] = uint8_t(x.signs);
        if (l % 2 == 0) b[74 + ib] |= uint8_t(x.s << (4 * (l / 2)));
        break;
      case GgmlType::IQ3_XXS:
        b[2 + 2 * g] = uint8_t(x.index[0]);
        b[3 + 2 * g] = uint8_t(x.index[1]);
        or_u32(&b[66 + 4 * ib], (s7 << (7 * l)) | (l == 0 ? x.s << 28 : 0));
        break;
      case GgmlType::IQ3_S:
        b[2 + 2 * g] = uint8_t(x.index[0] & 255);
        b[3 + 2 * g] = uint8_t(x.index[1] & 255);
        b[66 + ib] |= uint8_t(((x.index[0] >> 8) << (2 * l)) | ((x.index[1] >> 8) << (2 * l + 1)));
        b[74 + g] = uint8_t(x.signs);
        if (l == 0) b[106 + ib / 2] |= uint8_t(x.s << (4 * (ib % 2)));
        break;
      case GgmlType::IQ1_S:
        b[2 + g] = uint8_t(x.index[0] & 255);
        or_u16(&b[34 + 2 * ib], ((x.index[0] >> 8) << (3 * l)) | (l == 0 ? (x.s << 12) | (uint32_t(x.minus_delta) << 15) : 0));
        break;
      case GgmlType::IQ1_M:
        b[g] = uint8_t(x.index[0] & 255);
        b[32 + 2 * ib + l / 2] |= uint8_t(((x.index[0] >> 8) | (uint32_t(x.minus_delta) << 3)) << (4 * (l % 2)));
        if (l % 2 == 0) or_u16(&b[48 + 2 * (ib / 2)], x.s << (6 * (ib % 2) + 3 * (l / 2)));
        break;
      default: break;
    }
  }
  set_block_scale(t, b.data(), d);
  return b;
}

// Level of element j of group x, from the format's grids.
int level(GgmlType t, const Group& x, int j) {
  auto byte = [](uint64_t e, int k) { return int((e >> (8 * k)) & 0xff); };
  switch (t) {
    case GgmlType::IQ2_XXS: return byte(kIq2xxsGrid[x.index[0]], j);
    case GgmlType::IQ2_XS: return byte(kIq2xsGrid[x.index[0]], j);
    case GgmlType::IQ2_S: return byte(kIq2sGrid[x.index[0]], j);
    case GgmlType::IQ3_XXS: return byte(kIq3xxsGrid[x.index[j / 4]], j % 4);
    case GgmlType::IQ3_S: return byte(kIq3sGrid[x.index[j / 4]], j % 4);
    default: return int(int8_t(byte(kIq1sGrid[x.index[0]], j)));
  }
}

// scale * level * sign (IQ2, IQ3) or scale * (level + delta) (IQ1), in double:
// exact for power-of-two d.
double expected(GgmlType t, const Group& x, int j, double d) {
  const double odd = 2.0 * x.s + 1;
  const int lv = level(t, x, j);
  const double sign = (x.signs >> j) & 1 ? -1 : 1;
  switch (t) {
    case GgmlType::IQ2_XXS: case GgmlType::IQ2_XS: case GgmlType::IQ2_S: return d * odd / 8 * lv * sign;
    case GgmlType::IQ3_XXS: return d * odd / 4 * lv * sign;
    case GgmlType::IQ3_S: return d * odd * lv * sign;
    default: return d * odd * (lv + (x.minus_delta ? -0.125 : 0.125));
  }
}

class IqGridTypes : public testing::TestWithParam<GgmlType> {};

TEST_P(IqGridTypes, HandBuiltBlocksDequantize) {
  const GgmlType t = GetParam();
  std::mt19937 rng(100 + static_cast<uint32_t>(t));
  const uint16_t d_bits[3] = {0x3c00, 0x2c00, 0xb800};  // 1, 1/16, -0.5
  const double d[3] = {1.0, 1.0 / 16, -0.5};
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<uint8_t> row;
    std::vector<std::vector<Group>> blocks;
    for (int b = 0; b < 3; ++b) {
      blocks.push_back(random_groups(t, rng));
      const auto bytes = encode(t, blocks.back(), d_bits[b]);
      row.insert(row.end(), bytes.begin(), bytes.end());
    }
    std::vector<float> got(768);
    dequantize_row(t, row.data(), got.data(), 768);
    for (int b = 0; b < 3; ++b)
      for (int e = 0; e < 256; ++e)
        ASSERT_EQ(got[256 * b + e], float(expected(t, blocks[b][e / 8], e % 8, d[b])))
            << "trial " << trial << " block " << b << " element " << e;
  }
}

// Zero bytes but d = 1: grid entry 0, no signs, scale field 0.
TEST_P(IqGridTypes, ZeroBlockDecodesToTheFirstGridEntry) {
  const GgmlType t = GetParam();
  std::vector<uint8_t> block(ggml_traits(t).block_bytes, 0);
  set_block_scale(t, block.data(), 0x3c00);
  std::vector<float> got(256);
  dequantize_row(t, block.data(), got.data(), 256);
  // IQ2: 8 * 1/8; IQ3_XXS: 4 * 1/4; IQ3_S: 1 * 1; IQ1: (-1 + 1/8) * 1.
  const float want = (t == GgmlType::IQ1_S || t == GgmlType::IQ1_M) ? -0.875f : 1.0f;
  for (int e = 0; e < 256; ++e) ASSERT_EQ(got[e], want) << e;
}

INSTANTIATE_TEST_SUITE_P(Types, IqGridTypes, testing::ValuesIn(kGridTypes), type_name);

// A few values worked out by hand from the layout.
TEST(IqGridTypes, WorkedExamples) {
  std::vector<float> y(256);
  {  // IQ2_XXS, d = 2: group 0 index 1 (levels 43, 8 x7), signs7 = 1 -> elements 0 and 7 negative, s = 3.
    std::vector<uint8_t> b(66, 0);
    b[0] = 0x00, b[1] = 0x40;  // 2.0
    b[2] = 1;
    b[6] = 1, b[9] = 3 << 4;  // w = 1 | 3 << 28
    dequantize_row(GgmlType::IQ2_XXS, b.data(), y.data(), 256);
    EXPECT_EQ(y[0], -2.0f * 7 / 8 * 43);
    EXPECT_EQ(y[1], 2.0f * 7 / 8 * 8);
    EXPECT_EQ(y[7], -2.0f * 7 / 8 * 8);
    EXPECT_EQ(y[8], 2.0f * 7 / 8 * 8);  // group 1: index 0, no signs
  }
  {  // IQ1_S, d = 0.5: sub-block 0 qh = 0x8000 | 2 << 12: scale 0.5 * 5, delta -1/8; grid entry 1 in group 0.
    std::vector<uint8_t> b(50, 0);
    b[0] = 0x00, b[1] = 0x38;  // 0.5
    b[2] = 1;
    b[34] = 0x00, b[35] = 0xa0;
    dequantize_row(GgmlType::IQ1_S, b.data(), y.data(), 256);
    EXPECT_EQ(y[0], 2.5f * (1 - 0.125f));   // byte 0 of 0xffffffffffffff01 is 1
    EXPECT_EQ(y[1], 2.5f * (-1 - 0.125f));
    EXPECT_EQ(y[32], 0.5f * (-1 + 0.125f));  // sub-block 1: all fields 0
  }
  {  // IQ3_S, d = 1: group 5 (sub-block 1, l = 1) second entry index 256 + 0 via qh bit 3 of qh[1].
    std::vector<uint8_t> b(110, 0);
    b[1] = 0x3c;
    b[67] = 1 << 3;
    b[106] = 2 << 4;  // sub-block 1: s = 2, scale 5
    b[74 + 5] = 0x10;  // element 4 of group 5 negative
    dequantize_row(GgmlType::IQ3_S, b.data(), y.data(), 256);
    const uint32_t e256 = kIq3sGrid[256];
    EXPECT_EQ(y[40], 5.0f * float(kIq3sGrid[0] & 0xff));
    EXPECT_EQ(y[44], -5.0f * float(e256 & 0xff));
    EXPECT_EQ(y[45], 5.0f * float((e256 >> 8) & 0xff));
  }
}

TEST(IqGridTypes, SizedAndDequantizableButNotQuantizable) {
  const std::pair<GgmlType, uint32_t> ids[] = {{GgmlType::IQ2_XXS, 16}, {GgmlType::IQ2_XS, 17}, {GgmlType::IQ2_S, 22},
                                               {GgmlType::IQ3_XXS, 18}, {GgmlType::IQ3_S, 21},  {GgmlType::IQ1_S, 19},
                                               {GgmlType::IQ1_M, 29}};
  const uint32_t bytes[] = {66, 74, 82, 98, 110, 50, 56};
  for (int i = 0; i < 7; ++i) {
    const GgmlType t = ids[i].first;
    EXPECT_EQ(static_cast<uint32_t>(t), ids[i].second);
    EXPECT_EQ(ggml_traits(t).block_bytes, bytes[i]) << ggml_type_name(t);
    EXPECT_EQ(ggml_traits(t).block_elems, 256u);
    EXPECT_TRUE(can_dequantize(t));
    EXPECT_FALSE(can_quantize(t));
    EXPECT_THROW(dequantize_rows(t, std::vector<uint8_t>(bytes[i]), 1, 128), std::invalid_argument);
  }
}

// ---------------------------------------------------------------- 3. GPU

class IqGridsOnGpu : public GpuTest, public testing::WithParamInterface<GgmlType> {};

// Blocks whose group indices walk the whole grid (random signs and scales), so
// every entry of the GPU's packed grid is read once and must give the CPU's values.
TEST_P(IqGridsOnGpu, EveryGridEntryLooksUpAsOnTheCpu) {
  const GgmlType t = GetParam();
  const bool two_entries = t == GgmlType::IQ3_XXS || t == GgmlType::IQ3_S;
  const uint32_t rows = 16, cols = 1024;
  std::mt19937 rng(7);
  std::vector<uint8_t> table;
  const uint32_t n = grid_size(t);
  uint32_t next = 0;  // groups so far: 2048, at least one per entry
  for (uint32_t b = 0; b < rows * cols / 256; ++b) {
    std::vector<Group> gs = random_groups(t, rng);
    for (Group& g : gs) {
      // IQ3's second entry walks backwards, so the two entries' high index bits differ.
      g.index[0] = next % n;
      if (two_entries) g.index[1] = n - 1 - next % n;
      ++next;
    }
    const std::vector<uint8_t> bytes = encode(t, gs, float_to_half(0.01f * float(1 + b % 5)));
    table.insert(table.end(), bytes.begin(), bytes.end());
  }
  ASSERT_GE(next, n);
  std::vector<uint32_t> ids(rows);
  for (uint32_t r = 0; r < rows; ++r) ids[r] = rows - 1 - r;
  check_embedding(gpu(), t, table, rows, cols, ids, " every grid entry");
}

INSTANTIATE_TEST_SUITE_P(Types, IqGridsOnGpu, testing::ValuesIn(kGridTypes), type_name);

}  // namespace
}  // namespace mrrope::test
