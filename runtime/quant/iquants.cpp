#include "quant/iquants.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/block_io.h"

namespace mrrope {
namespace {

using blockio::load_half;
using blockio::store_half_bits;

// 32 elements with per-element scale `d` (already the float the dequantizer
// uses): for each the index whose d * level is nearest, packed into qs[16].
void pack_nearest(const float* x, float d, uint8_t* qs) {
  uint8_t idx[32];
  for (int j = 0; j < 32; ++j) {
    int best = 8;  // level 1: nearest zero, what a zero scale gives
    if (d != 0) {
      float best_err = INFINITY;
      for (int i = 0; i < 16; ++i) {
        const float err = std::fabs(x[j] - d * float(kIq4nlValues[i]));
        if (err < best_err) best_err = err, best = i;
      }
    }
    idx[j] = static_cast<uint8_t>(best);
  }
  for (int j = 0; j < 16; ++j) qs[j] = static_cast<uint8_t>(idx[j] | (idx[j + 16] << 4));
}

// The signed value of largest magnitude among n elements.
float extreme(const float* x, int n) {
  float amax = 0, max = 0;
  for (int j = 0; j < n; ++j)
    if (std::fabs(x[j]) > amax) amax = std::fabs(x[j]), max = x[j];
  return max;
}

void unpack32(const uint8_t* qs, float dl, float* y) {
  for (int j = 0; j < 16; ++j) {
    y[j] = dl * float(kIq4nlValues[qs[j] & 0xF]);
    y[j + 16] = dl * float(kIq4nlValues[qs[j] >> 4]);
  }
}

}  // namespace

void dequantize_row_iq4_nl(const uint8_t* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / 32; ++b, src += kIq4NlBytes, y += 32) unpack32(src + 2, load_half(src), y);
}

void dequantize_row_iq4_xs(const uint8_t* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / 256; ++b, src += kIq4XsBytes) {
    const float d = load_half(src);
    const uint32_t scales_h = uint32_t(src[2]) | (uint32_t(src[3]) << 8);
    for (int ib = 0; ib < 8; ++ib, y += 32) {
      const int ls = ((src[4 + ib / 2] >> (4 * (ib % 2))) & 0xF) | int((scales_h >> (2 * ib)) & 3u) << 4;
      unpack32(src + 8 + 16 * ib, d * float(ls - 32), y);
    }
  }
}

void quantize_row_iq4_nl(const float* x, uint8_t* out, int64_t n) {
  for (int64_t b = 0; b < n / 32; ++b, x += 32, out += kIq4NlBytes) {
    const uint16_t d_bits = blockio::half_nearest(extreme(x, 32) / -127.f);
    store_half_bits(out, d_bits);
    pack_nearest(x, half_to_float(d_bits), out + 2);
  }
}

void quantize_row_iq4_xs(const float* x, uint8_t* out, int64_t n) {
  for (int64_t b = 0; b < n / 256; ++b, x += 256, out += kIq4XsBytes) {
    // Ideal sub-block scales s_j; the largest in magnitude becomes level -32
    // of d (ls - 32 spans -32..31), the others round to their nearest level.
    float s[8], s_max = 0;
    for (int ib = 0; ib < 8; ++ib) {
      s[ib] = extreme(x + 32 * ib, 32) / -127.f;
      if (std::fabs(s[ib]) > std::fabs(s_max)) s_max = s[ib];
    }
    const uint16_t d_bits = blockio::half_nearest(s_max / -32.f);
    const float d = half_to_float(d_bits);
    store_half_bits(out, d_bits);
    uint32_t scales_h = 0;
    std::memset(out + 4, 0, 4);
    for (int ib = 0; ib < 8; ++ib) {
      const int l = d != 0 ? std::clamp(static_cast<int>(std::lround(s[ib] / d)), -32, 31) : 0;
      const int ls = l + 32;
      out[4 + ib / 2] |= static_cast<uint8_t>((ls & 0xF) << (4 * (ib % 2)));
      scales_h |= uint32_t(ls >> 4) << (2 * ib);
      pack_nearest(x + 32 * ib, d * float(l), out + 8 + 16 * ib);
    }
    out[2] = static_cast<uint8_t>(scales_h);
    out[3] = static_cast<uint8_t>(scales_h >> 8);
  }
}

}  // namespace mrrope
