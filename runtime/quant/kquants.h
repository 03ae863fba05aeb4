#pragma once
// The K-quant block types Q4_K, Q5_K and Q6_K (ggml-common.h): 256-element
// super-blocks split into 32-element (Q4_K, Q5_K) or 16-element (Q6_K)
// sub-blocks with their own quantized scales.
//
//   block_q4_K (144 bytes): f16 d, f16 dmin, u8 scales[12], u8 qs[128]
//   block_q5_K (176 bytes): f16 d, f16 dmin, u8 scales[12], u8 qh[32], u8 qs[128]
//   block_q6_K (210 bytes): u8 ql[128], u8 qh[64], i8 scales[16], f16 d
//
// Q4_K / Q5_K: sub-block j (32 elements) has a 6-bit scale sc_j and 6-bit min
// m_j packed into scales[12] (see kq_scale_min); x = d*sc_j * q - dmin*m_j.
// Q6_K: sub-block of 16 has an int8 scale; x = d * scale * (q - 32).
#include <cstdint>

namespace mrrope {

constexpr int kQ4KBytes = 144, kQ5KBytes = 176, kQ6KBytes = 210;

// ggml's get_scale_min_k4: 6-bit scale and min of sub-block j (0..7).
inline void kq_scale_min(int j, const uint8_t* q, uint8_t& sc, uint8_t& m) {
  if (j < 4) {
    sc = q[j] & 63;
    m = q[j + 4] & 63;
  } else {
    sc = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// Dequantize n elements (a multiple of 256), as ggml's dequantize_row_q*_K.
void dequantize_row_q4_K(const uint8_t* src, float* dst, int64_t n);
void dequantize_row_q5_K(const uint8_t* src, float* dst, int64_t n);
void dequantize_row_q6_K(const uint8_t* src, float* dst, int64_t n);

// Straightforward (not ggml's search-based) quantizers producing valid blocks.
// Per sub-block the range [min(0, min x), max x] (Q4_K/Q5_K) or [-max|x|,
// max|x|] (Q6_K) is covered, so the error per element is at most half the
// sub-block's effective step d*sc (plus float rounding).
void quantize_row_q4_K(const float* x, uint8_t* dst, int64_t n);
void quantize_row_q5_K(const float* x, uint8_t* dst, int64_t n);
void quantize_row_q6_K(const float* x, uint8_t* dst, int64_t n);

}  // namespace mrrope
