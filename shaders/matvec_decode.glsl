// Decoding one 16-weight chunk of a quantized weight row for matvec_fast.comp.
// A chunk is four groups of four consecutive weights: weight i of group g is
// scale[g] * q[g][i] - offs[g], at element k[g] + i of the row. The block's
// scales are read once per chunk, and the kernel applies the offset (Q4_0's
// -8, the K-quant mins) through the activation sums, not per weight.
// The including shader declares the views w16 (uint16_t), w32 (uint) and
// w128 (uvec4) of the weight buffer and defines one quantized WEIGHT_* type.

struct Chunk {
  vec4 q[4];
  float scale[4], offs[4];
  uint k[4];
};

uint ld16(uint byte) { return uint(w16[byte >> 1]); }
// A 32-bit word at a 2-byte aligned offset (Q8_0, Q4_0 and Q6_K blocks are
// 34, 18 and 210 bytes, so no wider alignment holds).
uint ld32_2(uint byte) { return ld16(byte) | (ld16(byte + 2u) << 16); }
float ldf16(uint byte) { return unpackHalf2x16(ld16(byte)).x; }

const uvec4 kByteShifts = uvec4(0u, 8u, 16u, 24u);
vec4 nibbles(uint w, uint shift) { return vec4((uvec4(w) >> (kByteShifts + shift)) & 0xfu); }

#if defined(WEIGHT_Q8_0)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 34u;  // f16 d, int8 qs[32]

Chunk decode_chunk(uint row_byte, uint c) {  // half (16 weights) of block c / 2
  const uint b = row_byte + (c >> 1) * BLOCK_BYTES, h = (c & 1u) * 16u;
  const float d = ldf16(b);
  Chunk ch;
  [[unroll]] for (uint g = 0u; g < 4u; ++g) {
    const int w = int(ld32_2(b + 2u + h + 4u * g));
    ch.q[g] = vec4(bitfieldExtract(w, 0, 8), bitfieldExtract(w, 8, 8), bitfieldExtract(w, 16, 8),
                   bitfieldExtract(w, 24, 8));
    ch.scale[g] = d;
    ch.offs[g] = 0.0;
    ch.k[g] = (c >> 1) * 32u + h + 4u * g;
  }
  return ch;
}
#elif defined(WEIGHT_Q4_0)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 18u;  // f16 d, u8 qs[16]

// Chunk c reads qs[8h .. 8h+7] of block c / 2 (h = c & 1): elements 8h.. from
// the low nibbles and 16+8h.. from the high ones.
Chunk decode_chunk(uint row_byte, uint c) {
  const uint b = row_byte + (c >> 1) * BLOCK_BYTES, h = (c & 1u) * 8u;
  const float d = ldf16(b);
  const uint w[2] = uint[2](ld32_2(b + 2u + h), ld32_2(b + 6u + h));
  Chunk ch;
  [[unroll]] for (uint g = 0u; g < 4u; ++g) {
    ch.q[g] = nibbles(w[g & 1u], (g >> 1) * 4u);
    ch.scale[g] = d;
    ch.offs[g] = 8.0 * d;
    ch.k[g] = (c >> 1) * 32u + (g >> 1) * 16u + h + (g & 1u) * 4u;
  }
  return ch;
}
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
#if defined(WEIGHT_Q4_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 144u, QS = 16u;  // d, dmin, scales[12], qs[128]
#else
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 176u, QS = 48u;  // d, dmin, scales[12], qh[32], qs[128]
#endif

uint scale_byte(uvec4 head, uint i) { return (head[1u + (i >> 2)] >> ((i & 3u) * 8u)) & 0xffu; }

// ggml's get_scale_min_k4: the 6-bit scale and min of sub-block j (0..7).
uvec2 scale_min(uvec4 head, uint j) {
  if (j < 4u) return uvec2(scale_byte(head, j) & 63u, scale_byte(head, j + 4u) & 63u);
  const uint lo = scale_byte(head, j + 4u);
  return uvec2((lo & 0xfu) | ((scale_byte(head, j - 4u) >> 6) << 4), (lo >> 4) | ((scale_byte(head, j) >> 6) << 4));
}

