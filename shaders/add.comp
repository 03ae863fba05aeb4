#version 450
#extension GL_GOOGLE_include_directive : require
// out[i] = a[i] + b[i], the residual connection. out may alias a.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float outv[]; };
layout(push_constant) uniform Push { uint n; } p;

void main() {
  const uint i = linear_group_id() * 256u + gl_LocalInvocationID.x;
  if (i >= p.n) return;
  outv[i] = a[i] + b[i];
}
