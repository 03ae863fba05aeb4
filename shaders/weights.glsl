// Reading GGML weight blocks from a buffer of 32-bit words, so that no 8- or
// 16-bit storage feature is needed. Blocks are 2-byte aligned (block_q4_0 is
// 18 bytes, block_q8_0 34), so reads combine two words where needed.
// The including shader declares `uint weights[]` and defines one of
// WEIGHT_F32, WEIGHT_F16, WEIGHT_BF16, WEIGHT_Q8_0, WEIGHT_Q4_0, WEIGHT_Q4_K,
// WEIGHT_Q5_K, WEIGHT_Q6_K. The K-quants (144, 176, 210 bytes per 256-element
// super-block) are read in 32-element sub-blocks, so kernels iterate over
// SUB_BLOCK-sized pieces whatever BLOCK_ELEMS is.

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

#if defined(WEIGHT_Q8_0) || defined(WEIGHT_Q4_0) || defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K) || \
    defined(WEIGHT_Q6_K)
#define WEIGHT_QUANTIZED 1
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
#elif defined(WEIGHT_Q4_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 144u;  // d, dmin, scales[12], qs[128]
#elif defined(WEIGHT_Q5_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 176u;  // d, dmin, scales[12], qh[32], qs[128]
#elif defined(WEIGHT_Q6_K)
const uint BLOCK_ELEMS = 256u, BLOCK_BYTES = 210u;  // ql[128], qh[64], int8 scales[16], d
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

// One weight element at element index k of the row starting at row_byte.
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
