// One chunk of a quantized weight row for matvec_int8.comp: per type,
// chunk(r, row_byte, c) unpacks chunk c of the row starting at row_byte into
// int8 words in activation order and adds its products with every column to
// acc[r * NUM_COLS + b]. A chunk is 32 weights: one activation block for
// Q8_0 and Q4_0, halves of two blocks that share quant bytes for K-quants.
// Offsets stay out of the int8 words: the activation sums take them (Q4_0's
// -8 and the K-quant mins per block, Q6_K's -32 per half block).

#include "quant_loads.glsl"

const uint CHUNK_ELEMS = 32u;
#if defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
const uint CHUNK_SPAN = 1u + WIDE;  // chunks of 32 weights one call takes
#else
const uint CHUNK_SPAN = 1u;
#endif
const uint LOW_NIBBLES = 0x0f0f0f0fu;
uvec4 ld128_2(uint byte) { return uvec4(ld32_2(byte), ld32_2(byte + 4u), ld32_2(byte + 8u), ld32_2(byte + 12u)); }

#if defined(WEIGHT_Q8_0)
void chunk(uint r, uint row_byte, uint c) {
  const uint b = row_byte + c * BLOCK_BYTES;
  const uvec4 q0 = ld128_2(b + 2u), q1 = ld128_2(b + 18u);
  const float d = ldf16(b);
  [[unroll]] for (uint col = 0u; col < NUM_COLS; ++col)
    acc[r * NUM_COLS + col] += d * x_rec(col, c).x * float(dot4(q0, xq(col, c, 0u)) + dot4(q1, xq(col, c, 1u)));
}
#elif defined(WEIGHT_Q4_0)
// qs[j] holds element j (low nibble) and 16 + j (high nibble).
void chunk(uint r, uint row_byte, uint c) {
  const uint b = row_byte + c * BLOCK_BYTES;
  const uvec4 qs = ld128_2(b + 2u), lo = qs & LOW_NIBBLES, hi = (qs >> 4u) & LOW_NIBBLES;
  const float d = ldf16(b);
  [[unroll]] for (uint col = 0u; col < NUM_COLS; ++col) {
    const vec4 x = x_rec(col, c);
    acc[r * NUM_COLS + col] += d * (x.x * float(dot4(lo, xq(col, c, 0u)) + dot4(hi, xq(col, c, 1u))) - 8.0 * x.y);
  }
}
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
// Chunk c: qs[32 pr + 16 hf .. + 15] of super-block c / 8 (pr = c / 2 % 4,
// hf = c % 2), whose low nibbles are elements 16 hf .. of sub-block 2 pr and
// high nibbles those of sub-block 2 pr + 1. Blocks are 16-byte multiples: the
// header and the quants are 128-bit loads. A sub-block's min multiplies the
// sum over its 32 activations, added by its first half.
// WIDE: chunk c is both halves of pair c % 4 of super-block c / 4.
void wide_chunk(uint r, uint row_byte, uint c) {
  const uint b = row_byte + (c >> 2) * BLOCK_BYTES, pr = c & 3u;
  const uvec4 head = w128[b >> 4];
  const vec2 dm = unpackHalf2x16(head.x);
  const uvec2 sm0 = scale_min(head, 2u * pr), sm1 = scale_min(head, 2u * pr + 1u);
  const uint qs = (b + QS + 32u * pr) >> 4;
  const uvec4 q0 = w128[qs], q1 = w128[qs + 1u];
  uvec4 lo0 = q0 & LOW_NIBBLES, hi0 = (q0 >> 4u) & LOW_NIBBLES;
  uvec4 lo1 = q1 & LOW_NIBBLES, hi1 = (q1 >> 4u) & LOW_NIBBLES;
#if defined(WEIGHT_Q5_K)
  const uvec4 h0 = w128[(b + 16u) >> 4], h1 = w128[(b + 32u) >> 4];
  lo0 |= ((h0 >> (2u * pr)) & 0x01010101u) << 4u;
  hi0 |= ((h0 >> (2u * pr + 1u)) & 0x01010101u) << 4u;
  lo1 |= ((h1 >> (2u * pr)) & 0x01010101u) << 4u;
  hi1 |= ((h1 >> (2u * pr + 1u)) & 0x01010101u) << 4u;
#endif
  const uint block = (c >> 2) * 8u + 2u * pr;
  const float s0 = dm.x * float(sm0.x), s1 = dm.x * float(sm1.x);
  const float m0 = dm.y * float(sm0.y), m1 = dm.y * float(sm1.y);
  [[unroll]] for (uint col = 0u; col < NUM_COLS; ++col) {
    const vec4 x0 = x_rec(col, block), x1 = x_rec(col, block + 1u);
    acc[r * NUM_COLS + col] +=
        s0 * x0.x * float(dot4(lo0, xq(col, block, 0u)) + dot4(lo1, xq(col, block, 1u))) +
        s1 * x1.x * float(dot4(hi0, xq(col, block + 1u, 0u)) + dot4(hi1, xq(col, block + 1u, 1u))) -
        (m0 * x0.y + m1 * x1.y);
  }
}

