#pragma once
// The non-linear 4-bit types (ggml-common.h): each 4-bit index selects one of
// 16 fixed int8 levels, spaced more finely near zero, scaled per block.
//
//   block_iq4_nl (18 bytes, 32 elements):  f16 d, u8 qs[16]
//       x = d * kIq4nlValues[index]
//   block_iq4_xs (136 bytes, 256 elements): f16 d, u16 scales_h, u8 scales_l[4], u8 qs[128]
//       sub-block ib (32 elements, qs[16 ib .. 16 ib + 15]) has the 6-bit
//       scale ls = (low nibble ib of scales_l) | (bits 2ib..2ib+1 of scales_h) << 4,
//       x = (d * (ls - 32)) * kIq4nlValues[index]
//
// Within 32 elements, index j < 16 is the low nibble of qs[j] and index j + 16
// its high nibble (the Q4_0 order).
#include <cstdint>

namespace mrrope {

// The format's level table (kvalues_iq4nl in ggml).
inline constexpr int8_t kIq4nlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1,    13,   25,  38,  53,  69,  89,  113};

constexpr int kIq4NlBytes = 18, kIq4XsBytes = 136;

void dequantize_row_iq4_nl(const uint8_t* src, float* dst, int64_t n);  // n % 32 == 0
void dequantize_row_iq4_xs(const uint8_t* src, float* dst, int64_t n);  // n % 256 == 0

// Round-to-nearest quantizers (not ggml's scale search): a block's scale maps
// its element of largest magnitude to -127, then each element takes the
// nearest level. The levels' widest gap is 24 and the top level 113, so the
// error is at most 14 * |scale| (IQ4_XS: plus the rounding of the sub-block
// scales to 6 bits of the super-block's d).
void quantize_row_iq4_nl(const float* x, uint8_t* dst, int64_t n);
void quantize_row_iq4_xs(const float* x, uint8_t* dst, int64_t n);

}  // namespace mrrope
