// Reading GGML weight blocks from a buffer of 32-bit words, so that no 8- or
// 16-bit storage feature is needed. Blocks are 2-byte aligned (block_q4_0 is
// 18 bytes, block_q8_0 34), so reads combine two words where needed.
// The including shader declares `uint weights[]` and defines one of
// WEIGHT_F32, WEIGHT_F16, WEIGHT_BF16, WEIGHT_Q8_0, WEIGHT_Q4_0.

uint w_u16(uint byte_offset) {  // byte_offset even
  return (weights[byte_offset >> 2] >> ((byte_offset & 2u) * 8u)) & 0xffffu;
}

uint w_u32(uint byte_offset) {  // byte_offset even
  const uint i = byte_offset >> 2;
  if ((byte_offset & 2u) == 0u) return weights[i];
  return (weights[i] >> 16) | (weights[i + 1u] << 16);
}

float w_f16(uint byte_offset) { return unpackHalf2x16(w_u16(byte_offset)).x; }

#if defined(WEIGHT_Q8_0) || defined(WEIGHT_Q4_0)
#define WEIGHT_QUANTIZED 1
#endif

#if defined(WEIGHT_F32)
const uint BLOCK_ELEMS = 1u, BLOCK_BYTES = 4u;
#elif defined(WEIGHT_F16) || defined(WEIGHT_BF16)
const uint BLOCK_ELEMS = 1u, BLOCK_BYTES = 2u;
#elif defined(WEIGHT_Q8_0)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 34u;
#elif defined(WEIGHT_Q4_0)
const uint BLOCK_ELEMS = 32u, BLOCK_BYTES = 18u;
#else
#error "define a WEIGHT_* type"
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
#endif
}

#ifdef WEIGHT_QUANTIZED
// Eight consecutive weights k0..k0+7 of block `block` (k0 = 0, 8, 16 or 24).
void dequant8(uint row_byte, uint block, uint k0, out float v[8]) {
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
}
#endif
