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

// A block of 32 values (v[j] holds values 4j .. 4j + 3) as int8: its 8 words
// and its record (d, d * sum(q), sum of q over values 0..15, over 16..31).
void q8_block(const vec4 v[8], out uint words[8], out vec4 record) {
  float amax = 0.0;
  [[unroll]] for (uint j = 0u; j < 8u; ++j) {
    const vec4 a = abs(v[j]);
    amax = max(amax, max(max(a.x, a.y), max(a.z, a.w)));
  }
  const float d = amax / 127.0, inv = d != 0.0 ? 1.0 / d : 0.0;
  int half_sum[2] = {0, 0};
  [[unroll]] for (uint j = 0u; j < 8u; ++j) {
    const ivec4 qi = q8_round(v[j], inv);
    half_sum[j / 4u] += qi.x + qi.y + qi.z + qi.w;
    words[j] = q8_pack(qi);
  }
  record = vec4(d, d * float(half_sum[0] + half_sum[1]), float(half_sum[0]), float(half_sum[1]));
}

#ifdef LANES8  // the including shader enables subgroup shuffles
// The same block spread over 8 consecutive lanes of a subgroup, lane i
// holding values 4i .. 4i + 3: each gets its word, lane 0 the record. The
// max and the integer sums are exact in any order, so the result equals q8_block's.
void q8_block_lanes(vec4 v, uint lane, out uint word, out vec4 record) {
  const vec4 a = abs(v);
  float amax = max(max(a.x, a.y), max(a.z, a.w));
  [[unroll]] for (uint x = 1u; x < 8u; x <<= 1) amax = max(amax, subgroupShuffleXor(amax, x));
  const float d = amax / 127.0, inv = d != 0.0 ? 1.0 / d : 0.0;
  const ivec4 qi = q8_round(v, inv);
  word = q8_pack(qi);
  int sum = qi.x + qi.y + qi.z + qi.w;
  [[unroll]] for (uint x = 1u; x < 4u; x <<= 1) sum += subgroupShuffleXor(sum, x);  // over each half
  const int upper = subgroupShuffleXor(sum, 4u);  // lane 0 gets lane 4's half
  record = vec4(d, d * float(sum + upper), float(sum), float(upper));
}
#endif
