#version 450
#extension GL_GOOGLE_include_directive : require
// Appends new keys and values to the F16 KV cache. The cache of one buffer
// holds kv_heads heads, each [n_ctx][head_dim] as packed half pairs, so one
// head's keys are contiguous for the attention kernel.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer K { float k[]; };
layout(std430, binding = 1) readonly buffer V { float v[]; };
layout(std430, binding = 2) writeonly buffer KC { uint k_cache[]; };
layout(std430, binding = 3) writeonly buffer VC { uint v_cache[]; };
layout(push_constant) uniform Push {
  uint n_tokens;
  uint pos0;          // cache position of the first new token
  uint n_ctx;         // cache capacity per head
  uint head_dim;
  uint kv_dim;        // floats per token in k and v (all kv heads)
  uint head_begin;    // first kv head stored in this buffer
  uint heads;         // kv heads stored in this buffer
} p;

void main() {
  const uint pairs = p.head_dim / 2u;
  const uint i = linear_group_id() * 256u + gl_LocalInvocationID.x;
  if (i >= p.n_tokens * p.heads * pairs) return;
  const uint d = i % pairs;
  const uint h = (i / pairs) % p.heads;
  const uint t = i / (pairs * p.heads);
  const uint src = t * p.kv_dim + (p.head_begin + h) * p.head_dim + 2u * d;
  const uint dst = (h * p.n_ctx + p.pos0 + t) * pairs + d;
  k_cache[dst] = packHalf2x16(vec2(k[src], k[src + 1u]));
  v_cache[dst] = packHalf2x16(vec2(v[src], v[src + 1u]));
}
