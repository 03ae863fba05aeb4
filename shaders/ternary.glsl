// TQ1_0's base-3 digits (ggml-common.h's block_tq1_0): a byte v holds five
// trits as ceil(256 Q / 243), Q = sum_t trit_t * 3^(4-t), and trit t reads
// back as floor(3 * ((v * 3^t) mod 256) / 256), as in dequantize_row_tq1_0.
// 3^t comes from a packed constant, not an indexed array, so it stays in
// registers.

uint pow3(uint t) { return t < 4u ? (0x1b090301u >> (8u * t)) & 0xffu : 81u; }  // t = 0..4

// Trit t (0..2) of byte v; only v's low 8 bits count ((v * 3^t) mod 256).
uint tq1_trit(uint v, uint t) { return (((v * pow3(t)) & 0xffu) * 3u) >> 8; }

// Trit t of each of the four bytes of w, as floats 0..2 (byte 0 first).
vec4 tq1_trits(uint w, uint t) {
  const uvec4 v = (uvec4(w, w >> 8, w >> 16, w >> 24) * pow3(t)) & 0xffu;
  return vec4((v * 3u) >> 8);
}
