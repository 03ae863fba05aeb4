// One chunk of a quantized weight row for matvec_int8.comp: per type,
// chunk(r, row_byte, c) unpacks chunk c of the row starting at row_byte into
// int8 words in activation order and adds its products with every column to
// acc[r * NUM_COLS + b]. A chunk is 32 weights: one activation block for
// Q8_0 and Q4_0, halves of two blocks that share quant bytes for K-quants.
// Offsets stay out of the int8 words: the activation sums take them (Q4_0's
// -8 and the K-quant mins per block, Q6_K's -32 per half block).
// Kernels call int8_tables_init() first, in uniform control flow (IQ4_NL and
// IQ4_XS fill a small level table in shared memory, the grid types copy their
// grid there; a barrier).

#include "quant_loads.glsl"
#include "weight_tables.glsl"
#ifdef WEIGHT_IQ_GRID
uint iq_ld16(uint byte) { return ld16(byte); }
uint iq_ld32(uint byte) { return ld32_2(byte); }
#include "iq_decode.glsl"
#endif

#if defined(WEIGHT_Q8_0) || defined(WEIGHT_Q4_0)
const uint CHUNK_ELEMS = 32u / BLOCK_LANES;  // a block over BLOCK_LANES lanes
#else
const uint CHUNK_ELEMS = 32u;
#endif
#if defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
const uint CHUNK_SPAN = 1u + WIDE;  // chunks of 32 weights one call takes
#elif defined(WEIGHT_Q2_K) || defined(WEIGHT_Q3_K)
const uint CHUNK_SPAN = 1u + 3u * WIDE;
#else
const uint CHUNK_SPAN = 1u;
#endif
const uint LOW_NIBBLES = 0x0f0f0f0fu;
uvec4 ld128_2(uint byte) { return uvec4(ld32_2(byte), ld32_2(byte + 4u), ld32_2(byte + 8u), ld32_2(byte + 12u)); }
// 16 bytes at a 2-byte aligned offset from five aligned words instead of eight
// halves (one funnel shift per word when the offset is not 4-byte aligned).
// Reads up to 4 bytes past the 16: only for fields the block continues after.
uvec4 ld128_2_then4(uint byte) {
  const uint i = byte >> 2;
  const uvec4 a = uvec4(w32[i], w32[i + 1u], w32[i + 2u], w32[i + 3u]);
  const uint e = w32[i + 4u];  // loaded either way: lanes of one subgroup take both alignments
  const uvec4 shifted = (a >> 16u) | (uvec4(a.yzw, e) << 16u);
  return (byte & 2u) == 0u ? a : shifted;
}
// The 16 bytes of a quant field that more of the block follows: whole words
// with WORD_LOADS, else halves.
uvec4 ld128_field(uint byte) { return WORD_LOADS != 0u ? ld128_2_then4(byte) : ld128_2(byte); }
// 16 bytes at a 4-byte aligned offset (Q4_1, Q5_1, Q2_K and IQ4_XS blocks are 20, 24, 84 and 136 bytes).
uvec4 ld128_4(uint byte) {
  const uint i = byte >> 2;
  return uvec4(w32[i], w32[i + 1u], w32[i + 2u], w32[i + 3u]);
}

// Adds s * (w . x) + m * sum(x) over activation block `block` to every
// column's sum of row r: w is the block's 32 weights as int8 (lo: elements
// 0..15, hi: 16..31), m the offset every weight of the block shares.
void add_block(uint r, uint block, uvec4 lo, uvec4 hi, float s, float m) {
  [[unroll]] for (uint col = 0u; col < NUM_COLS; ++col) {
    const vec4 x = x_rec(col, block);
    acc[r * NUM_COLS + col] += s * x.x * float(dot4(lo, xq(col, block, 0u)) + dot4(hi, xq(col, block, 1u))) + m * x.y;
  }
}

