#include "quant/iquants_low.h"

#include "quant/block_io.h"
#include "quant/iq_grids.h"

namespace mrrope {
namespace {

using blockio::load_half;

uint32_t u16_at(const uint8_t* p) { return uint32_t(p[0]) | (uint32_t(p[1]) << 8); }
uint32_t u32_at(const uint8_t* p) { return u16_at(p) | (u16_at(p + 2) << 16); }

// Byte j of a grid entry: the level of element j.
int level_u8(uint64_t entry, int j) { return int((entry >> (8 * j)) & 0xff); }
int level_i8(uint64_t entry, int j) { return int(static_cast<int8_t>((entry >> (8 * j)) & 0xff)); }

// Eight elements: scale * level_j, negated where bit j of signs is set.
void put_signed(float scale, uint64_t levels, uint32_t signs, float* y) {
  for (int j = 0; j < 8; ++j) {
    const float v = scale * float(level_u8(levels, j));
    y[j] = (signs >> j) & 1u ? -v : v;
  }
}

// IQ3 groups: two 4-level entries make the eight levels.
uint64_t join(uint32_t lo, uint32_t hi) { return uint64_t(lo) | (uint64_t(hi) << 32); }

// Eight IQ1 elements: scale * (level_j + delta).
void put_shifted(float scale, uint64_t levels, float delta, float* y) {
  for (int j = 0; j < 8; ++j) y[j] = scale * (float(level_i8(levels, j)) + delta);
}

float iq1_delta(bool negative) { return negative ? -0.125f : 0.125f; }

}  // namespace

bool is_iq_grid_type(GgmlType type) {
  switch (type) {
    case GgmlType::IQ2_XXS: case GgmlType::IQ2_XS: case GgmlType::IQ2_S: case GgmlType::IQ3_XXS:
    case GgmlType::IQ3_S: case GgmlType::IQ1_S: case GgmlType::IQ1_M:
      return true;
    default: return false;
  }
}

void set_iq_block_scale(GgmlType type, uint8_t* block, uint16_t d_bits) {
  if (type != GgmlType::IQ1_M) {
    block[0] = static_cast<uint8_t>(d_bits & 0xff);
    block[1] = static_cast<uint8_t>(d_bits >> 8);
    return;
  }
  for (int i = 0; i < 4; ++i)  // the high byte of scale word i
    block[49 + 2 * i] = static_cast<uint8_t>((block[49 + 2 * i] & 0x0f) | (((d_bits >> (4 * i)) & 0xf) << 4));
}

void dequantize_row_iq2_xxs(const uint8_t* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / 256; ++b, src += kIq2XxsBytes) {
    const float d = load_half(src);
    for (int ib = 0; ib < 8; ++ib) {
      const uint8_t* q = src + 2 + 8 * ib;
      const uint32_t w = u32_at(q + 4);
      const float scale = d * float(2 * (w >> 28) + 1) * 0.125f;
      for (int l = 0; l < 4; ++l, y += 8) put_signed(scale, kIq2xxsGrid[q[l]], iq_signs_from7((w >> (7 * l)) & 127u), y);
    }
  }
}

void dequantize_row_iq2_xs(const uint8_t* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / 256; ++b, src += kIq2XsBytes) {
    const float d = load_half(src);
    for (int g = 0; g < 32; ++g, y += 8) {
      const uint32_t q = u16_at(src + 2 + 2 * g);
      const uint32_t s = (src[66 + g / 4] >> (4 * ((g % 4) / 2))) & 15u;
      put_signed(d * float(2 * s + 1) * 0.125f, kIq2xsGrid[q & 511u], iq_signs_from7(q >> 9), y);
    }
  }
}

void dequantize_row_iq2_s(const uint8_t* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / 256; ++b, src += kIq2SBytes) {
    const float d = load_half(src);
    for (int g = 0; g < 32; ++g, y += 8) {
      const int ib = g / 4, l = g % 4;
      const uint32_t index = src[2 + g] | (((uint32_t(src[66 + ib]) >> (2 * l)) & 3u) << 8);
      const uint32_t s = (src[74 + ib] >> (4 * (l / 2))) & 15u;
      put_signed(d * float(2 * s + 1) * 0.125f, kIq2sGrid[index], src[34 + g], y);
    }
  }
}

void dequantize_row_iq3_xxs(const uint8_t* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / 256; ++b, src += kIq3XxsBytes) {
    const float d = load_half(src);
    const uint8_t* qs = src + 2;
    for (int ib = 0; ib < 8; ++ib) {
      const uint32_t w = u32_at(src + 66 + 4 * ib);
      const float scale = d * float(2 * (w >> 28) + 1) * 0.25f;
      for (int l = 0; l < 4; ++l, y += 8) {
        const int g = 4 * ib + l;
        put_signed(scale, join(kIq3xxsGrid[qs[2 * g]], kIq3xxsGrid[qs[2 * g + 1]]),
                   iq_signs_from7((w >> (7 * l)) & 127u), y);
      }
    }
  }
}

void dequantize_row_iq3_s(const uint8_t* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / 256; ++b, src += kIq3SBytes) {
    const float d = load_half(src);
    const uint8_t* qs = src + 2;
    for (int g = 0; g < 32; ++g, y += 8) {
      const int ib = g / 4, l = g % 4;
      const uint32_t qh = src[66 + ib];
      const uint32_t lo = qs[2 * g] | (((qh >> (2 * l)) & 1u) << 8);
      const uint32_t hi = qs[2 * g + 1] | (((qh >> (2 * l + 1)) & 1u) << 8);
      const uint32_t s = (src[106 + ib / 2] >> (4 * (ib % 2))) & 15u;
      put_signed(d * float(2 * s + 1), join(kIq3sGrid[lo], kIq3sGrid[hi]), src[74 + g], y);
    }
  }
}

void dequantize_row_iq1_s(const uint8_t* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / 256; ++b, src += kIq1SBytes) {
    const float d = load_half(src);
    for (int ib = 0; ib < 8; ++ib) {
      const uint32_t qh = u16_at(src + 34 + 2 * ib);
      const float scale = d * float(2 * ((qh >> 12) & 7u) + 1);
      const float delta = iq1_delta(qh & 0x8000u);
      for (int l = 0; l < 4; ++l, y += 8)
        put_shifted(scale, kIq1sGrid[src[2 + 4 * ib + l] | (((qh >> (3 * l)) & 7u) << 8)], delta, y);
    }
  }
}

void dequantize_row_iq1_m(const uint8_t* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / 256; ++b, src += kIq1MBytes) {
    uint32_t sc[4], d_bits = 0;
    for (int i = 0; i < 4; ++i) {
      sc[i] = u16_at(src + 48 + 2 * i);
      d_bits |= (sc[i] >> 12) << (4 * i);
    }
    const float d = half_to_float(static_cast<uint16_t>(d_bits));
    for (int g = 0; g < 32; ++g, y += 8) {
      const int ib = g / 4, l = g % 4;
      const uint32_t nib = (src[32 + 2 * ib + l / 2] >> (4 * (l % 2))) & 15u;
      const uint32_t s = (sc[ib / 2] >> (6 * (ib % 2) + 3 * (l / 2))) & 7u;
      put_shifted(d * float(2 * s + 1), kIq1sGrid[src[g] | ((nib & 7u) << 8)], iq1_delta(nib & 8u), y);
    }
  }
}

}  // namespace mrrope
