#include "quant/kquants.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/ggml_type.h"
#include "quant/half.h"

namespace mrrope {
namespace {

float get_half(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return half_to_float(h);
}
void put_half_bits(uint8_t* p, uint16_t h) { std::memcpy(p, &h, 2); }

// Smallest half >= v (v >= 0, finite), so a scale derived from it never
// shrinks the range it has to cover.
uint16_t half_round_up(float v) {
  if (!(v > 0)) return 0;
  uint16_t h = float_to_half(v);
  if (h >= 0x7c00u) return 0x7bffu;  // clamp to the largest finite half
  if (half_to_float(h) < v && h < 0x7bffu) ++h;
  return h;
}

// Shared by Q4_K (nmax 15) and Q5_K (nmax 31): one super-block of 256 values
// into levels L[256], 6-bit scales/mins packed as ggml does, and d / dmin.
void quantize_super_asym(const float* x, int nmax, uint8_t L[kQK_K], uint8_t scales[12], uint16_t& d_bits,
                         uint16_t& dmin_bits) {
  float lo[8], hi[8];
  float max_neg_min = 0;
  for (int j = 0; j < 8; ++j) {
    float mn = 0, mx = x[32 * j];
    for (int l = 0; l < 32; ++l) mn = std::min(mn, x[32 * j + l]), mx = std::max(mx, x[32 * j + l]);
    lo[j] = mn;  // <= 0, as ggml's quantizer forces
    hi[j] = std::max(mx, mn);
    max_neg_min = std::max(max_neg_min, -mn);
  }
  dmin_bits = half_round_up(max_neg_min / 63.f);
  const float dmin = half_to_float(dmin_bits);
  uint8_t m[8], sc[8];
  float step[8], max_step = 0;
  for (int j = 0; j < 8; ++j) {
    m[j] = dmin > 0 ? static_cast<uint8_t>(std::min(63.f, std::ceil(-lo[j] / dmin))) : 0;
    const float base = -(dmin * m[j]);
    step[j] = std::max(0.f, (hi[j] - base) / nmax);
    max_step = std::max(max_step, step[j]);
  }
  d_bits = half_round_up(max_step / 63.f);
  const float d = half_to_float(d_bits);
  for (int j = 0; j < 8; ++j) sc[j] = d > 0 ? static_cast<uint8_t>(std::min(63.f, std::ceil(step[j] / d))) : 0;

  std::memset(scales, 0, 12);
  for (int j = 0; j < 8; ++j) {
    if (j < 4) {
      scales[j] = sc[j];
      scales[j + 4] = m[j];
    } else {
      scales[j + 4] = static_cast<uint8_t>((sc[j] & 0xF) | ((m[j] & 0xF) << 4));
      scales[j - 4] |= static_cast<uint8_t>((sc[j] >> 4) << 6);
      scales[j] |= static_cast<uint8_t>((m[j] >> 4) << 6);
    }
  }
  for (int j = 0; j < 8; ++j) {
    // The same float operations the dequantizer uses.
    const float d1 = d * sc[j], m1 = dmin * m[j];
    for (int l = 0; l < 32; ++l) {
      int q = 0;
      if (d1 > 0) q = std::clamp(static_cast<int>(std::lround((x[32 * j + l] + m1) / d1)), 0, nmax);
      L[32 * j + l] = static_cast<uint8_t>(q);
    }
  }
}

}  // namespace

void dequantize_row_q4_K(const uint8_t* src, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i, src += kQ4KBytes) {
    const float d = get_half(src), dmin = get_half(src + 2);
    const uint8_t* scales = src + 4;
    const uint8_t* q = src + 16;
    for (int j = 0; j < 8; j += 2, q += 32) {
      uint8_t sc, m;
      kq_scale_min(j, scales, sc, m);
      const float d1 = d * sc, m1 = dmin * m;
      kq_scale_min(j + 1, scales, sc, m);
      const float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 0xF) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
    }
  }
}

void dequantize_row_q5_K(const uint8_t* src, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i, src += kQ5KBytes) {
    const float d = get_half(src), dmin = get_half(src + 2);
    const uint8_t* scales = src + 4;
    const uint8_t* qh = src + 16;
    const uint8_t* ql = src + 48;
    uint8_t u1 = 1, u2 = 2;
    for (int j = 0; j < 8; j += 2, ql += 32) {
      uint8_t sc, m;
      kq_scale_min(j, scales, sc, m);
      const float d1 = d * sc, m1 = dmin * m;
      kq_scale_min(j + 1, scales, sc, m);
      const float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
      u1 = static_cast<uint8_t>(u1 << 2);
      u2 = static_cast<uint8_t>(u2 << 2);
    }
  }
}

