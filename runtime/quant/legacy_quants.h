#pragma once
// The 32-element block types with a minimum or a fifth bit (ggml-common.h):
//
//   block_q4_1 (20 bytes): f16 d, f16 m, u8 qs[16]               x = d*q + m       (q: 4 bits)
//   block_q5_0 (22 bytes): f16 d, u8 qh[4], u8 qs[16]            x = d*(q - 16)    (q: 5 bits)
//   block_q5_1 (24 bytes): f16 d, f16 m, u8 qh[4], u8 qs[16]     x = d*q + m       (q: 5 bits)
//
// Element j < 16 keeps its low four bits in qs[j] bits 0-3, element j + 16 in
// qs[j] bits 4-7 (as Q4_0); the fifth bit of element e is bit e of qh read as
// a little-endian u32. Dequantization does the float operations in the
// format's order (d*q then + m, no fused multiply-add), so results are exact
// copies of the definition's.
#include <cstdint>

namespace mrrope {

constexpr int kQ4_1Bytes = 20, kQ5_0Bytes = 22, kQ5_1Bytes = 24;

// n is a multiple of 32.
void dequantize_row_q4_1(const uint8_t* src, float* dst, int64_t n);
void dequantize_row_q5_0(const uint8_t* src, float* dst, int64_t n);
void dequantize_row_q5_1(const uint8_t* src, float* dst, int64_t n);

// Round-to-nearest quantizers.
// Q4_1 / Q5_1: m is the block minimum rounded down to a half, d its range
// rounded up, so every element is within d/2 of its value (d ~ (max-min)/nmax).
// Q5_0: as ggml's reference, the element of largest magnitude maps to -16,
// d = max / -16; the others are within d/2, except values of the opposite
// sign near -max, which clamp at level 31 (within d).
void quantize_row_q4_1(const float* x, uint8_t* dst, int64_t n);
void quantize_row_q5_0(const float* x, uint8_t* dst, int64_t n);
void quantize_row_q5_1(const float* x, uint8_t* dst, int64_t n);

}  // namespace mrrope
