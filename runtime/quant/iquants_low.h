#pragma once
// The 1- to 3-bit "i-quants" (ggml-common.h): super-blocks of 256 elements in
// 32 groups of 8. A group's levels come from a fixed grid (quant/iq_grids.h)
// picked by a stored index; IQ2/IQ3 add a sign per element, IQ1 a shift of
// +-1/8. G = 4 ib + l is the group (ib the 32-element sub-block, l 0..3);
// element j (0..7) of group G is element 8G + j of the super-block.
//
//   IQ2_XXS (66 bytes): f16 d, then per ib 8 bytes at 2 + 8 ib: u8 index[4]
//       (group l: index[l] into kIq2xxsGrid), u32 w: signs of group l = bits
//       7l..7l+6, scale s = w >> 28
//   IQ2_XS (74 bytes): f16 d, u16 qs[32], u8 scales[8]
//       qs[G]: index = low 9 bits (kIq2xsGrid), signs = high 7 bits;
//       s = nibble l / 2 of scales[ib] (low nibble for l = 0, 1)
//   IQ2_S (82 bytes): f16 d, u8 qs[32], u8 signs[32], u8 qh[8], u8 scales[8]
//       index = qs[G] | (bits 2l..2l+1 of qh[ib]) << 8 (kIq2sGrid); signs =
//       signs[G], all 8 stored; s as IQ2_XS
//     IQ2 element: x = d * (2s + 1) / 8 * level_j * (bit j of signs ? -1 : 1)
//   IQ3_XXS (98 bytes): f16 d, u8 qs[64], u32 aux[8]
//       elements 0..3 from kIq3xxsGrid[qs[2G]], 4..7 from kIq3xxsGrid[qs[2G + 1]];
//       signs of group l = bits 7l.. of aux[ib], s = aux[ib] >> 28;
//       x = d * (2s + 1) / 4 * level_j * sign_j
//   IQ3_S (110 bytes): f16 d, u8 qs[64], u8 qh[8], u8 signs[32], u8 scales[4]
//       elements 0..3 from kIq3sGrid[qs[2G] | (bit 2l of qh[ib]) << 8], 4..7
//       from kIq3sGrid[qs[2G + 1] | (bit 2l + 1 of qh[ib]) << 8]; signs =
//       signs[G]; s = nibble ib % 2 of scales[ib / 2]; x = d * (2s + 1) * level_j * sign_j
//   IQ1_S (50 bytes): f16 d, u8 qs[32], u16 qh[8]
//       index = qs[G] | (bits 3l..3l+2 of qh[ib]) << 8 (kIq1sGrid); s = bits
//       12..14 of qh[ib]; delta = bit 15 ? -1/8 : 1/8; x = d * (2s + 1) * (level_j + delta)
//   IQ1_M (56 bytes): u8 qs[32], u8 qh[16], u16 sc[4] (no separate d)
//       nibble n = bits 4(l % 2).. of qh[2 ib + l / 2]: index = qs[G] | (n & 7) << 8,
//       delta = n & 8 ? -1/8 : 1/8; s = bits 6(ib % 2) + 3(l / 2) .. +2 of sc[ib / 2];
//       d = the f16 whose four nibbles are the top nibbles of sc[0] (lowest) .. sc[3];
//       x = d * (2s + 1) * (level_j + delta)
//   The 7 stored sign bits get an eighth that makes the number of minus signs even.
//
// The scale products are those of ggml's dequantize_row_iq*: d * (0.5 + s) / 4
// equals d * (2s + 1) / 8 exactly (a power-of-two factor), so the values are
// bit-identical to ggml's.
#include <cstdint>

#include "quant/ggml_type.h"

namespace mrrope {

constexpr int kIq2XxsBytes = 66, kIq2XsBytes = 74, kIq2SBytes = 82, kIq3XxsBytes = 98, kIq3SBytes = 110,
              kIq1SBytes = 50, kIq1MBytes = 56;

// The eight sign bits from seven stored ones (bit 7 = parity of the others).
inline uint32_t iq_signs_from7(uint32_t s7) {
  uint32_t parity = s7 ^ (s7 >> 4);
  parity ^= parity >> 2;
  parity ^= parity >> 1;
  return s7 | ((parity & 1u) << 7);
}

bool is_iq_grid_type(GgmlType type);  // the seven types above

// Stores the f16 scale d (bits) of one block of a grid type: its first two
// bytes, or IQ1_M's four nibbles. Blocks of random bytes with a chosen d are
// how the tests and benchmarks make these weights (there is no quantizer).
void set_iq_block_scale(GgmlType type, uint8_t* block, uint16_t d_bits);

// n % 256 == 0 for all.
void dequantize_row_iq2_xxs(const uint8_t* src, float* dst, int64_t n);
void dequantize_row_iq2_xs(const uint8_t* src, float* dst, int64_t n);
void dequantize_row_iq2_s(const uint8_t* src, float* dst, int64_t n);
void dequantize_row_iq3_xxs(const uint8_t* src, float* dst, int64_t n);
void dequantize_row_iq3_s(const uint8_t* src, float* dst, int64_t n);
void dequantize_row_iq1_s(const uint8_t* src, float* dst, int64_t n);
void dequantize_row_iq1_m(const uint8_t* src, float* dst, int64_t n);

}  // namespace mrrope
