#include "quant/legacy_quants.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/block_io.h"

namespace mrrope {
namespace {

using blockio::load_half;
using blockio::store_half_bits;

constexpr int kBlock = 32;

uint32_t load_qh(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
void store_qh(uint8_t* p, uint32_t qh) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(qh >> (8 * i));
}

// Level of element j (0..31) of a block: low nibble from qs, fifth bit from qh.
int level(const uint8_t* qs, uint32_t qh, int j) {
  const int lo = j < 16 ? (qs[j] & 0xF) : (qs[j - 16] >> 4);
  return lo | int((qh >> j) & 1u) << 4;
}

// Packs 32 levels (0..31) into qs[16] and, where has_qh, the fifth bits.
void pack_levels(const int L[kBlock], uint8_t* qs, uint8_t* qh) {
  uint32_t high = 0;
  for (int j = 0; j < 16; ++j) qs[j] = static_cast<uint8_t>((L[j] & 0xF) | ((L[j + 16] & 0xF) << 4));
  for (int j = 0; j < kBlock; ++j) high |= uint32_t(L[j] >> 4) << j;
  if (qh) store_qh(qh, high);
}

// Q4_1 / Q5_1: levels 0..nmax above a minimum, scale and minimum stored at
// bytes 0 and 2, levels at qs (and qh for nmax 31).
void quantize_block_min(const float* x, int nmax, uint8_t* out, uint8_t* qh, uint8_t* qs) {
  float mn = x[0], mx = x[0];
  for (int j = 1; j < kBlock; ++j) mn = std::min(mn, x[j]), mx = std::max(mx, x[j]);
  const uint16_t m_bits = blockio::half_at_most(mn);
  const float m = half_to_float(m_bits);
  const uint16_t d_bits = mx > m ? blockio::half_at_least((mx - m) / nmax) : 0;
  const float d = half_to_float(d_bits);
  store_half_bits(out, d_bits);
  store_half_bits(out + 2, m_bits);
  int L[kBlock];
  for (int j = 0; j < kBlock; ++j)
    L[j] = d > 0 ? std::clamp(static_cast<int>(std::lround((x[j] - m) / d)), 0, nmax) : 0;
  pack_levels(L, qs, qh);
}

}  // namespace

void dequantize_row_q4_1(const uint8_t* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / kBlock; ++b, src += kQ4_1Bytes, y += kBlock) {
    const float d = load_half(src), m = load_half(src + 2);
    for (int j = 0; j < kBlock; ++j) y[j] = float(level(src + 4, 0, j)) * d + m;
  }
}

void dequantize_row_q5_0(const uint8_t* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / kBlock; ++b, src += kQ5_0Bytes, y += kBlock) {
    const float d = load_half(src);
    const uint32_t qh = load_qh(src + 2);
    for (int j = 0; j < kBlock; ++j) y[j] = float(level(src + 6, qh, j) - 16) * d;
  }
}

void dequantize_row_q5_1(const uint8_t* src, float* y, int64_t n) {
  for (int64_t b = 0; b < n / kBlock; ++b, src += kQ5_1Bytes, y += kBlock) {
    const float d = load_half(src), m = load_half(src + 2);
    const uint32_t qh = load_qh(src + 4);
    for (int j = 0; j < kBlock; ++j) y[j] = float(level(src + 8, qh, j)) * d + m;
  }
}

void quantize_row_q4_1(const float* x, uint8_t* out, int64_t n) {
  for (int64_t b = 0; b < n / kBlock; ++b, x += kBlock, out += kQ4_1Bytes) quantize_block_min(x, 15, out, nullptr, out + 4);
}

void quantize_row_q5_1(const float* x, uint8_t* out, int64_t n) {
  for (int64_t b = 0; b < n / kBlock; ++b, x += kBlock, out += kQ5_1Bytes) quantize_block_min(x, 31, out, out + 4, out + 8);
}

void quantize_row_q5_0(const float* x, uint8_t* out, int64_t n) {
  for (int64_t b = 0; b < n / kBlock; ++b, x += kBlock, out += kQ5_0Bytes) {
    float amax = 0, max = 0;
    for (int j = 0; j < kBlock; ++j)
      if (std::fabs(x[j]) > amax) amax = std::fabs(x[j]), max = x[j];
    const uint16_t d_bits = blockio::half_nearest(max / -16.f);
    const float d = half_to_float(d_bits);
    store_half_bits(out, d_bits);
    int L[kBlock];
    for (int j = 0; j < kBlock; ++j)
      L[j] = d != 0 ? std::clamp(static_cast<int>(std::lround(x[j] / d)) + 16, 0, 31) : 16;
    pack_levels(L, out + 6, out + 2);
  }
}

}  // namespace mrrope
