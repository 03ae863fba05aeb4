// Reading GGML weight blocks from a buffer of 32-bit words, so that no 8- or
// 16-bit storage feature is needed. Blocks are 2-byte aligned (block_q4_0 is
// 18 bytes, block_q8_0 34), so reads combine two words where needed.
// The including shader declares `uint weights[]` and defines one of
// WEIGHT_F32, WEIGHT_F16, WEIGHT_BF16, WEIGHT_Q8_0, WEIGHT_Q4_0, WEIGHT_Q4_1,
// WEIGHT_Q5_0, WEIGHT_Q5_1, WEIGHT_IQ4_NL, WEIGHT_IQ4_XS, WEIGHT_Q2_K, WEIGHT_Q3_K, WEIGHT_Q4_K,
// WEIGHT_Q5_K, WEIGHT_Q6_K, WEIGHT_TQ1_0, WEIGHT_TQ2_0 and the grid types WEIGHT_IQ2_XXS,
// WEIGHT_IQ2_XS, WEIGHT_IQ2_S, WEIGHT_IQ3_XXS, WEIGHT_IQ3_S, WEIGHT_IQ1_S, WEIGHT_IQ1_M.
// The K-quants, IQ4_XS, the ternary and the grid types (256-element super-blocks of 50 to
// 210 bytes) are read in 32-element sub-blocks, so kernels iterate over SUB_BLOCK-sized
// pieces whatever BLOCK_ELEMS is. Kernels call weight_tables_init() first (the grid
// types' tables, weight_tables.glsl).

uint w_u16(uint byte_offset) {  // byte_offset even
  return (weights[byte_offset >> 2] >> ((byte_offset & 2u) * 8u)) & 0xffffu;
}

uint w_u32(uint byte_offset) {  // byte_offset even
  const uint i = byte_offset >> 2;
  if ((byte_offset & 2u) == 0u) return weights[i];
  return (weights[i] >> 16) | (weights[i + 1u] << 16);
}

float w_f16(uint byte_offset) { return unpackHalf2x16(w_u16(byte_offset)).x; }

uint w_u8(uint byte_offset) { return (weights[byte_offset >> 2] >> ((byte_offset & 3u) * 8u)) & 0xffu; }

#include "weight_tables.glsl"

#if defined(WEIGHT_Q4_1) || defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1) || defined(WEIGHT_IQ4_NL)
#define WEIGHT_LEGACY32 1  // 32-element blocks: f16 scale(s), then qh and/or qs
#endif
#if defined(WEIGHT_Q8_0) || defined(WEIGHT_Q4_0) || defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K) || \
    defined(WEIGHT_Q6_K) || defined(WEIGHT_LEGACY32) || defined(WEIGHT_IQ4_XS) || defined(WEIGHT_Q2_K) || \
    defined(WEIGHT_Q3_K) || defined(WEIGHT_TQ1_0) || defined(WEIGHT_TQ2_0) || defined(WEIGHT_IQ_GRID)
#define WEIGHT_QUANTIZED 1
#endif
#if defined(WEIGHT_IQ4_NL) || defined(WEIGHT_IQ4_XS)
#include "iq4_levels.glsl"
#endif
#if defined(WEIGHT_TQ1_0)
#include "ternary.glsl"
#endif
#ifdef WEIGHT_IQ_GRID
uint iq_ld16(uint byte) { return w_u16(byte); }
uint iq_ld32(uint byte) { return w_u32(byte); }
#include "iq_decode.glsl"
#endif
// Quantized kernels step through rows in sub-blocks of 32 elements; dequant8
// takes the sub-block index (for Q8_0 / Q4_0 a sub-block is a block).
const uint SUB_BLOCK = 32u;