#if defined(WEIGHT_IQ4_NL) || defined(WEIGHT_IQ4_XS)
#include "iq4_levels.glsl"
// Level n's int8 byte in all four byte places, once for each of 32 lanes:
// lane t reads entry 32 n + t, so a subgroup's lookups never share a bank
// (a single 256-entry pair table had the lanes' random indices collide,
// about 3x serialized on the H100: IQ4_NL ran at half of Q4_0's rate).
shared uint iq4_lanes[16u * 32u];

void int8_tables_init() {
  for (uint i = gl_LocalInvocationID.x; i < 16u * 32u; i += WG) iq4_lanes[i] = iq4_level_byte(i >> 5) * 0x01010101u;
  barrier();
}

// The levels of 16 bytes of nibbles as int8: lo from the low nibbles
// (elements 0..15 of a 32-element block), hi from the high ones (16..31).
void iq4_unpack(uvec4 qs, out uvec4 lo, out uvec4 hi) {
  const uint lane = gl_LocalInvocationID.x & 31u;
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    const uint w = qs[i];
    uint l = 0u, h = 0u;
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      const uint place = 0xffu << (8u * k);
      l |= iq4_lanes[(bitfieldExtract(w, int(8u * k), 4) << 5) | lane] & place;
      h |= iq4_lanes[(bitfieldExtract(w, int(8u * k + 4u), 4) << 5) | lane] & place;
    }
    lo[i] = l;
    hi[i] = h;
  }
}
#elif defined(WEIGHT_IQ_GRID)
void int8_tables_init() { weight_tables_init(); }  // the type's grid, weight_tables.glsl
#else
void int8_tables_init() {}
#endif

