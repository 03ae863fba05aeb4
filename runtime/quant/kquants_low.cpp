#include "quant/kquants_low.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/block_io.h"

namespace mrrope {
namespace {

using blockio::load_half;
using blockio::store_half_bits;

// Byte of qs and bit shift holding the two low bits of element e (0..255).
int q_byte(int e) { return 32 * (e / 128) + 16 * ((e / 16) % 2) + e % 16; }
int q_shift(int e) { return 2 * ((e / 32) % 4); }
// Byte of hmask and bit of Q3_K element e's high bit.
int h_byte(int e) { return 16 * ((e / 16) % 2) + e % 16; }
int h_bit(int e) { return 4 * (e / 128) + (e / 32) % 4; }

int q3k_scale(const uint8_t* scales, int s) {
  const int lo = s < 8 ? (scales[s] & 0xF) : (scales[s - 8] >> 4);
  return lo | ((scales[8 + s % 4] >> (2 * (s / 4))) & 3) << 4;
}

}  // namespace

void dequantize_row_q2_K(const uint8_t* src, float* y, int64_t n) {
  for (int64_t i = 0; i < n / 256; ++i, src += kQ2KBytes, y += 256) {
    const float d = load_half(src + 80), dmin = load_half(src + 82);
    for (int e = 0; e < 256; ++e) {
      const uint8_t sc = src[e / 16];
      const float dl = d * float(sc & 0xF), ml = dmin * float(sc >> 4);
      y[e] = dl * float((src[16 + q_byte(e)] >> q_shift(e)) & 3) - ml;
    }
  }
}

void dequantize_row_q3_K(const uint8_t* src, float* y, int64_t n) {
  for (int64_t i = 0; i < n / 256; ++i, src += kQ3KBytes, y += 256) {
    const float d = load_half(src + 108);
    for (int e = 0; e < 256; ++e) {
      const float dl = d * float(q3k_scale(src + 96, e / 16) - 32);
      const int low = (src[32 + q_byte(e)] >> q_shift(e)) & 3;
      const int q = low - ((src[h_byte(e)] >> h_bit(e)) & 1 ? 0 : 4);
      y[e] = dl * float(q);
    }
  }
}

void quantize_row_q2_K(const float* x, uint8_t* out, int64_t n) {
  for (int64_t i = 0; i < n / 256; ++i, x += 256, out += kQ2KBytes) {
    float lo[16], hi[16], max_neg_min = 0;
    for (int s = 0; s < 16; ++s) {
      float mn = 0, mx = x[16 * s];
      for (int l = 0; l < 16; ++l) mn = std::min(mn, x[16 * s + l]), mx = std::max(mx, x[16 * s + l]);
      lo[s] = mn;  // <= 0: the min is subtracted
      hi[s] = std::max(mx, mn);
      max_neg_min = std::max(max_neg_min, -mn);
    }
    const uint16_t dmin_bits = blockio::half_at_least(max_neg_min / 15.f);
    const float dmin = half_to_float(dmin_bits);
    int m[16], sc[16];
    float step[16], max_step = 0;
    for (int s = 0; s < 16; ++s) {
      m[s] = dmin > 0 ? static_cast<int>(std::min(15.f, std::ceil(-lo[s] / dmin))) : 0;
      step[s] = std::max(0.f, (hi[s] + dmin * float(m[s])) / 3);
      max_step = std::max(max_step, step[s]);
    }
    const uint16_t d_bits = blockio::half_at_least(max_step / 15.f);
    const float d = half_to_float(d_bits);
    for (int s = 0; s < 16; ++s) {
      sc[s] = d > 0 ? static_cast<int>(std::min(15.f, std::ceil(step[s] / d))) : 0;
      out[s] = static_cast<uint8_t>(sc[s] | (m[s] << 4));
    }
    std::memset(out + 16, 0, 64);
    for (int e = 0; e < 256; ++e) {
      const float dl = d * float(sc[e / 16]), ml = dmin * float(m[e / 16]);  // as the dequantizer
      const int q = dl > 0 ? std::clamp(static_cast<int>(std::lround((x[e] + ml) / dl)), 0, 3) : 0;
      out[16 + q_byte(e)] |= static_cast<uint8_t>(q << q_shift(e));
    }
    store_half_bits(out + 80, d_bits);
    store_half_bits(out + 82, dmin_bits);
  }
}

void quantize_row_q3_K(const float* x, uint8_t* out, int64_t n) {
  for (int64_t i = 0; i < n / 256; ++i, x += 256, out += kQ3KBytes) {
    float s_ideal[16], s_max = 0;
    for (int s = 0; s < 16; ++s) {
      float amax = 0, max = 0;
      for (int l = 0; l < 16; ++l)
        if (std::fabs(x[16 * s + l]) > amax) amax = std::fabs(x[16 * s + l]), max = x[16 * s + l];
      s_ideal[s] = max / -4.f;
      if (std::fabs(s_ideal[s]) > std::fabs(s_max)) s_max = s_ideal[s];
    }
    const uint16_t d_bits = blockio::half_nearest(s_max / -32.f);
    const float d = half_to_float(d_bits);
    std::memset(out, 0, kQ3KBytes);
    uint8_t* scales = out + 96;
    float dl[16];
    for (int s = 0; s < 16; ++s) {
      const int l = d != 0 ? std::clamp(static_cast<int>(std::lround(s_ideal[s] / d)), -32, 31) : 0;
      const int ls = l + 32;
      scales[s % 8] |= static_cast<uint8_t>((ls & 0xF) << (s < 8 ? 0 : 4));
      scales[8 + s % 4] |= static_cast<uint8_t>((ls >> 4) << (2 * (s / 4)));
      dl[s] = d * float(l);
    }
    for (int e = 0; e < 256; ++e) {
      const float v = dl[e / 16];
      const int q = v != 0 ? std::clamp(static_cast<int>(std::lround(x[e] / v)), -4, 3) : 0;
      const int stored = q + 4;  // 0..7: two low bits, and the high bit set for q >= 0
      out[32 + q_byte(e)] |= static_cast<uint8_t>((stored & 3) << q_shift(e));
      if (stored & 4) out[h_byte(e)] |= static_cast<uint8_t>(1 << h_bit(e));
    }
    store_half_bits(out + 108, d_bits);
  }
}

}  // namespace mrrope
