#include "quant/tquants.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/block_io.h"

namespace mrrope {
namespace {

using blockio::load_half;
using blockio::store_half_bits;

constexpr int kPow3[5] = {1, 3, 9, 27, 81};

// Byte of the TQ1_0 block (qs, then qh at 48) and trit holding element e.
struct TritPlace {
  int byte, trit;
};
TritPlace tq1_place(int e) {
  if (e < 160) return {e % 32, e / 32};
  if (e < 240) return {32 + (e - 160) % 16, (e - 160) / 16};
  return {48 + (e - 240) % 4, (e - 240) / 4};
}

int tq1_trit(uint8_t v, int t) { return ((static_cast<unsigned>(v) * kPow3[t]) % 256u * 3u) >> 8; }

// Byte and bit shift of TQ2_0 element e's two bits.
int tq2_byte(int e) { return 32 * (e / 128) + e % 32; }
int tq2_shift(int e) { return 2 * ((e / 32) % 4); }

// d = the block's largest |x| as a half; q = the level (-1, 0, 1) nearest x / d.
uint16_t block_scale(const float* x) {
  float amax = 0;
  for (int e = 0; e < 256; ++e) amax = std::max(amax, std::fabs(x[e]));
  return blockio::half_nearest(amax);
}
int level(float x, float d) { return d > 0 ? std::clamp(static_cast<int>(std::lround(x / d)), -1, 1) : 0; }

}  // namespace

void dequantize_row_tq1_0(const uint8_t* src, float* y, int64_t n) {
  for (int64_t i = 0; i < n / 256; ++i, src += kTq1Bytes, y += 256) {
    const float d = load_half(src + 52);
    for (int e = 0; e < 256; ++e) {
      const TritPlace p = tq1_place(e);
      y[e] = float(tq1_trit(src[p.byte], p.trit) - 1) * d;
    }
  }
}

void dequantize_row_tq2_0(const uint8_t* src, float* y, int64_t n) {
  for (int64_t i = 0; i < n / 256; ++i, src += kTq2Bytes, y += 256) {
    const float d = load_half(src + 64);
    for (int e = 0; e < 256; ++e) y[e] = float(((src[tq2_byte(e)] >> tq2_shift(e)) & 3) - 1) * d;
  }
}

void quantize_row_tq1_0(const float* x, uint8_t* out, int64_t n) {
  for (int64_t i = 0; i < n / 256; ++i, x += 256, out += kTq1Bytes) {
    const uint16_t d_bits = block_scale(x);
    const float d = half_to_float(d_bits);
    int number[52] = {};  // per byte: sum of trit * 3^(4 - t)
    for (int e = 0; e < 256; ++e) {
      const TritPlace p = tq1_place(e);
      number[p.byte] += (level(x[e], d) + 1) * kPow3[4 - p.trit];
    }
    for (int b = 0; b < 52; ++b) out[b] = static_cast<uint8_t>((number[b] * 256 + 242) / 243);  // ceil(256 Q / 243)
    store_half_bits(out + 52, d_bits);
  }
}

void quantize_row_tq2_0(const float* x, uint8_t* out, int64_t n) {
  for (int64_t i = 0; i < n / 256; ++i, x += 256, out += kTq2Bytes) {
    const uint16_t d_bits = block_scale(x);
    const float d = half_to_float(d_bits);
    std::memset(out, 0, 64);
    for (int e = 0; e < 256; ++e) out[tq2_byte(e)] |= static_cast<uint8_t>((level(x[e], d) + 1) << tq2_shift(e));
    store_half_bits(out + 64, d_bits);
  }
}

}  // namespace mrrope