#if defined(WEIGHT_Q8_0) || defined(WEIGHT_Q4_0)
// BLOCK_LANES 4: a chunk is a quarter block, so four neighbouring lanes share
// a block and each subgroup load instruction reads a few contiguous cache
// lines; with one block a lane (BLOCK_LANES 1) the lanes' 16-bit loads land
// a block apart, on about nine lines each.
// Words q of activation block `block`'s two halves (quarter q of each).
uint xq_word(uint b, uint block, uint h, uint q) { return xq1[(b * (p.cols >> 4) + block * 2u + h) * 4u + q]; }
#endif
#if defined(WEIGHT_Q8_0)
void chunk(uint r, uint row_byte, uint c) {
  if (BLOCK_LANES == 4u) {  // quarter q: quants 8 q .. 8 q + 7
    const uint block = c >> 2, q = c & 3u, b = row_byte + block * BLOCK_BYTES;
    const uint w0 = ld32_2(b + 2u + 8u * q), w1 = ld32_2(b + 6u + 8u * q);
    const float d = ldf16(b);
    const uint h = q >> 1, wq = (q & 1u) * 2u;
    [[unroll]] for (uint col = 0u; col < NUM_COLS; ++col)
      acc[r * NUM_COLS + col] += d * x_rec(col, block).x *
                                 float(sdot_packed(w0, xq_word(col, block, h, wq), 0) +
                                       sdot_packed(w1, xq_word(col, block, h, wq + 1u), 0));
    return;
  }
  const uint b = row_byte + c * BLOCK_BYTES;
  const uvec4 q0 = ld128_2(b + 2u), q1 = ld128_2(b + 18u);
  const float d = ldf16(b);
  [[unroll]] for (uint col = 0u; col < NUM_COLS; ++col)
    acc[r * NUM_COLS + col] += d * x_rec(col, c).x * float(dot4(q0, xq(col, c, 0u)) + dot4(q1, xq(col, c, 1u)));
}
#elif defined(WEIGHT_Q4_0)
// qs[j] holds element j (low nibble) and 16 + j (high nibble).
void chunk(uint r, uint row_byte, uint c) {
  if (BLOCK_LANES == 4u) {  // quarter q: qs bytes 4 q .. 4 q + 3, elements 4 q.. and 16 + 4 q..
    const uint block = c >> 2, q = c & 3u, b = row_byte + block * BLOCK_BYTES;
    const uint qs = ld32_2(b + 2u + 4u * q), lo = qs & LOW_NIBBLES, hi = (qs >> 4u) & LOW_NIBBLES;
    const float d = ldf16(b);
    [[unroll]] for (uint col = 0u; col < NUM_COLS; ++col) {
      const vec4 x = x_rec(col, block);
      const int dot = sdot_packed(lo, xq_word(col, block, 0u, q), 0) + sdot_packed(hi, xq_word(col, block, 1u, q), 0);
      acc[r * NUM_COLS + col] += d * (x.x * float(dot) - (q == 0u ? 8.0 * x.y : 0.0));  // the offset once a block
    }
    return;
  }
  const uint b = row_byte + c * BLOCK_BYTES;
  const uvec4 qs = ld128_2(b + 2u), lo = qs & LOW_NIBBLES, hi = (qs >> 4u) & LOW_NIBBLES;
  const float d = ldf16(b);
  [[unroll]] for (uint col = 0u; col < NUM_COLS; ++col) {
    const vec4 x = x_rec(col, c);
    acc[r * NUM_COLS + col] += d * (x.x * float(dot4(lo, xq(col, c, 0u)) + dot4(hi, xq(col, c, 1u))) - 8.0 * x.y);
  }
}
#elif defined(WEIGHT_Q4_1) || defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1)
#if defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1)
// Bit 4 of byte k of word i set from bit 4 i + k of qh: qh's bits as the fifth
// bits of 16 elements in qs order. The multiply moves nibble bit k to bit 8 k
// (its shifted copies never overlap, so nothing carries).
uvec4 fifth_bits(uint qh) {
  const uvec4 nibbles = (uvec4(qh) >> uvec4(0u, 4u, 8u, 12u)) & 0xfu;
  return ((nibbles * 0x00204081u) & 0x01010101u) << 4u;
}
#endif
// One block a chunk: qs[j] holds element j (low nibble) and 16 + j (high
// nibble), Q5's fifth bits are bit j of qh. Q4_1 / Q5_1: w = d q + m;
// Q5_0: w = d (q - 16), an offset of -16 d.
void chunk(uint r, uint row_byte, uint c) {
  const uint b = row_byte + c * BLOCK_BYTES;
#if defined(WEIGHT_Q5_0)
  const float d = ldf16(b), m = -16.0 * d;
  const uint qh = ld32_2(b + 2u);
  const uvec4 qs = ld128_2(b + 6u);
#else  // 4-byte aligned blocks: d and m in one word, then (Q5_1) qh
  const vec2 dm = unpackHalf2x16(w32[b >> 2]);
  const float d = dm.x, m = dm.y;
#if defined(WEIGHT_Q5_1)
  const uint qh = w32[(b >> 2) + 1u];
  const uvec4 qs = ld128_4(b + 8u);
#else
  const uvec4 qs = ld128_4(b + 4u);
#endif
#endif
  uvec4 lo = qs & LOW_NIBBLES, hi = (qs >> 4u) & LOW_NIBBLES;
#if defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1)
  lo |= fifth_bits(qh);
  hi |= fifth_bits(qh >> 16);
#endif
  add_block(r, c, lo, hi, d, m);
}
#elif defined(WEIGHT_IQ4_NL)
// One block a chunk, laid out as Q4_0 but with nibbles indexing the levels.
void chunk(uint r, uint row_byte, uint c) {
  const uint b = row_byte + c * BLOCK_BYTES;
  uvec4 lo, hi;
  iq4_unpack(ld128_2(b + 2u), lo, hi);
  add_block(r, c, lo, hi, ldf16(b), 0.0);
}
#elif defined(WEIGHT_IQ4_XS)
// Chunk c: sub-block ib = c % 8 of super-block c / 8, its 16 qs bytes laid out
// as IQ4_NL's. Its 6-bit scale: low nibble ib of scales_l, bits 2 ib.. of scales_h.
void chunk(uint r, uint row_byte, uint c) {
  const uint b = row_byte + (c >> 3) * BLOCK_BYTES, ib = c & 7u;
  const uint head = w32[b >> 2], scales_l = w32[(b >> 2) + 1u];  // d | scales_h << 16; scales_l[4]
  const uint ls = ((scales_l >> (4u * ib)) & 0xfu) | (((head >> (16u + 2u * ib)) & 3u) << 4);
  uvec4 lo, hi;
  iq4_unpack(ld128_4(b + 8u + 16u * ib), lo, hi);
  add_block(r, c, lo, hi, unpackHalf2x16(head).x * float(int(ls) - 32), 0.0);
}
#elif defined(WEIGHT_Q2_K) || defined(WEIGHT_Q3_K)
// Chunk c: piece pc = c % 8 of super-block c / 8, elements 32 pc + 16 p + l
// (p = 0, 1 the halves, 16 elements each with its own scale, sub-block
// 2 pc + p). With h = pc / 4, j = pc % 4 their two low bits are bits 2 j.. of
// qs[32 h + 16 p + l]; Q3_K's third bit is bit 4 h + j of hmask[16 p + l].
// The levels go in unsigned (Q2_K 0..3, Q3_K 0..7), their offsets (Q2_K's
// min, Q3_K's -4) through the activations' half sums.
// WIDE: chunk c is pieces 4 h .. 4 h + 3 (h = c % 2) of super-block c / 2,
// which share their quant bytes: loaded once for 128 weights.

