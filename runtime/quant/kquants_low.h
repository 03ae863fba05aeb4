#pragma once
// The 2- and 3-bit K-quants (ggml-common.h): 256-element super-blocks of 16
// sub-blocks of 16 elements.
//
//   block_q2_K (84 bytes):  u8 scales[16], u8 qs[64], f16 d, f16 dmin
//       sub-block s: scale = scales[s] & 15, min = scales[s] >> 4;
//       x = (d * scale) * q - dmin * min, q in 0..3
//   block_q3_K (110 bytes): u8 hmask[32], u8 qs[64], u8 scales[12], f16 d
//       sub-block s: a 6-bit scale ls (low nibble of scales[s] for s < 8, high
//       nibble of scales[s - 8] above; bits 2(s/4).. of scales[8 + s%4] on top);
//       x = (d * (ls - 32)) * q, q = (low two bits) - 4 unless the hmask bit is set
//
// Element e = 128h + 32j + 16p + l (h 0..1, j 0..3, p 0..1, l 0..15) is in
// sub-block e / 16; its two low bits are bits 2j..2j+1 of qs[32h + 16p + l]
// and (Q3_K) its high bit is bit 4h + j of hmask[16p + l].
#include <cstdint>

namespace mrrope {

constexpr int kQ2KBytes = 84, kQ3KBytes = 110;

void dequantize_row_q2_K(const uint8_t* src, float* dst, int64_t n);  // n % 256 == 0
void dequantize_row_q3_K(const uint8_t* src, float* dst, int64_t n);

// Round-to-nearest quantizers (not ggml's search).
// Q2_K: as quantize_row_q4_K: each sub-block's [min(0, min x), max x] is
//   covered by 4 levels, mins and scales as 4-bit levels of dmin and d
//   rounded up, so the error is at most half a level plus the scale rounding.
// Q3_K: each sub-block's element of largest magnitude maps to level -4, its
//   scale a 6-bit level of d (the largest scale at -32); elements of the other
//   sign clamp at +3, so the error is at most one level.
void quantize_row_q2_K(const float* x, uint8_t* dst, int64_t n);
void quantize_row_q3_K(const float* x, uint8_t* dst, int64_t n);

}  // namespace mrrope