// 16 chunks per super-block: chunk t reads qs[32p + l0 .. +7] (p = t / 4,
// l0 = 8 (t % 4)), whose low nibbles are elements l0.. of sub-block 2p and
// high nibbles those of sub-block 2p+1. Blocks are 16-byte multiples, so the
// header (d, dmin, scales) is one 128-bit load and the quants 32-bit loads.
Chunk decode_chunk(uint row_byte, uint c) {
  const uint b = row_byte + (c >> 4) * BLOCK_BYTES, t = c & 15u, pair = t >> 2, l0 = (t & 3u) * 8u;
  const uvec4 head = w128[b >> 4];
  const vec2 dm = unpackHalf2x16(head.x);
  const uvec2 sm[2] = uvec2[2](scale_min(head, 2u * pair), scale_min(head, 2u * pair + 1u));
  const uint q = (b + QS + 32u * pair + l0) >> 2;
  const uint w[2] = uint[2](w32[q], w32[q + 1u]);
#if defined(WEIGHT_Q5_K)
  const uint hq[2] = uint[2](w32[(b + 16u + l0) >> 2], w32[(b + 20u + l0) >> 2]);  // bit j: sub-block j
#endif
  Chunk ch;
  [[unroll]] for (uint g = 0u; g < 4u; ++g) {
    const uint sub = g >> 1;  // 0: low nibbles, sub-block 2p; 1: high, 2p+1
    ch.q[g] = nibbles(w[g & 1u], sub * 4u);
#if defined(WEIGHT_Q5_K)
    ch.q[g] += 16.0 * vec4((uvec4(hq[g & 1u]) >> (kByteShifts + 2u * pair + sub)) & 1u);
#endif
    ch.scale[g] = dm.x * float(sm[sub].x);
    ch.offs[g] = dm.y * float(sm[sub].y);
    ch.k[g] = (c >> 4) * 256u + 64u * pair + 32u * sub + l0 + (g & 1u) * 4u;
  }
  return ch;
}
#elif defined(WEIGHT_Q6_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 210u;  // ql[128], qh[64], int8 scales[16], f16 d

// 16 chunks per super-block: chunk t takes four bytes of each of ql[64h + l0],
// ql[64h + 32 + l0] and qh[32h + l0] (h = t / 8, l0 = 4 (t % 8)), which hold
// elements l0 + 32g .. +3 of half h for g = 0..3.
Chunk decode_chunk(uint row_byte, uint c) {
  const uint b = row_byte + (c >> 4) * BLOCK_BYTES, t = c & 15u, h = t >> 3, l0 = (t & 7u) * 4u;
  const uint ql[2] = uint[2](ld32_2(b + 64u * h + l0), ld32_2(b + 64u * h + 32u + l0));
  const uint qh = ld32_2(b + 128u + 32u * h + l0);
  const float d = ldf16(b + 208u);
  Chunk ch;
  [[unroll]] for (uint g = 0u; g < 4u; ++g) {
    const uvec4 lo = (uvec4(ql[g & 1u]) >> (kByteShifts + (g >> 1) * 4u)) & 0xfu;
    const uvec4 hi = (uvec4(qh) >> (kByteShifts + 2u * g)) & 3u;
    ch.q[g] = vec4(lo | (hi << 4)) - 32.0;
    // scales[8h + 2g + l0 / 16], from the 16-bit word holding scales 2g, 2g+1.
    ch.scale[g] = d * float(bitfieldExtract(int(ld16(b + 192u + 8u * h + 2u * g)), int(l0 >> 4) * 8, 8));
    ch.offs[g] = 0.0;
    ch.k[g] = (c >> 4) * 256u + 128u * h + 32u * g + l0;
  }
  return ch;
}
#endif