#if defined(WEIGHT_F32)
const uint BLOCK_ELEMS = 1u, BLOCK_BYTES = 4u;
#elif defined(WEIGHT_F16) || defined(WEIGHT_BF16)
const uint BLOCK_ELEMS = 1u, BLOCK_BYTES = 2u;
#elif defined(WEIGHT_Q8_0)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 34u;
#elif defined(WEIGHT_Q4_0)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 18u;
#elif defined(WEIGHT_Q4_1)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 20u, QS = 4u;  // f16 d, f16 m, qs[16]
#elif defined(WEIGHT_Q5_0)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 22u, QH = 2u, QS = 6u;  // f16 d, qh[4], qs[16]
#elif defined(WEIGHT_Q5_1)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 24u, QH = 4u, QS = 8u;  // f16 d, f16 m, qh[4], qs[16]
#elif defined(WEIGHT_IQ4_NL)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 18u, QS = 2u;  // f16 d, qs[16] (level indices)
#elif defined(WEIGHT_IQ4_XS)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 136u;  // f16 d, u16 scales_h, scales_l[4], qs[128]
#elif defined(WEIGHT_Q2_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 84u;  // scales[16], qs[64], f16 d, f16 dmin
#elif defined(WEIGHT_Q3_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 110u;  // hmask[32], qs[64], scales[12], f16 d
#elif defined(WEIGHT_Q4_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 144u;  // d, dmin, scales[12], qs[128]
#elif defined(WEIGHT_Q5_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 176u;  // d, dmin, scales[12], qh[32], qs[128]
#elif defined(WEIGHT_Q6_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 210u;  // ql[128], qh[64], int8 scales[16], d
#elif defined(WEIGHT_TQ1_0)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 54u;  // qs[48], qh[4], f16 d
#elif defined(WEIGHT_TQ2_0)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 66u;  // qs[64], f16 d
#elif defined(WEIGHT_IQ2_XXS)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 66u;  // f16 d, u16 qs[32]
#elif defined(WEIGHT_IQ2_XS)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 74u;  // f16 d, u16 qs[32], scales[8]
#elif defined(WEIGHT_IQ2_S)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 82u;  // f16 d, qs[32], signs[32], qh[8], scales[8]
#elif defined(WEIGHT_IQ3_XXS)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 98u;  // f16 d, qs[64], u32 scales and signs[8]
#elif defined(WEIGHT_IQ3_S)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 110u;  // f16 d, qs[64], qh[8], signs[32], scales[4]
#elif defined(WEIGHT_IQ1_S)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 50u;  // f16 d, qs[32], u16 qh[8]
#elif defined(WEIGHT_IQ1_M)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 56u;  // qs[32], qh[16], u16 scales[4] (d in their top nibbles)
#else
#error "define a WEIGHT_* type"
#endif

#if defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
// ggml's get_scale_min_k4: 6-bit scale and min of sub-block j (0..7), packed in
// the 12 bytes at s, already multiplied by the super-block's d and dmin. The
// products are exact in float, as on the CPU.
void kq_scale_min(uint b, uint j, out float d1, out float m1) {
  const uint s = b + 4u;
  uint sc, m;
  if (j < 4u) {
    sc = w_u8(s + j) & 63u;
    m = w_u8(s + j + 4u) & 63u;
  } else {
    const uint lo = w_u8(s + j + 4u);
    sc = (lo & 0xfu) | ((w_u8(s + j - 4u) >> 6) << 4);
    m = (lo >> 4) | ((w_u8(s + j) >> 6) << 4);
  }
  d1 = w_f16(b) * float(sc);
  m1 = w_f16(b + 2u) * float(m);
}
#endif

#ifdef WEIGHT_LEGACY32
// Level (4 or 5 bits) of element j (0..31) of the block at b: low nibble of
// qs[j % 16] (high nibble for j >= 16), fifth bit = bit j of qh.
uint legacy_level(uint b, uint j) {
  uint q = (w_u8(b + QS + (j & 15u)) >> (j >= 16u ? 4u : 0u)) & 0xfu;
#if defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1)
  q |= ((w_u32(b + QH) >> j) & 1u) << 4;
#endif
  return q;
}
#endif

#ifdef WEIGHT_IQ4_XS
// d * (ls - 32) of sub-block ib (0..7) of the super-block at b: ls has its
// low nibble in scales_l (byte 4 + ib/2) and two high bits in scales_h.
float iq4xs_scale(uint b, uint ib) {
  const uint ls = ((w_u8(b + 4u + (ib >> 1)) >> ((ib & 1u) * 4u)) & 0xfu) | (((w_u16(b + 2u) >> (2u * ib)) & 3u) << 4);
  return w_f16(b) * float(int(ls) - 32);
}
#endif

