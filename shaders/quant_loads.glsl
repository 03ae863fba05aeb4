// Loads of quantized-block fields from the weight views w16 (uint16_t),
// w32 (uint) and w128 (uvec4) that the including shader declares, and the
// K-quant 6-bit scale/min decoding shared by the matrix-vector kernels, and
// the block layout of the WEIGHT_* type being compiled (ggml's).

#if defined(WEIGHT_Q8_0)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 34u;  // f16 d, int8 qs[32]
#elif defined(WEIGHT_Q4_0)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 18u;  // f16 d, u8 qs[16]
#elif defined(WEIGHT_Q4_1)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 20u;  // f16 d, f16 m, u8 qs[16]
#elif defined(WEIGHT_Q5_0)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 22u;  // f16 d, u8 qh[4], u8 qs[16]
#elif defined(WEIGHT_Q5_1)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 24u;  // f16 d, f16 m, u8 qh[4], u8 qs[16]
#elif defined(WEIGHT_IQ4_NL)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 18u;  // f16 d, u8 qs[16] (level indices)
#elif defined(WEIGHT_IQ4_XS)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 136u;  // f16 d, u16 scales_h, u8 scales_l[4], u8 qs[128]
#elif defined(WEIGHT_Q2_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 84u;  // u8 scales[16], u8 qs[64], f16 d, f16 dmin
#elif defined(WEIGHT_Q3_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 110u;  // u8 hmask[32], u8 qs[64], u8 scales[12], f16 d
#elif defined(WEIGHT_Q4_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 144u, QS = 16u;  // d, dmin, scales[12], qs[128]
#elif defined(WEIGHT_Q5_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 176u, QS = 48u;  // d, dmin, scales[12], qh[32], qs[128]
#elif defined(WEIGHT_Q6_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 210u;  // ql[128], qh[64], int8 scales[16], f16 d
#elif defined(WEIGHT_TQ1_0)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 54u;  // u8 qs[48], u8 qh[4], f16 d
#elif defined(WEIGHT_TQ2_0)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 66u;  // u8 qs[64], f16 d
#elif defined(WEIGHT_IQ2_XXS)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 66u;  // f16 d, u16 qs[32]
#elif defined(WEIGHT_IQ2_XS)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 74u;  // f16 d, u16 qs[32], u8 scales[8]
#elif defined(WEIGHT_IQ2_S)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 82u;  // f16 d, u8 qs[32], signs[32], qh[8], scales[8]
#elif defined(WEIGHT_IQ3_XXS)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 98u;  // f16 d, u8 qs[64], u32 scales and signs[8]
#elif defined(WEIGHT_IQ3_S)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 110u;  // f16 d, u8 qs[64], qh[8], signs[32], scales[4]
#elif defined(WEIGHT_IQ1_S)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 50u;  // f16 d, u8 qs[32], u16 qh[8]
#elif defined(WEIGHT_IQ1_M)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 56u;  // u8 qs[32], qh[16], u16 scales[4]
#endif

uint ld16(uint byte) { return uint(w16[byte >> 1]); }
// A 32-bit word at a 2-byte aligned offset (Q8_0, Q4_0, Q5_0, IQ4_NL, Q3_K,
// Q6_K, TQ1_0 and TQ2_0 blocks are 34, 18, 22, 18, 110, 210, 54 and 66 bytes, the
// IQ1/IQ2/IQ3 grid types' 50 to 110: no wider alignment holds).
uint ld32_2(uint byte) { return ld16(byte) | (ld16(byte + 2u) << 16); }
float ldf16(uint byte) { return unpackHalf2x16(ld16(byte)).x; }

// Byte i of the 12 scale bytes (words 1..3 of the block's first 16 bytes).
uint scale_byte(uvec4 head, uint i) {
  const uint w = i < 4u ? head.y : (i < 8u ? head.z : head.w);
  return (w >> ((i & 3u) * 8u)) & 0xffu;
}
// ggml's get_scale_min_k4: the 6-bit scale and min of sub-block j (0..7).
uvec2 scale_min(uvec4 head, uint j) {
  if (j < 4u) return uvec2(scale_byte(head, j) & 63u, scale_byte(head, j + 4u) & 63u);
  const uint lo = scale_byte(head, j + 4u);
  return uvec2((lo & 0xfu) | ((scale_byte(head, j - 4u) >> 6) << 4), (lo >> 4) | ((scale_byte(head, j) >> 6) << 4));
}
