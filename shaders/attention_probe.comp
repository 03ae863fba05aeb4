#version 450
#extension GL_GOOGLE_include_directive : require
// The attention probe, for one layer: for each query token of the chunk and
// each probed head, the softmax of its scores over keys 0..pos, reduced to
//   row_sums[t][h][c]  = probability mass on key block c (blocks of `block` keys),
//   dist_sums[t][h][b] = sum of raw scores at distances [b*block, (b+1)*block),
// and for the chunk's last token the full row of probabilities (last_row[h][j]).
// Scores use only the pairs [band_begin, band_end) (the paper's band analysis;
// the whole head by default) and never form the full matrix. KV_Q8_0: keys
// in the Q8_0 cache.
// With a sliding window (window > 0, Gemma's local layers; the decoder's
// AttentionArgs::window) the query at pos sees only keys pos - window + 1 .. pos,
// as attention.comp does: keys before it get probability 0 and no score.
// `scale` and `softcap` are the probed layer's attention scale (the model's
// query scale) and Gemma 2's attention-logit soft-capping (0 = off): the
// probe's scores are the ones the softmax sees, as in the attention kernels.
#include "common.glsl"

layout(local_size_x = 128) in;
layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer KC { uint k_cache[]; };
layout(std430, binding = 2) writeonly buffer RowSums { float row_sums[]; };
layout(std430, binding = 3) writeonly buffer DistSums { float dist_sums[]; };
layout(std430, binding = 4) writeonly buffer LastRow { float last_row[]; };
layout(push_constant) uniform Push {
  uint n_tokens;
  uint head_dim;
  uint q_stride;
  uint q_pos0;
  uint n_ctx;
  uint group;        // query heads per kv head
  uint head_begin;   // first probed head of this dispatch (its kv head is the buffer's kv_begin)
  uint kv_begin;     // first kv head stored in this cache buffer
  uint out_head0;    // index of head_begin among the probed heads
  uint n_probed;     // probed heads in total
  uint band_begin;
  uint band_end;
  uint neox;
  uint block;
  uint grid;
  float scale;
  uint scale_offset;  // Q8_0: first word of the scales region
  uint window;        // sliding window in keys; 0 = every key up to the query
  uint kv_rows;       // rows per head in the cache (n_ctx, or a ring's size: kv_slot)
  float softcap;      // scores become softcap * tanh(score / softcap) (Gemma 2); 0 = off
} p;

#include "kv_cache.glsl"
#include "attention_softcap.glsl"

shared float qs[256];
shared float red[128];

float score(uint kv_local, uint j) {
  // q . k over the band's pairs for key position j of kv head kv_local.
  const uint row = kv_local * p.kv_rows + kv_slot(j, p.kv_rows);
  float s = 0.0;
  const uint half_dim = p.head_dim / 2u;
  for (uint i = p.band_begin; i < p.band_end; ++i) {
    const uint e0 = p.neox != 0u ? i : 2u * i;
    const uint e1 = p.neox != 0u ? i + half_dim : 2u * i + 1u;
    const vec2 k0 = KV_PAIR(k_cache, row, e0 / 2u, p.head_dim);
    const vec2 k1 = KV_PAIR(k_cache, row, e1 / 2u, p.head_dim);
    s += qs[e0] * ((e0 & 1u) == 0u ? k0.x : k0.y) + qs[e1] * ((e1 & 1u) == 0u ? k1.x : k1.y);
  }
  s *= p.scale;
  return p.softcap != 0.0 ? softcap_score(s, p.softcap) : s;
}

void main() {
  const uint tid = gl_LocalInvocationID.x;
  const uint t = gl_WorkGroupID.x;
  const uint local_head = gl_WorkGroupID.y;
  const uint head = p.head_begin + local_head;
  const uint kv_local = head / p.group - p.kv_begin;
  const uint pos = p.q_pos0 + t;
  // The window: keys [first_key, pos] (the same test as attention.comp's j + window > pos).
  const uint first_key = p.window != 0u && pos + 1u > p.window ? pos + 1u - p.window : 0u;
  // Distances [0, n_dist) are scored.
  const uint n_dist = p.window != 0u ? min(pos + 1u, p.window) : pos + 1u;

  for (uint d = tid; d < p.head_dim; d += 128u) qs[d] = q[t * p.q_stride + head * p.head_dim + d];
  barrier();

  // Pass 1: max and normalizer (online per thread, then reduced).
  float m = uintBitsToFloat(0xff800000u), l = 0.0;
  for (uint j = first_key + tid; j <= pos; j += 128u) {
    const float s = score(kv_local, j);
    const float nm = max(m, s);
    l = l * exp(m - nm) + exp(s - nm);
    m = nm;
  }
  red[tid] = m;
  barrier();
  for (uint s = 64u; s > 0u; s >>= 1) {
    if (tid < s) red[tid] = max(red[tid], red[tid + s]);
    barrier();
  }
  const float M = red[0];
  barrier();
  red[tid] = m == uintBitsToFloat(0xff800000u) ? 0.0 : l * exp(m - M);
  barrier();
  for (uint s = 64u; s > 0u; s >>= 1) {
    if (tid < s) red[tid] += red[tid + s];
    barrier();
  }
  const float inv_l = 1.0 / red[0];

  // Pass 2: probability mass per key block, and the last token's full row.
  const uint out_base = (t * p.n_probed + p.out_head0 + local_head) * p.grid;
  const bool last = t + 1u == p.n_tokens;
  for (uint c = tid; c < p.grid; c += 128u) {
    float mass = 0.0, dist = 0.0;
    const uint k_begin = c * p.block;
    for (uint j = k_begin; j < min(k_begin + p.block, pos + 1u); ++j) {
      const float prob = j < first_key ? 0.0 : exp(score(kv_local, j) - M) * inv_l;
      mass += prob;
      if (last) last_row[(p.out_head0 + local_head) * p.n_ctx + j] = prob;
    }
    // Raw scores at distances [c*block, (c+1)*block): keys pos - d.
    for (uint d = k_begin; d < min(k_begin + p.block, n_dist); ++d)
      dist += score(kv_local, pos - d);
    row_sums[out_base + c] = mass;
    dist_sums[out_base + c] = dist;
  }
}
