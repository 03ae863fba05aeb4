#version 450
#extension GL_GOOGLE_include_directive : require
// The rotary pass, for every context-extension method at once: pair i of a
// head at position pos rotates by pos * freq[i], where the per-pair table freq
// already holds theta_i / (f_i * s_i) (runtime/rope), and cos and sin are scaled
// by the attention factor m. Layout "normal" pairs (2i, 2i+1); "NeoX" pairs
// (i, i + n_rot/2). Dimensions past n_rot pass through unchanged.
// x is [token][head][head_dim] with token_stride floats between tokens.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Pos { int positions[]; };
layout(std430, binding = 2) readonly buffer Freq { float freq[]; };
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

// angle mod 2*pi with a two-part constant (Cody-Waite), so large angles at long
// context keep their accuracy; 6.28125 has few mantissa bits, so k * 6.28125 is exact
// for k < 2^16 turns (positions up to about 400K at the highest frequency).
float reduce_angle(float a) {
  const float k = floor(a * 0.15915494309189535);
  return fma(-k, 1.9353071795864769e-3, fma(-k, 6.28125, a));
}

void main() {
  const uint half_rot = p.n_rot / 2u;
  const uint i = linear_group_id() * 256u + gl_LocalInvocationID.x;
  if (i >= p.n_tokens * p.n_heads * half_rot) return;
  const uint pair = i % half_rot;
  const uint head = (i / half_rot) % p.n_heads;
  const uint token = i / (half_rot * p.n_heads);

  const float angle = reduce_angle(float(positions[token]) * freq[pair]);
  const float c = cos(angle) * p.attn_factor, s = sin(angle) * p.attn_factor;
  const uint base = p.x_offset + token * p.token_stride + head * p.head_dim;
  const uint i0 = base + (p.neox != 0u ? pair : 2u * pair);
  const uint i1 = i0 + (p.neox != 0u ? half_rot : 1u);
  const float x0 = x[i0], x1 = x[i1];
  x[i0] = x0 * c - x1 * s;
  x[i1] = x0 * s + x1 * c;
}
