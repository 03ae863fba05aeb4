#version 450
#extension GL_GOOGLE_include_directive : require
// The rotary pass, for every context-extension method at once: pair i of a
// head at position pos rotates by pos * freq_i, where freq_i = theta_i / (f_i * s_i)
// comes from the method's schedule (runtime/rope), and cos and sin are scaled
// by the attention factor m.
//
// The table holds freq_i / (2 pi) as a 64-bit fixed-point fraction of a turn
// (ops/rope_turns.h), so pos * freq_i mod 2 pi is computed exactly in integer
// arithmetic at any position. A float angle pos * freq_i would be off by up to
// ~0.005 rad at 128K tokens, and drivers (llvmpipe among them) re-associate
// the usual float range reductions away. Layout "normal" pairs (2i, 2i+1); "NeoX" pairs
// (i, i + n_rot/2). Dimensions past n_rot pass through unchanged.
// x is [token][head][head_dim] with token_stride floats between tokens.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Pos { int positions[]; };
layout(std430, binding = 2) readonly buffer Turns { uvec2 turns[]; };  // (low, high) words
layout(push_constant) uniform Push {
  uint n_tokens;
  uint n_heads;
  uint head_dim;
  uint n_rot;
  uint neox;
  float attn_factor;
  uint x_offset;
  uint token_stride;
} p;

#include "rope_angle.glsl"

void main() {
  const uint half_rot = p.n_rot / 2u;
  const uint i = linear_group_id() * 256u + gl_LocalInvocationID.x;
  if (i >= p.n_tokens * p.n_heads * half_rot) return;
  const uint pair = i % half_rot;
  const uint head = (i / half_rot) % p.n_heads;
  const uint token = i / (half_rot * p.n_heads);

  const vec2 cs = pair_rotation(uint(positions[token]), turns[pair], p.attn_factor);
  const float c = cs.x, s = cs.y;
  const uint base = p.x_offset + token * p.token_stride + head * p.head_dim;
  const uint i0 = base + (p.neox != 0u ? pair : 2u * pair);
  const uint i1 = i0 + (p.neox != 0u ? half_rot : 1u);
  const float x0 = x[i0], x1 = x[i1];
  x[i0] = x0 * c - x1 * s;
  x[i1] = x0 * s + x1 * c;
}