// Piece j's levels from the half's words: q (qs, 2 bits each), m (Q3_K's hmask).
uvec4 piece_levels(uvec4 q, uvec4 m, uint h, uint j) {
#if defined(WEIGHT_Q2_K)
  return (q >> (2u * j)) & 0x03030303u;
#else
  return ((q >> (2u * j)) & 0x03030303u) | (((m >> (4u * h + j)) & 0x01010101u) << 2u);
#endif
}

// Adds piece pc of the super-block at b (activation block `block`), its
// halves' levels q0 and q1, to row r's sums.
void add_piece(uint r, uint b, uint pc, uint block, uvec4 q0, uvec4 q1) {
  const uint h = pc >> 2;
#if defined(WEIGHT_Q2_K)
  const uint sc = ld16(b + 2u * pc);  // scales of sub-blocks 2 pc, 2 pc + 1: d scale in the low nibble, min in the high
  const vec2 dm = unpackHalf2x16(w32[(b + 80u) >> 2]);
  const float s0 = dm.x * float(sc & 0xfu), s1 = dm.x * float((sc >> 8) & 0xfu);
  const float m0 = dm.y * float((sc >> 4) & 0xfu), m1 = dm.y * float(sc >> 12);
#else
  // 6-bit scales of sub-blocks s = 2 pc, 2 pc + 1: low nibbles in scales[s % 8]
  // (high nibbles from s = 8 on, h = 1), two high bits at 2 (s / 4) of scales[8 + s % 4].
  const uint lo = ld16(b + 96u + ((2u * pc) & 7u)) >> (4u * h), hi = ld16(b + 104u + ((2u * pc) & 3u)) >> (2u * (pc >> 1));
  const float d = ldf16(b + 108u);
  const float s0 = d * float(int((lo & 0xfu) | ((hi & 3u) << 4)) - 32);
  const float s1 = d * float(int(((lo >> 8) & 0xfu) | (((hi >> 8) & 3u) << 4)) - 32);
  const float m0 = 4.0 * s0, m1 = 4.0 * s1;
#endif
  [[unroll]] for (uint col = 0u; col < NUM_COLS; ++col) {
    const vec4 x = x_rec(col, block);
    acc[r * NUM_COLS + col] += x.x * (s0 * float(dot4(q0, xq(col, block, 0u))) + s1 * float(dot4(q1, xq(col, block, 1u))) -
                                      (m0 * x.z + m1 * x.w));
  }
}