void chunk(uint r, uint row_byte, uint c) {
  if (WIDE != 0u) {
    wide_chunk(r, row_byte, c);
    return;
  }
  const uint b = row_byte + (c >> 3) * BLOCK_BYTES, pr = (c >> 1) & 3u, hf = c & 1u;
  const uvec4 head = w128[b >> 4];
  const vec2 dm = unpackHalf2x16(head.x);
  const uvec2 sm0 = scale_min(head, 2u * pr), sm1 = scale_min(head, 2u * pr + 1u);
  const uvec4 q = w128[(b + QS + 32u * pr + 16u * hf) >> 4];
  uvec4 lo = q & LOW_NIBBLES, hi = (q >> 4u) & LOW_NIBBLES;
#if defined(WEIGHT_Q5_K)
  // qh[l] holds bit j of element l of sub-block j: the fifth bit, 16.
  const uvec4 h = w128[(b + 16u + 16u * hf) >> 4];
  lo |= ((h >> (2u * pr)) & 0x01010101u) << 4u;
  hi |= ((h >> (2u * pr + 1u)) & 0x01010101u) << 4u;
#endif
  const uint block = (c >> 3) * 8u + 2u * pr;
  const float s0 = dm.x * float(sm0.x), s1 = dm.x * float(sm1.x);
  const float m0 = hf == 0u ? dm.y * float(sm0.y) : 0.0, m1 = hf == 0u ? dm.y * float(sm1.y) : 0.0;
  [[unroll]] for (uint col = 0u; col < NUM_COLS; ++col) {
    const vec4 x0 = x_rec(col, block), x1 = x_rec(col, block + 1u);
    acc[r * NUM_COLS + col] += s0 * x0.x * float(dot4(lo, xq(col, block, hf))) +
                               s1 * x1.x * float(dot4(hi, xq(col, block + 1u, hf))) - (m0 * x0.y + m1 * x1.y);
  }
}
#elif defined(WEIGHT_Q6_K)
// Chunk c: elements 16 hf .. + 15 of groups g and g + 2 (32 elements each) of
// half h of super-block c / 8 (h = c / 4 % 2, g = c / 2 % 2, hf = c % 2).
// Element 32 g + l of the half takes the low nibble of ql[64 h + 32 g + l]
// and bits 2 g.. of qh[32 h + l]; element 32 (g + 2) + l the high nibble and
// bits 2 g + 4.. of the same bytes. Each 16 elements have their own scale.
// The 6-bit values (0..63) go into the dot products as they are; their -32
// comes off through the activations' half sums.
void chunk(uint r, uint row_byte, uint c) {
  const uint b = row_byte + (c >> 3) * BLOCK_BYTES, h = (c >> 2) & 1u, g = (c >> 1) & 1u, hf = c & 1u;
  const uvec4 l = ld128_2(b + 64u * h + 32u * g + 16u * hf), qh = ld128_2(b + 128u + 32u * h + 16u * hf);
  const uvec4 lo = (l & LOW_NIBBLES) | ((qh << (4u - 2u * g)) & 0x30303030u);
  const uvec4 hi = ((l >> 4u) & LOW_NIBBLES) | ((qh >> (2u * g)) & 0x30303030u);
  // scales[8 h + 2 g + hf] for group g, [8 h + 2 g + 4 + hf] for group g + 2.
  const uint sc = b + 192u + 8u * h + 2u * g + hf;
  const int s2 = int(ld16(sc & ~1u) | (ld16((sc & ~1u) + 4u) << 16)) >> (8 * int(sc & 1u));
  const float d = ldf16(b + 208u);
  const float sl = d * float(bitfieldExtract(s2, 0, 8)), sh = d * float(bitfieldExtract(s2, 16, 8));
  const uint block = (c >> 3) * 8u + 4u * h + g;
  [[unroll]] for (uint col = 0u; col < NUM_COLS; ++col) {
    const vec4 xl = x_rec(col, block), xh = x_rec(col, block + 2u);
    const float ql = hf == 0u ? xl.z : xl.w, qhs = hf == 0u ? xh.z : xh.w;
    acc[r * NUM_COLS + col] += sl * xl.x * (float(dot4(lo, xq(col, block, hf))) - 32.0 * ql) +
                               sh * xh.x * (float(dot4(hi, xq(col, block + 2u, hf))) - 32.0 * qhs);
  }
}
#endif
