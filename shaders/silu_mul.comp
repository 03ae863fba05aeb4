#version 450
#extension GL_GOOGLE_include_directive : require
// out[i] = silu(gate[i]) * up[i], the SwiGLU feed-forward activation. out may alias gate.
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
  outv[i] = g / (1.0 + exp(-g)) * up[i];
}