#if defined(WEIGHT_Q2_K) || defined(WEIGHT_Q3_K)
// Element e = 128h + 32j + 16p + l of a super-block: sub-block e / 16, two
// low bits at bit 2j of qs[32h + 16p + l], Q3_K's high bit at bit 4h + j of
// hmask[16p + l]. The byte offsets here are from the block start.
uint k23_q_byte(uint e) { return 32u * (e >> 7) + 16u * ((e >> 4) & 1u) + (e & 15u); }
#endif
#ifdef WEIGHT_Q3_K
// d * (ls - 32) of sub-block s: the 6-bit scale's low nibble in scales[s % 8]
// (high nibble for s >= 8), its two high bits at bit 2(s/4) of scales[8 + s%4].
float q3k_scale(uint b, uint s) {
  const uint lo = (w_u8(b + 96u + (s & 7u)) >> (s >= 8u ? 4u : 0u)) & 0xfu;
  const uint hi = (w_u8(b + 104u + (s & 3u)) >> (2u * (s >> 2))) & 3u;
  return w_f16(b + 108u) * float(int(lo | (hi << 4)) - 32);
}
#endif

#ifdef WEIGHT_TQ1_0
// Byte (from the block start: qs, then qh at 48) and trit of element e:
// e = 32t + m in qs[m] below 160, 160 + 16t + m in qs[32 + m] below 240,
// 240 + 4t + m in qh[m] (dequantize_row_tq1_0's order).
uvec2 tq1_place(uint e) {
  if (e < 160u) return uvec2(e & 31u, e >> 5);
  if (e < 240u) return uvec2(32u + (e & 15u), (e - 160u) >> 4);
  return uvec2(48u + (e & 3u), (e - 240u) >> 2);
}
#endif

