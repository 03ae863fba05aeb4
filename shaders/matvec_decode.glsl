// One 16-weight chunk of a quantized weight row, for matvec_fast.comp: per
// type, chunk_x(c, g) is the row element where group g (four consecutive
// weights) of chunk c starts, and chunk_dot(row_byte, c, x0..x3) the chunk's
// dot product with the activations x_g at those elements. The block's scales
// are read once per chunk and applied per group; Q4_0's -8 and the K-quant
// mins go through the activation sums, not per weight. No array or vector is
// indexed by a run-time value, so everything stays in registers.
// The including shader declares the views w16 (uint16_t), w32 (uint) and
// w128 (uvec4) of the weight buffer and defines one quantized WEIGHT_* type.

#include "quant_loads.glsl"
#if defined(WEIGHT_IQ4_NL) || defined(WEIGHT_IQ4_XS)
#include "iq4_levels.glsl"
#endif
#if defined(WEIGHT_TQ1_0)
#include "ternary.glsl"
#endif
#include "weight_tables.glsl"
#ifdef WEIGHT_IQ_GRID
uint iq_ld16(uint byte) { return ld16(byte); }
uint iq_ld32(uint byte) { return ld32_2(byte); }
#include "iq_decode.glsl"
#endif

// Fields of one 32-bit word, one per byte, as floats (bitfieldExtract per
// component: Q8_0, which decodes this way, ran 5x faster on an H100 than the
// types that shifted a uvec4 by a vector of shifts).
vec4 byte_fields(uint w, int shift, int bits) {
  return vec4(bitfieldExtract(w, shift, bits), bitfieldExtract(w, shift + 8, bits), bitfieldExtract(w, shift + 16, bits),
              bitfieldExtract(w, shift + 24, bits));
}
vec4 nibbles(uint w, uint shift) { return byte_fields(w, int(shift), 4); }
vec4 bytes_signed(uint w) {
  const int s = int(w);
  return vec4(bitfieldExtract(s, 0, 8), bitfieldExtract(s, 8, 8), bitfieldExtract(s, 16, 8), bitfieldExtract(s, 24, 8));
}
float hsum(vec4 v) { return dot(v, vec4(1.0)); }

