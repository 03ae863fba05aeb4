#pragma once
// The ternary types (ggml-common.h; BitNet b1.58 and TriLM weights): blocks of
// 256 elements, each x = (q - 1) * d with q in 0..2 (TQ2_0's two bits also
// hold 3, which decodes to 2d as in ggml).
//
//   block_tq2_0 (66 bytes): u8 qs[64], f16 d
//       element e = 128h + 32j + m (h 0..1, j 0..3, m 0..31): q is bits
//       2j..2j+1 of qs[32h + m]
//   block_tq1_0 (54 bytes): u8 qs[48], u8 qh[4], f16 d
//       five base-3 digits (trits) per byte of qs, four per byte of qh:
//         elements 0..159:   e = 32t + m        trit t of qs[m]       (m 0..31)
//         elements 160..239: e = 160 + 16t + m  trit t of qs[32 + m]  (m 0..15)
//         elements 240..255: e = 240 + 4t + m   trit t of qh[m]       (m 0..3)
//       A byte stores the number Q = sum_t trit_t * 3^(4-t) (trit 0 the most
//       significant; qh's fifth trit is 0) as ceil(256 Q / 243), and trit t of
//       byte v reads back as floor(3 * ((v * 3^t) mod 256) / 256).
#include <cstdint>

namespace mrrope {

constexpr int kTq1Bytes = 54, kTq2Bytes = 66;

void dequantize_row_tq1_0(const uint8_t* src, float* dst, int64_t n);  // n % 256 == 0
void dequantize_row_tq2_0(const uint8_t* src, float* dst, int64_t n);

// Round to nearest: d is the block's largest |x| (as a half) and each element
// takes the nearest of -d, 0, d, so the error is at most about d / 2.
void quantize_row_tq1_0(const float* x, uint8_t* dst, int64_t n);
void quantize_row_tq2_0(const float* x, uint8_t* dst, int64_t n);

}  // namespace mrrope