// One weight element at element index k of the row starting at row_byte.
// Bit-exact with the CPU's dequantization (the embedding lookup relies on it):
// `precise` keeps d*q + m from becoming a fused multiply-add.
float weight_at(uint row_byte, uint k) {
#if defined(WEIGHT_F32)
  return uintBitsToFloat(weights[(row_byte >> 2) + k]);
#elif defined(WEIGHT_F16)
  return w_f16(row_byte + 2u * k);
#elif defined(WEIGHT_BF16)
  return uintBitsToFloat(w_u16(row_byte + 2u * k) << 16);
#elif defined(WEIGHT_Q8_0)
  const uint b = row_byte + (k >> 5) * BLOCK_BYTES;
  const uint j = k & 31u;
  const uint byte = b + 2u + j;
  const uint word = weights[byte >> 2] >> ((byte & 3u) * 8u);
  return w_f16(b) * float(bitfieldExtract(int(word), 0, 8));
#elif defined(WEIGHT_Q4_0)
  const uint b = row_byte + (k >> 5) * BLOCK_BYTES;
  const uint j = k & 31u;
  const uint byte = b + 2u + (j & 15u);
  const uint q = (weights[byte >> 2] >> ((byte & 3u) * 8u + (j >= 16u ? 4u : 0u))) & 0xfu;
  return w_f16(b) * (float(q) - 8.0);
#elif defined(WEIGHT_LEGACY32)
  const uint b = row_byte + (k >> 5) * BLOCK_BYTES;
  const float q = float(legacy_level(b, k & 31u));
#if defined(WEIGHT_Q4_1) || defined(WEIGHT_Q5_1)
  precise float v = q * w_f16(b) + w_f16(b + 2u);
  return v;
#elif defined(WEIGHT_Q5_0)
  return (q - 16.0) * w_f16(b);
#else
  return w_f16(b) * iq4_level(uint(q));
#endif
#elif defined(WEIGHT_IQ4_XS)
  const uint b = row_byte + (k >> 8) * BLOCK_BYTES;
  const uint ib = (k >> 5) & 7u, j = k & 31u;
  const uint q = (w_u8(b + 8u + 16u * ib + (j & 15u)) >> (j >= 16u ? 4u : 0u)) & 0xfu;
  return iq4xs_scale(b, ib) * iq4_level(q);
#elif defined(WEIGHT_Q2_K)
  const uint b = row_byte + (k >> 8) * BLOCK_BYTES, e = k & 255u;
  const uint sc = w_u8(b + (e >> 4));
  const float q = float((w_u8(b + 16u + k23_q_byte(e)) >> (2u * ((e >> 5) & 3u))) & 3u);
  precise float v = (w_f16(b + 80u) * float(sc & 0xfu)) * q - w_f16(b + 82u) * float(sc >> 4);
  return v;
#elif defined(WEIGHT_Q3_K)
  const uint b = row_byte + (k >> 8) * BLOCK_BYTES, e = k & 255u;
  const uint low = (w_u8(b + 32u + k23_q_byte(e)) >> (2u * ((e >> 5) & 3u))) & 3u;
  const uint high = (w_u8(b + 16u * ((e >> 4) & 1u) + (e & 15u)) >> (4u * (e >> 7) + ((e >> 5) & 3u))) & 1u;
  return q3k_scale(b, e >> 4) * float(int(low) - (high != 0u ? 0 : 4));
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
  const uint b = row_byte + (k >> 8) * BLOCK_BYTES;
  const uint j = (k >> 5) & 7u, l = k & 31u;
  float d1, m1;
  kq_scale_min(b, j, d1, m1);
#if defined(WEIGHT_Q4_K)
  const uint q = (w_u8(b + 16u + (j >> 1) * 32u + l) >> ((j & 1u) * 4u)) & 0xfu;
#else
  const uint q = ((w_u8(b + 48u + (j >> 1) * 32u + l) >> ((j & 1u) * 4u)) & 0xfu) |
                 (((w_u8(b + 16u + l) >> j) & 1u) << 4);
#endif
  return d1 * float(q) - m1;
#elif defined(WEIGHT_Q6_K)
  const uint b = row_byte + (k >> 8) * BLOCK_BYTES;
  const uint half_ = (k >> 7) & 1u, quarter = (k >> 5) & 3u, l = k & 31u;
  const uint lo = (w_u8(b + half_ * 64u + (quarter & 1u) * 32u + l) >> ((quarter >> 1) * 4u)) & 0xfu;
  const uint hi = (w_u8(b + 128u + half_ * 32u + l) >> (quarter * 2u)) & 3u;
  const int sc = bitfieldExtract(int(w_u8(b + 192u + half_ * 8u + (l >> 4) + 2u * quarter)), 0, 8);
  return (w_f16(b + 208u) * float(sc)) * float(int(lo | (hi << 4)) - 32);
#elif defined(WEIGHT_TQ1_0)
  const uint b = row_byte + (k >> 8) * BLOCK_BYTES;
  const uvec2 at = tq1_place(k & 255u);
  return float(int(tq1_trit(w_u8(b + at.x), at.y)) - 1) * w_f16(b + 52u);
#elif defined(WEIGHT_TQ2_0)
  // Element e = 128h + 32j + m: bits 2j.. of qs[32h + m].
  const uint b = row_byte + (k >> 8) * BLOCK_BYTES, e = k & 255u;
  const uint q = (w_u8(b + 32u * (e >> 7) + (e & 31u)) >> (2u * ((e >> 5) & 3u))) & 3u;
  return float(int(q) - 1) * w_f16(b + 64u);
#elif defined(WEIGHT_IQ_GRID)
  vec4 lo, hi;
  const uint j = k & 7u;
  const float scale = iq_group(row_byte + (k >> 8) * BLOCK_BYTES, (k >> 3) & 31u, lo, hi);
  return scale * (j < 4u ? lo[j] : hi[j & 3u]);
#endif
}

#ifdef WEIGHT_QUANTIZED
// Eight consecutive weights k0..k0+7 of 32-element sub-block `block` of the
// row (k0 = 0, 8, 16 or 24).
void dequant8(uint row_byte, uint block, uint k0, out float v[8]) {
#if defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
  const uint b = row_byte + (block >> 3) * BLOCK_BYTES;
  const uint j = block & 7u;
  float d1, m1;
  kq_scale_min(b, j, d1, m1);
  const uint shift = (j & 1u) * 4u;
#if defined(WEIGHT_Q4_K)
  const uint byte0 = b + 16u + (j >> 1) * 32u + k0;
  const uint h0 = 0u, h1 = 0u;
#else
  const uint byte0 = b + 48u + (j >> 1) * 32u + k0;
  // qh[l] holds bit j of element l of every sub-block; moved to bit 4 below.
  const uint h0 = w_u32(b + 16u + k0) >> j, h1 = w_u32(b + 20u + k0) >> j;
#endif
  const uint w0 = w_u32(byte0), w1 = w_u32(byte0 + 4u);
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    v[i] = d1 * float(((w0 >> (8u * i + shift)) & 0xfu) | (((h0 >> (8u * i)) & 1u) << 4)) - m1;
    v[i + 4u] = d1 * float(((w1 >> (8u * i + shift)) & 0xfu) | (((h1 >> (8u * i)) & 1u) << 4)) - m1;
  }
