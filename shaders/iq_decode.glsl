// Decoding one group of 8 elements of the IQ1/IQ2/IQ3 types (layouts in
// runtime/quant/iquants_low.h, from ggml-common.h). Group g (0..31) of the
// super-block at byte b is elements 8g .. 8g+7; ib = g / 4 is its 32-element
// sub-block and l = g % 4 its place there.
//
//   float iq_group(b, g, out lo, out hi)
//
// returns the group's scale and its unscaled values for elements 0..3 (lo)
// and 4..7 (hi): the signed levels (IQ2, IQ3) or level + delta (IQ1). The
// element is scale * value, the product the CPU's dequantization makes (a
// sign flip is exact), so weight_at stays bit-exact.
// The including file defines iq_ld16(byte) and iq_ld32(byte) (byte even) on
// its view of the weights, and includes weight_tables.glsl first.

uint iq_ld8(uint byte) { return (iq_ld16(byte & ~1u) >> ((byte & 1u) << 3)) & 0xffu; }
float iq_d(uint b) { return unpackHalf2x16(iq_ld16(b)).x; }

// +1 or -1 for bits 0..3 of s.
vec4 iq_sign4(uint s) { return vec4(1.0) - 2.0 * vec4(uvec4(s, s >> 1, s >> 2, s >> 3) & 1u); }
// The eight signs from seven stored bits: bit 7 makes the count of ones even.
uint iq_signs_from7(uint s7) { return s7 | ((uint(bitCount(s7)) & 1u) << 7); }
// Four 2-bit codes from bit 0 of c.
uvec4 iq_codes4(uint c) { return uvec4(c, c >> 2, c >> 4, c >> 6) & 3u; }
// IQ2 levels 8, 25, 43 for codes 0, 1, 2: 8 + 17 c + c / 2.
vec4 iq2_levels4(uint c) {
  const uvec4 q = iq_codes4(c);
  return vec4(8u + 17u * q + (q >> 1));
}
vec4 iq_byte_levels4(uint w) { return vec4(uvec4(w, w >> 8, w >> 16, w >> 24) & 0xffu); }
// IQ1 levels -1, 0, 1 for codes 0, 1, 2.
vec4 iq1_levels4(uint c) { return vec4(iq_codes4(c)) - 1.0; }

#if defined(WEIGHT_IQ2_XXS) || defined(WEIGHT_IQ2_XS) || defined(WEIGHT_IQ2_S)
float iq_group(uint b, uint g, out vec4 lo, out vec4 hi) {
  const uint ib = g >> 2, l = g & 3u;
  uint index, signs, s;
#if defined(WEIGHT_IQ2_XXS)
  // Per sub-block: four index bytes, then a word of 4 x 7 sign bits and the scale.
  const uint w = iq_ld32(b + 6u + 8u * ib);
  index = iq_ld8(b + 2u + 8u * ib + l);
  signs = iq_signs_from7((w >> (7u * l)) & 127u);
  s = w >> 28;
#elif defined(WEIGHT_IQ2_XS)
  const uint q = iq_ld16(b + 2u + 2u * g);  // 9-bit index, 7 sign bits
  index = q & 511u;
  signs = iq_signs_from7(q >> 9);
  s = (iq_ld8(b + 66u + ib) >> (4u * (l >> 1))) & 15u;
#else
  index = iq_ld8(b + 2u + g) | (((iq_ld8(b + 66u + ib) >> (2u * l)) & 3u) << 8);
  signs = iq_ld8(b + 34u + g);
  s = (iq_ld8(b + 74u + ib) >> (4u * (l >> 1))) & 15u;
#endif
  const uint codes = iq_grid16(index);
  lo = iq2_levels4(codes) * iq_sign4(signs);
  hi = iq2_levels4(codes >> 8) * iq_sign4(signs >> 4);
  return iq_d(b) * float(2u * s + 1u) * 0.125;
}
#elif defined(WEIGHT_IQ3_XXS) || defined(WEIGHT_IQ3_S)
float iq_group(uint b, uint g, out vec4 lo, out vec4 hi) {
  const uint ib = g >> 2, l = g & 3u;
  const uint pair = iq_ld16(b + 2u + 2u * g);  // the two 4-element entries' index bytes
  uint i0 = pair & 0xffu, i1 = pair >> 8, signs;
  float scale;
#if defined(WEIGHT_IQ3_XXS)
  const uint w = iq_ld32(b + 66u + 4u * ib);
  signs = iq_signs_from7((w >> (7u * l)) & 127u);
  scale = iq_d(b) * float(2u * (w >> 28) + 1u) * 0.25;
#else
  const uint qh = iq_ld8(b + 66u + ib);  // ninth index bits: 2l for i0, 2l + 1 for i1
  i0 |= ((qh >> (2u * l)) & 1u) << 8;
  i1 |= ((qh >> (2u * l + 1u)) & 1u) << 8;
  signs = iq_ld8(b + 74u + g);
  scale = iq_d(b) * float(2u * ((iq_ld8(b + 106u + (ib >> 1)) >> (4u * (ib & 1u))) & 15u) + 1u);
#endif
  lo = iq_byte_levels4(iq_grid32(i0)) * iq_sign4(signs);
  hi = iq_byte_levels4(iq_grid32(i1)) * iq_sign4(signs >> 4);
  return scale;
}
#elif defined(WEIGHT_IQ1_S) || defined(WEIGHT_IQ1_M)
float iq_group(uint b, uint g, out vec4 lo, out vec4 hi) {
  const uint ib = g >> 2, l = g & 3u;
  uint index;
  bool minus;
  float scale;
#if defined(WEIGHT_IQ1_S)
  const uint qh = iq_ld16(b + 34u + 2u * ib);  // 4 x 3 index bits, 3-bit scale, delta's sign
  index = iq_ld8(b + 2u + g) | (((qh >> (3u * l)) & 7u) << 8);
  minus = (qh & 0x8000u) != 0u;
  scale = iq_d(b) * float(2u * ((qh >> 12) & 7u) + 1u);
#else
  // d's four nibbles are the top nibbles of the scale words at 48, 50, 52, 54.
  const uint w0 = iq_ld32(b + 48u), w1 = iq_ld32(b + 52u);
  const uint d_bits = ((w0 >> 12) & 0xfu) | ((w0 >> 24) & 0xf0u) | ((w1 >> 4) & 0xf00u) | ((w1 >> 16) & 0xf000u);
  const uint nib = (iq_ld8(b + 32u + 2u * ib + (l >> 1)) >> (4u * (l & 1u))) & 15u;
  index = iq_ld8(b + g) | ((nib & 7u) << 8);
  minus = (nib & 8u) != 0u;
  const uint sc = iq_ld16(b + 48u + 2u * (ib >> 1));
  scale = unpackHalf2x16(d_bits).x * float(2u * ((sc >> (6u * (ib & 1u) + 3u * (l >> 1))) & 7u) + 1u);
#endif
  const uint codes = iq_grid16(index);
  const float delta = minus ? -0.125 : 0.125;
  lo = iq1_levels4(codes) + delta;
  hi = iq1_levels4(codes >> 8) + delta;
  return scale;
}
#endif
