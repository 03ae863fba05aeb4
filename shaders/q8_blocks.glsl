// Activations as int8 blocks of 32 (quantize_act.comp, add_rms_norm.comp with
// QUANTIZE; read by matvec_int8.comp): d = max|x| / 127 per block, and each
// value rounded to x / d with ties away from zero, as ggml's quantize_row_q8_1.

// Four values times 1/d, rounded.
ivec4 q8_round(vec4 v, float inv_d) {
  const vec4 s = v * inv_d;
  return ivec4(sign(s) * floor(abs(s) + 0.5));
}

// Four int8 values in one word, the first in the low byte.
uint q8_pack(ivec4 q) {
  return (uint(q.x) & 0xffu) | ((uint(q.y) & 0xffu) << 8) | ((uint(q.z) & 0xffu) << 16) | (uint(q.w) << 24);
}