void dequantize_row_q6_K(const uint8_t* src, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i, src += kQ6KBytes) {
    const float d = get_half(src + 208);
    const uint8_t* ql = src;
    const uint8_t* qh = src + 128;
    const auto* sc = reinterpret_cast<const int8_t*>(src + 192);
    for (int half = 0; half < 2; ++half, y += 128, ql += 64, qh += 32, sc += 8) {
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l + 0] = d * sc[is + 0] * q1;
        y[l + 32] = d * sc[is + 2] * q2;
        y[l + 64] = d * sc[is + 4] * q3;
        y[l + 96] = d * sc[is + 6] * q4;
      }
    }
  }
}

void quantize_row_q4_K(const float* x, uint8_t* out, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K, out += kQ4KBytes) {
    uint8_t L[kQK_K];
    uint16_t d, dmin;
    quantize_super_asym(x, 15, L, out + 4, d, dmin);
    put_half_bits(out, d);
    put_half_bits(out + 2, dmin);
    uint8_t* qs = out + 16;
    for (int c = 0; c < 4; ++c)
      for (int l = 0; l < 32; ++l) qs[32 * c + l] = static_cast<uint8_t>(L[64 * c + l] | (L[64 * c + 32 + l] << 4));
  }
}

void quantize_row_q5_K(const float* x, uint8_t* out, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K, out += kQ5KBytes) {
    uint8_t L[kQK_K];
    uint16_t d, dmin;
    quantize_super_asym(x, 31, L, out + 4, d, dmin);
    put_half_bits(out, d);
    put_half_bits(out + 2, dmin);
    uint8_t* qh = out + 16;
    uint8_t* qs = out + 48;
    std::memset(qh, 0, 32);
    for (int j = 0; j < 8; ++j)
      for (int l = 0; l < 32; ++l)
        if (L[32 * j + l] > 15) qh[l] |= static_cast<uint8_t>(1u << j);
    for (int c = 0; c < 4; ++c)
      for (int l = 0; l < 32; ++l)
        qs[32 * c + l] = static_cast<uint8_t>((L[64 * c + l] & 0xF) | ((L[64 * c + 32 + l] & 0xF) << 4));
  }
}

void quantize_row_q6_K(const float* x, uint8_t* out, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K, out += kQ6KBytes) {
    float step[16], max_step = 0;
    bool negative[16];
    for (int g = 0; g < 16; ++g) {
      float amax = 0, max = 0;
      for (int l = 0; l < 16; ++l)
        if (std::fabs(x[16 * g + l]) > amax) amax = std::fabs(x[16 * g + l]), max = x[16 * g + l];
      // As in ggml, the scale takes the sign of the extreme value (so scales of
      // both signs occur); q stays in [-31, 31] either way.
      negative[g] = max < 0;
      step[g] = amax / 31.f;
      max_step = std::max(max_step, step[g]);
    }
    const uint16_t d_bits = half_round_up(max_step / 127.f);
    const float d = half_to_float(d_bits);
    int8_t sc[16];
    for (int g = 0; g < 16; ++g) {
      const int mag = d > 0 ? static_cast<int>(std::min(127.f, std::ceil(step[g] / d))) : 0;
      sc[g] = static_cast<int8_t>(negative[g] ? -mag : mag);
    }
    uint8_t* ql = out;
    uint8_t* qh = out + 128;
    std::memset(out, 0, 192);
    std::memcpy(out + 192, sc, 16);
    put_half_bits(out + 208, d_bits);
    for (int e = 0; e < kQK_K; ++e) {
      const int g = e / 16;
      const float d1 = d * sc[g];
      int q = 0;
      if (d1 != 0) q = std::clamp(static_cast<int>(std::lround(x[e] / d1)), -32, 31);
      const int L = q + 32;
      const int half = e / 128, r = e % 128, quarter = r / 32, l = r % 32;
      ql[64 * half + 32 * (quarter & 1) + l] |= static_cast<uint8_t>((L & 0xF) << (4 * (quarter >> 1)));
      qh[32 * half + l] |= static_cast<uint8_t>((L >> 4) << (2 * quarter));
    }
  }
}

}  // namespace mrrope
