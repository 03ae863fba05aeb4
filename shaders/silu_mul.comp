#version 450
#extension GL_GOOGLE_include_directive : require
// out[i] = silu(gate[i]) * up[i], the SwiGLU feed-forward activation; with GELU
// gelu_tanh(gate[i]) * up[i], Gemma's GeGLU. out may alias gate.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Gate { float gate[]; };
layout(std430, binding = 1) readonly buffer Up { float up[]; };
layout(std430, binding = 2) writeonly buffer Out { float outv[]; };
layout(push_constant) uniform Push { uint n; } p;

void main() {
  const uint i = linear_group_id() * 256u + gl_LocalInvocationID.x;
  if (i >= p.n) return;
  const float g = gate[i];
#ifdef GELU
  // 0.5 g (1 + tanh(u)) written as g / (1 + exp(-2u)): no tanh overflow to NaN for large |u|.
  const float u = 0.7978845608028654 * (g + 0.044715 * g * g * g);
  outv[i] = g / (1.0 + exp(-2.0 * u)) * up[i];
#else
  outv[i] = g / (1.0 + exp(-g)) * up[i];
#endif
}