#elif defined(WEIGHT_Q6_K)
  const uint b = row_byte + (block >> 3) * BLOCK_BYTES;
  const uint half_ = (block >> 2) & 1u, quarter = block & 3u;
  const uint byte0 = b + half_ * 64u + (quarter & 1u) * 32u + k0;
  const uint shift = (quarter >> 1) * 4u, hshift = quarter * 2u;
  const uint w0 = w_u32(byte0), w1 = w_u32(byte0 + 4u);
  const uint h0 = w_u32(b + 128u + half_ * 32u + k0), h1 = w_u32(b + 132u + half_ * 32u + k0);
  const int sc = bitfieldExtract(int(w_u8(b + 192u + half_ * 8u + (k0 >> 4) + 2u * quarter)), 0, 8);
  const float ds = w_f16(b + 208u) * float(sc);
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    const uint q0 = ((w0 >> (8u * i + shift)) & 0xfu) | (((h0 >> (8u * i + hshift)) & 3u) << 4);
    const uint q1 = ((w1 >> (8u * i + shift)) & 0xfu) | (((h1 >> (8u * i + hshift)) & 3u) << 4);
    v[i] = ds * float(int(q0) - 32);
    v[i + 4u] = ds * float(int(q1) - 32);
  }
#elif defined(WEIGHT_Q2_K) || defined(WEIGHT_Q3_K)
  // 32-element piece p = block % 8 of the super-block is elements 32p..: h = p / 4,
  // j = p % 4; k0 picks sub-block 2p + k0/16 and its bytes from l0 = k0 % 16.
  const uint b = row_byte + (block >> 3) * BLOCK_BYTES, p = block & 7u;
  const uint h = p >> 2, j = p & 3u, part = k0 >> 4, l0 = k0 & 15u, sub = 2u * p + part;
#if defined(WEIGHT_Q2_K)
  const uint byte0 = b + 16u + 32u * h + 16u * part + l0;
  const uint sc = w_u8(b + sub);
  const float dl = w_f16(b + 80u) * float(sc & 0xfu), ml = w_f16(b + 82u) * float(sc >> 4);
#else
  const uint byte0 = b + 32u + 32u * h + 16u * part + l0;
  const float dl = q3k_scale(b, sub);
  const uint m0 = w_u32(b + 16u * part + l0), m1 = w_u32(b + 16u * part + l0 + 4u);
  const uint hshift = 4u * h + j;
#endif
  const uint w0 = w_u32(byte0), w1 = w_u32(byte0 + 4u);
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    const uint q0 = (w0 >> (8u * i + 2u * j)) & 3u, q1 = (w1 >> (8u * i + 2u * j)) & 3u;
#if defined(WEIGHT_Q2_K)
    v[i] = dl * float(q0) - ml;
    v[i + 4u] = dl * float(q1) - ml;
#else
    // Level - 4 unless the hmask bit is set.
    v[i] = dl * float(int(q0) - 4 + 4 * int((m0 >> (8u * i + hshift)) & 1u));
    v[i + 4u] = dl * float(int(q1) - 4 + 4 * int((m1 >> (8u * i + hshift)) & 1u));
#endif
  }
#elif defined(WEIGHT_TQ2_0)
  // Piece p = block % 8 is elements 32p..32p+31: bits 2(p % 4).. of qs[32(p / 4) ..].
  const uint b = row_byte + (block >> 3) * BLOCK_BYTES, p = block & 7u;
  const uint byte0 = b + 32u * (p >> 2) + k0, shift = 2u * (p & 3u);
  const float d = w_f16(b + 64u);
  const uint w0 = w_u32(byte0), w1 = w_u32(byte0 + 4u);
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    v[i] = float(int((w0 >> (8u * i + shift)) & 3u) - 1) * d;
    v[i + 4u] = float(int((w1 >> (8u * i + shift)) & 3u) - 1) * d;
  }
