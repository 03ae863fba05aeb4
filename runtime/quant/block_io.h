#pragma once
// Little helpers for reading and writing the fields of GGML blocks on the CPU:
// f16 scales at unaligned byte offsets, and halves rounded in a chosen
// direction so a quantizer's scale never shrinks the range it must cover.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "quant/half.h"

namespace mrrope::blockio {

inline float load_half(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return half_to_float(h);
}
inline void store_half_bits(uint8_t* p, uint16_t h) { std::memcpy(p, &h, 2); }

// The half nearest to v, clamped to the finite range.
inline uint16_t half_nearest(float v) { return float_to_half(std::clamp(v, -65504.f, 65504.f)); }

// The largest half <= v (v finite): stepping the bit pattern toward -infinity.
inline uint16_t half_at_most(float v) {
  uint16_t h = half_nearest(v);
  if (half_to_float(h) <= v) return h;
  if (h == 0x0000u) return 0x8001u;      // +0 -> the smallest negative subnormal
  if (h & 0x8000u) return static_cast<uint16_t>(h + 1);  // negative: larger magnitude
  return static_cast<uint16_t>(h - 1);
}

// The smallest half >= v (v finite, |v| < 65504).
inline uint16_t half_at_least(float v) {
  const uint16_t h = half_at_most(-v);
  return static_cast<uint16_t>(h ^ 0x8000u);
}

}  // namespace mrrope::blockio