// Half h's quant words: qa, qb (qs of halves p = 0, 1) and Q3_K's hmask ma, mb
// (shared by both h). Q3_K's hmask and qs are followed by more of the block.
void half_words(uint b, uint h, out uvec4 qa, out uvec4 qb, out uvec4 ma, out uvec4 mb) {
#if defined(WEIGHT_Q2_K)
  qa = ld128_4(b + 16u + 32u * h);
  qb = ld128_4(b + 32u + 32u * h);
  ma = mb = uvec4(0u);
#else
  qa = ld128_field(b + 32u + 32u * h);
  qb = ld128_field(b + 48u + 32u * h);
  ma = ld128_field(b);
  mb = ld128_field(b + 16u);
#endif
}

void chunk(uint r, uint row_byte, uint c) {
  uvec4 qa, qb, ma, mb;
  if (WIDE != 0u) {
    const uint b = row_byte + (c >> 1) * BLOCK_BYTES, h = c & 1u;
    half_words(b, h, qa, qb, ma, mb);
    [[unroll]] for (uint j = 0u; j < 4u; ++j)
      add_piece(r, b, 4u * h + j, (c >> 1) * 8u + 4u * h + j, piece_levels(qa, ma, h, j), piece_levels(qb, mb, h, j));
    return;
  }
  const uint b = row_byte + (c >> 3) * BLOCK_BYTES, pc = c & 7u, h = pc >> 2, j = pc & 3u;
  half_words(b, h, qa, qb, ma, mb);
  add_piece(r, b, pc, c, piece_levels(qa, ma, h, j), piece_levels(qb, mb, h, j));
}
#elif defined(WEIGHT_IQ_GRID)
// Chunk c: sub-block c % 8 of super-block c / 8, its four groups of 8 decoded
// by iq_decode.glsl (the generic kernels' decoding) and packed into int8
// words; each group has its own scale. The grid values are integers (IQ2:
// +-8..43, IQ3: +-1..62), IQ1's level + delta are eighths (+-1/8 .. +-9/8),
// so those go in times 8 and their scale takes 1/8 (exact).
#if defined(WEIGHT_IQ1_S) || defined(WEIGHT_IQ1_M)
const float IQ_UNIT = 8.0;
#else
const float IQ_UNIT = 1.0;
#endif
uint iq_int8(vec4 v) {
  const ivec4 q = ivec4(v * IQ_UNIT);
  return (uint(q.x) & 0xffu) | ((uint(q.y) & 0xffu) << 8) | ((uint(q.z) & 0xffu) << 16) | (uint(q.w) << 24);
}
// Not built yet (INTEGER_DOT 0 in weight_kernels.def): it matches the
// reference on lavapipe for all seven types, but llvmpipe takes 50-150 s to
// compile each of its pipelines (unrolled or not), too slow for the test
// suite; flip a type's flag to measure it on a GPU.
void chunk(uint r, uint row_byte, uint c) {
  const uint b = row_byte + (c >> 3) * BLOCK_BYTES;
  [[dont_unroll]] for (uint g = 0u; g < 4u; ++g) {
    vec4 lo, hi;
    const float s = iq_group(b, 4u * (c & 7u) + g, lo, hi) / IQ_UNIT;
    const uint w0 = iq_int8(lo), w1 = iq_int8(hi);
    // Group g is elements 8 g .. of the block: words 2 (g % 2), +1 of half g / 2.
    [[unroll]] for (uint col = 0u; col < NUM_COLS; ++col) {
      const uvec4 x = xq(col, c, g >> 1);
      const uvec2 xw = (g & 1u) == 0u ? x.xy : x.zw;
      acc[r * NUM_COLS + col] += x_rec(col, c).x * s * float(sdot_packed(w0, xw.x, 0) + sdot_packed(w1, xw.y, 0));
    }
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
  // ql and qh are followed by more of the block (qh, scales).
  const uvec4 l = ld128_field(b + 64u * h + 32u * g + 16u * hf), qh = ld128_field(b + 128u + 32u * h + 16u * hf);
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