#if defined(WEIGHT_Q8_0)
// Chunk c: half c & 1 (16 weights) of block c / 2.
uint chunk_x(uint c, uint g) { return (c >> 1) * 32u + (c & 1u) * 16u + 4u * g; }
float chunk_dot(uint row_byte, uint c, vec4 x0, vec4 x1, vec4 x2, vec4 x3) {
  const uint b = row_byte + (c >> 1) * BLOCK_BYTES, q = b + 2u + (c & 1u) * 16u;
  const float s = dot(bytes_signed(ld32_2(q)), x0) + dot(bytes_signed(ld32_2(q + 4u)), x1) +
                  dot(bytes_signed(ld32_2(q + 8u)), x2) + dot(bytes_signed(ld32_2(q + 12u)), x3);
  return ldf16(b) * s;
}
#elif defined(WEIGHT_Q4_0)
// Chunk c reads qs[8h .. 8h+7] of block c / 2 (h = c & 1): elements 8h.. from
// the low nibbles and 16+8h.. from the high ones.
uint chunk_x(uint c, uint g) { return (c >> 1) * 32u + (g >> 1) * 16u + (c & 1u) * 8u + (g & 1u) * 4u; }
float chunk_dot(uint row_byte, uint c, vec4 x0, vec4 x1, vec4 x2, vec4 x3) {
  const uint b = row_byte + (c >> 1) * BLOCK_BYTES, q = b + 2u + (c & 1u) * 8u;
  const uint w0 = ld32_2(q), w1 = ld32_2(q + 4u);
  const float s = dot(nibbles(w0, 0u), x0) + dot(nibbles(w1, 0u), x1) + dot(nibbles(w0, 4u), x2) +
                  dot(nibbles(w1, 4u), x3);
  return ldf16(b) * (s - 8.0 * (hsum(x0) + hsum(x1) + hsum(x2) + hsum(x3)));
}
#elif defined(WEIGHT_Q4_1) || defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1) || defined(WEIGHT_IQ4_NL)
// As Q4_0: chunk c reads qs[8h .. 8h+7] of block c / 2 (h = c & 1), elements
// 8h.. (low nibbles) and 16+8h.. (high nibbles). Q5's fifth bits are bits
// 8h.. and 16+8h.. of qh; Q4_1/Q5_1's minimum goes through the activation sums.
uint chunk_x(uint c, uint g) { return (c >> 1) * 32u + (g >> 1) * 16u + (c & 1u) * 8u + (g & 1u) * 4u; }
#if defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1)
// Four consecutive bits of w from bit `shift` on, as 0.0 / 1.0.
vec4 bits4(uint w, int shift) {
  return vec4(bitfieldExtract(w, shift, 1), bitfieldExtract(w, shift + 1, 1), bitfieldExtract(w, shift + 2, 1),
              bitfieldExtract(w, shift + 3, 1));
}
#endif
float chunk_dot(uint row_byte, uint c, vec4 x0, vec4 x1, vec4 x2, vec4 x3) {
  const uint b = row_byte + (c >> 1) * BLOCK_BYTES, h = c & 1u;
#if defined(WEIGHT_Q4_1)
  const uint q = b + 4u + 8u * h;  // 20-byte blocks: 4-byte aligned
  const uint w0 = w32[q >> 2], w1 = w32[(q >> 2) + 1u];
#elif defined(WEIGHT_Q5_1)
  const uint q = b + 8u + 8u * h;  // 24-byte blocks: 4-byte aligned
  const uint w0 = w32[q >> 2], w1 = w32[(q >> 2) + 1u], qh = w32[(b + 4u) >> 2];
#elif defined(WEIGHT_Q5_0)
  const uint q = b + 6u + 8u * h;
  const uint w0 = ld32_2(q), w1 = ld32_2(q + 4u), qh = ld32_2(b + 2u);
#else
  const uint q = b + 2u + 8u * h;
  const uint w0 = ld32_2(q), w1 = ld32_2(q + 4u);
#endif
#if defined(WEIGHT_IQ4_NL)
  const vec4 q0 = iq4_levels(w0, 0u), q1 = iq4_levels(w1, 0u), q2 = iq4_levels(w0, 4u), q3 = iq4_levels(w1, 4u);
#else
  vec4 q0 = nibbles(w0, 0u), q1 = nibbles(w1, 0u), q2 = nibbles(w0, 4u), q3 = nibbles(w1, 4u);
#endif
#if defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1)
  const int e = int(8u * h);
  q0 += 16.0 * bits4(qh, e);
  q1 += 16.0 * bits4(qh, e + 4);
  q2 += 16.0 * bits4(qh, e + 16);
  q3 += 16.0 * bits4(qh, e + 20);
#endif
  const float s = dot(q0, x0) + dot(q1, x1) + dot(q2, x2) + dot(q3, x3);
#if defined(WEIGHT_Q4_1) || defined(WEIGHT_Q5_1)
  const vec2 dm = unpackHalf2x16(w32[b >> 2]);
  return dm.x * s + dm.y * (hsum(x0) + hsum(x1) + hsum(x2) + hsum(x3));
#elif defined(WEIGHT_Q5_0)
  return ldf16(b) * (s - 16.0 * (hsum(x0) + hsum(x1) + hsum(x2) + hsum(x3)));
#else
  return ldf16(b) * s;
#endif
}
#elif defined(WEIGHT_IQ4_XS)
// 16 chunks per super-block: chunk t reads qs[16 ib + 8h .. +7] (ib = t / 2,
// h = t % 2), elements 8h.. and 16+8h.. of sub-block ib. Blocks are 136 bytes,
// so 4-byte loads are aligned; the header word holds d and scales_h.
uint chunk_x(uint c, uint g) {
  const uint t = c & 15u;
  return (c >> 4) * 256u + 32u * (t >> 1) + (g >> 1) * 16u + (t & 1u) * 8u + (g & 1u) * 4u;
}
float chunk_dot(uint row_byte, uint c, vec4 x0, vec4 x1, vec4 x2, vec4 x3) {
  const uint b = row_byte + (c >> 4) * BLOCK_BYTES, t = c & 15u, ib = t >> 1;
  const uint head = w32[b >> 2], scales_l = w32[(b >> 2) + 1u];
  const uint ls = ((scales_l >> (4u * ib)) & 0xfu) | (((head >> (16u + 2u * ib)) & 3u) << 4);
  const float dl = unpackHalf2x16(head).x * float(int(ls) - 32);
  const uint q = (b + 8u + 16u * ib + 8u * (t & 1u)) >> 2;
  const uint w0 = w32[q], w1 = w32[q + 1u];
  return dl * (dot(iq4_levels(w0, 0u), x0) + dot(iq4_levels(w1, 0u), x1) + dot(iq4_levels(w0, 4u), x2) +
               dot(iq4_levels(w1, 4u), x3));
}
#elif defined(WEIGHT_Q2_K) || defined(WEIGHT_Q3_K)
// Chunk c is sub-block s = c % 16 of super-block c / 16 (16 consecutive
// elements, one scale): element 128h + 32j + 16p + l (s = 8h + 2j + p) has its
// two low bits at bit 2j of qs[32h + 16p + l] and, for Q3_K, its high bit at
// bit 4h + j of hmask[16p + l]; the group g covers l = 4g .. 4g+3.
uint chunk_x(uint c, uint g) { return (c >> 4) * 256u + 16u * (c & 15u) + 4u * g; }
float chunk_dot(uint row_byte, uint c, vec4 x0, vec4 x1, vec4 x2, vec4 x3) {
  const uint b = row_byte + (c >> 4) * BLOCK_BYTES, s = c & 15u;
  const uint h = s >> 3, j = (s >> 1) & 3u, p = s & 1u;
  const int shift = int(2u * j);
#if defined(WEIGHT_Q2_K)
  // 84-byte blocks: 4-byte aligned.
  const uint q = (b + 16u + 32u * h + 16u * p) >> 2;
  const vec4 q0 = byte_fields(w32[q], shift, 2), q1 = byte_fields(w32[q + 1u], shift, 2);
  const vec4 q2 = byte_fields(w32[q + 2u], shift, 2), q3 = byte_fields(w32[q + 3u], shift, 2);
  const uint sc = (w32[(b >> 2) + (s >> 2)] >> (8u * (s & 3u))) & 0xffu;
  const vec2 dm = unpackHalf2x16(w32[(b + 80u) >> 2]);
  return dm.x * float(sc & 0xfu) * (dot(q0, x0) + dot(q1, x1) + dot(q2, x2) + dot(q3, x3)) -
         dm.y * float(sc >> 4) * (hsum(x0) + hsum(x1) + hsum(x2) + hsum(x3));
#else
  const uint q = b + 32u + 32u * h + 16u * p, m = b + 16u * p;
  const int hshift = int(4u * h + j);
  const vec4 q0 = byte_fields(ld32_2(q), shift, 2) + 4.0 * byte_fields(ld32_2(m), hshift, 1);
  const vec4 q1 = byte_fields(ld32_2(q + 4u), shift, 2) + 4.0 * byte_fields(ld32_2(m + 4u), hshift, 1);
  const vec4 q2 = byte_fields(ld32_2(q + 8u), shift, 2) + 4.0 * byte_fields(ld32_2(m + 8u), hshift, 1);
  const vec4 q3 = byte_fields(ld32_2(q + 12u), shift, 2) + 4.0 * byte_fields(ld32_2(m + 12u), hshift, 1);
  // The 6-bit scale: low nibble in scales[s % 8] (high nibble for s >= 8), two
  // high bits at bit 2(s/4) of scales[8 + s % 4]; scales start at byte 96.
  const uint lo = (ld16(b + 96u + (s & 6u)) >> (8u * (s & 1u) + (s >= 8u ? 4u : 0u))) & 0xfu;
  const uint hi = (ld16(b + 104u + (s & 2u)) >> (8u * (s & 1u) + 2u * (s >> 2))) & 3u;
  const float dl = ldf16(b + 108u) * float(int(lo | (hi << 4)) - 32);
  // Stored levels are 0..7 here: -4 through the activation sums.
  return dl * (dot(q0, x0) + dot(q1, x1) + dot(q2, x2) + dot(q3, x3) - 4.0 * (hsum(x0) + hsum(x1) + hsum(x2) + hsum(x3)));
#endif
}
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
// 16 chunks per super-block: chunk t reads qs[32p + l0 .. +7] (p = t / 4,
// l0 = 8 (t % 4)), whose low nibbles are elements l0.. of sub-block 2p and
// high nibbles those of sub-block 2p+1. Blocks are 16-byte multiples, so the
// header (d, dmin, scales) is one 128-bit load and the quants 32-bit loads.
uint chunk_x(uint c, uint g) {
  const uint t = c & 15u;
  return (c >> 4) * 256u + 64u * (t >> 2) + 32u * (g >> 1) + (t & 3u) * 8u + (g & 1u) * 4u;
}
float chunk_dot(uint row_byte, uint c, vec4 x0, vec4 x1, vec4 x2, vec4 x3) {
  const uint b = row_byte + (c >> 4) * BLOCK_BYTES, t = c & 15u, pair = t >> 2, l0 = (t & 3u) * 8u;
  const uvec4 head = w128[b >> 4];
  const vec2 dm = unpackHalf2x16(head.x);
  const uvec2 sm0 = scale_min(head, 2u * pair), sm1 = scale_min(head, 2u * pair + 1u);
  const uint q = (b + QS + 32u * pair + l0) >> 2;
  const uint w0 = w32[q], w1 = w32[q + 1u];
  vec4 q0 = nibbles(w0, 0u), q1 = nibbles(w1, 0u), q2 = nibbles(w0, 4u), q3 = nibbles(w1, 4u);
#if defined(WEIGHT_Q5_K)
  // qh[l] holds bit j of element l of sub-block j.
  const uint h0 = w32[(b + 16u + l0) >> 2] >> (2u * pair), h1 = w32[(b + 20u + l0) >> 2] >> (2u * pair);
  q0 += 16.0 * byte_fields(h0, 0, 1);
  q1 += 16.0 * byte_fields(h1, 0, 1);
  q2 += 16.0 * byte_fields(h0, 1, 1);
  q3 += 16.0 * byte_fields(h1, 1, 1);
#endif
  const float lo = dot(q0, x0) + dot(q1, x1), hi = dot(q2, x2) + dot(q3, x3);
  return dm.x * (float(sm0.x) * lo + float(sm1.x) * hi) -
         dm.y * (float(sm0.y) * (hsum(x0) + hsum(x1)) + float(sm1.y) * (hsum(x2) + hsum(x3)));
}
#elif defined(WEIGHT_Q6_K)
// 16 chunks per super-block: chunk t takes four bytes of each of ql[64h + l0],
// ql[64h + 32 + l0] and qh[32h + l0] (h = t / 8, l0 = 4 (t % 8)), which hold
// elements l0 + 32g .. +3 of half h for g = 0..3.
uint chunk_x(uint c, uint g) {
  const uint t = c & 15u;
  return (c >> 4) * 256u + 128u * (t >> 3) + 32u * g + (t & 7u) * 4u;
}
float chunk_dot(uint row_byte, uint c, vec4 x0, vec4 x1, vec4 x2, vec4 x3) {
  const uint b = row_byte + (c >> 4) * BLOCK_BYTES, t = c & 15u, h = t >> 3, l0 = (t & 7u) * 4u;
  const uint ql0 = ld32_2(b + 64u * h + l0), ql1 = ld32_2(b + 64u * h + 32u + l0);
  const uint qh = ld32_2(b + 128u + 32u * h + l0);
  // scales[8h + 2g + l0 / 16]: the 16-bit words at 192 + 8h + 2g hold scales 2g, 2g+1.
  const uint sc = b + 192u + 8u * h;
  const int shift = int(l0 >> 4) * 8;
  const vec4 s = vec4(bitfieldExtract(int(ld16(sc)), shift, 8), bitfieldExtract(int(ld16(sc + 2u)), shift, 8),
                      bitfieldExtract(int(ld16(sc + 4u)), shift, 8), bitfieldExtract(int(ld16(sc + 6u)), shift, 8));
  // 6-bit values: low nibble from ql, two high bits from qh.
  const vec4 q0 = byte_fields(ql0, 0, 4) + 16.0 * byte_fields(qh, 0, 2) - 32.0;
  const vec4 q1 = byte_fields(ql1, 0, 4) + 16.0 * byte_fields(qh, 2, 2) - 32.0;
  const vec4 q2 = byte_fields(ql0, 4, 4) + 16.0 * byte_fields(qh, 4, 2) - 32.0;
  const vec4 q3 = byte_fields(ql1, 4, 4) + 16.0 * byte_fields(qh, 6, 2) - 32.0;
  return ldf16(b + 208u) * (s.x * dot(q0, x0) + s.y * dot(q1, x1) + s.z * dot(q2, x2) + s.w * dot(q3, x3));
}
#elif defined(WEIGHT_TQ2_0)
// 16 chunks per super-block: chunk t reads the word qs[32h + l0 .. +3] (h = t / 8,
// l0 = 4 (t % 8)), whose bits 2g.. are elements 128h + 32g + l0 .. +3.
uint chunk_x(uint c, uint g) {
  const uint t = c & 15u;
  return (c >> 4) * 256u + 128u * (t >> 3) + 32u * g + 4u * (t & 7u);
}
float chunk_dot(uint row_byte, uint c, vec4 x0, vec4 x1, vec4 x2, vec4 x3) {
  const uint b = row_byte + (c >> 4) * BLOCK_BYTES, t = c & 15u;
  const uint w = ld32_2(b + 32u * (t >> 3) + 4u * (t & 7u));
  const float s = dot(byte_fields(w, 0, 2), x0) + dot(byte_fields(w, 2, 2), x1) + dot(byte_fields(w, 4, 2), x2) +
                  dot(byte_fields(w, 6, 2), x3);
  // Stored levels are q = 0..3 for q - 1: the -1 through the activation sums.
  return ldf16(b + 64u) * (s - (hsum(x0) + hsum(x1) + hsum(x2) + hsum(x3)));
}
#elif defined(WEIGHT_TQ1_0)
// 16 chunks per super-block of 16 consecutive elements 16t..: for t < 10 trit
// t / 2 of qs[16 (t % 2) ..], for t = 10..14 trit t - 10 of qs[32 ..], group g
// reading four bytes from 4g on; chunk 15 (elements 240..255) is trit g of
// qh[0..3] for group g.
uint chunk_x(uint c, uint g) { return (c >> 4) * 256u + 16u * (c & 15u) + 4u * g; }
float chunk_dot(uint row_byte, uint c, vec4 x0, vec4 x1, vec4 x2, vec4 x3) {
  const uint b = row_byte + (c >> 4) * BLOCK_BYTES, t = c & 15u;
  const bool qh = t == 15u;
  const uint q = b + (t < 10u ? 16u * (t & 1u) : (qh ? 48u : 32u));
  const uint step = qh ? 0u : 4u, trit = t < 10u ? t >> 1 : t - 10u;
  const vec4 q0 = tq1_trits(ld32_2(q), qh ? 0u : trit), q1 = tq1_trits(ld32_2(q + step), qh ? 1u : trit);
  const vec4 q2 = tq1_trits(ld32_2(q + 2u * step), qh ? 2u : trit), q3 = tq1_trits(ld32_2(q + 3u * step), qh ? 3u : trit);
  // Trits 0..2 for levels -1..1: the -1 through the activation sums.
  return ldf16(b + 52u) * (dot(q0, x0) + dot(q1, x1) + dot(q2, x2) + dot(q3, x3) -
                           (hsum(x0) + hsum(x1) + hsum(x2) + hsum(x3)));
}
#elif defined(WEIGHT_IQ_GRID)
// 16 chunks per super-block: chunk t is elements 16t .. 16t+15, the groups
// 2t and 2t+1 (iq_decode.glsl), each with its own scale.
uint chunk_x(uint c, uint g) { return (c >> 4) * 256u + 16u * (c & 15u) + 4u * g; }
float chunk_dot(uint row_byte, uint c, vec4 x0, vec4 x1, vec4 x2, vec4 x3) {
  const uint b = row_byte + (c >> 4) * BLOCK_BYTES, g = 2u * (c & 15u);
  vec4 lo0, hi0, lo1, hi1;
  const float s0 = iq_group(b, g, lo0, hi0), s1 = iq_group(b, g + 1u, lo1, hi1);
  return s0 * (dot(lo0, x0) + dot(hi0, x1)) + s1 * (dot(lo1, x2) + dot(hi1, x3));
}
#endif