#elif defined(WEIGHT_TQ1_0)
  // Elements 32p + k0 .. +7 (p = block % 8): trit p of qs[k0 ..] for p < 5; then
  // trit 2(p - 5) + k0/16 of qs[32 + k0 % 16 ..] up to element 239; the last 16
  // are qh[0..3]'s trits, four elements per trit (k0 = 16: trits 0, 1; 24: 2, 3).
  const uint b = row_byte + (block >> 3) * BLOCK_BYTES, p = block & 7u;
  const bool qh = p == 7u && k0 >= 16u;
  uint byte0 = b + k0, t0 = p, t1 = p;
  if (qh) {
    byte0 = b + 48u;
    t0 = (k0 - 16u) >> 2;
    t1 = t0 + 1u;
  } else if (p >= 5u) {
    byte0 = b + 32u + (k0 & 15u);
    t0 = t1 = 2u * (p - 5u) + (k0 >> 4);
  }
  const uint byte1 = qh ? byte0 : byte0 + 4u;
  const float d = w_f16(b + 52u);
  const vec4 q0 = tq1_trits(w_u32(byte0), t0), q1 = tq1_trits(w_u32(byte1), t1);
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    v[i] = (q0[i] - 1.0) * d;
    v[i + 4u] = (q1[i] - 1.0) * d;
  }
#elif defined(WEIGHT_IQ_GRID)
  // Elements k0..k0+7 of sub-block `block` are one group of the super-block.
  vec4 lo, hi;
  const float scale = iq_group(row_byte + (block >> 3) * BLOCK_BYTES, 4u * (block & 7u) + (k0 >> 3), lo, hi);
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    v[i] = scale * lo[i];
    v[i + 4u] = scale * hi[i];
  }
#elif defined(WEIGHT_LEGACY32) || defined(WEIGHT_IQ4_XS)
  // Elements k0..k0+7 are nibbles of eight consecutive qs bytes (high
  // nibbles from k0 = 16 on).
#if defined(WEIGHT_IQ4_XS)
  const uint b = row_byte + (block >> 3) * BLOCK_BYTES;
  const float d = iq4xs_scale(b, block & 7u);
  const uint byte0 = b + 8u + 16u * (block & 7u) + (k0 & 15u);
#else
  const uint b = row_byte + block * BLOCK_BYTES;
  const float d = w_f16(b);
  const uint byte0 = b + QS + (k0 & 15u);
#endif
  const uint shift = k0 >= 16u ? 4u : 0u;
  const uint w0 = w_u32(byte0), w1 = w_u32(byte0 + 4u);
#if defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1)
  const uint h = w_u32(b + QH) >> k0;  // bit i: fifth bit of element k0 + i
#else
  const uint h = 0u;
#endif
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    const uint q0 = ((w0 >> (8u * i + shift)) & 0xfu) | (((h >> i) & 1u) << 4);
    const uint q1 = ((w1 >> (8u * i + shift)) & 0xfu) | (((h >> (i + 4u)) & 1u) << 4);
#if defined(WEIGHT_Q4_1) || defined(WEIGHT_Q5_1)
    const float m = w_f16(b + 2u);
    v[i] = float(q0) * d + m;
    v[i + 4u] = float(q1) * d + m;
#elif defined(WEIGHT_Q5_0)
    v[i] = (float(q0) - 16.0) * d;
    v[i + 4u] = (float(q1) - 16.0) * d;
#else
    v[i] = d * iq4_level(q0);
    v[i + 4u] = d * iq4_level(q1);
#endif
  }
#else
  const uint b = row_byte + block * BLOCK_BYTES;
  const float d = w_f16(b);
#if defined(WEIGHT_Q8_0)
  const uint w0 = w_u32(b + 2u + k0), w1 = w_u32(b + 6u + k0);
  [[unroll]] for (int i = 0; i < 4; ++i) {
    v[i] = d * float(bitfieldExtract(int(w0), 8 * i, 8));
    v[i + 4] = d * float(bitfieldExtract(int(w1), 8 * i, 8));
  }
#else
  const uint byte0 = b + 2u + (k0 & 15u);
  const uint shift = k0 >= 16u ? 4u : 0u;
  const uint w0 = w_u32(byte0), w1 = w_u32(byte0 + 4u);
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    v[i] = d * (float((w0 >> (8u * i + shift)) & 0xfu) - 8.0);
    v[i + 4u] = d * (float((w1 >> (8u * i + shift)) & 0xfu) - 8.0);
  }
#endif
#endif
}
#endif
