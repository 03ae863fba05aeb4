#version 450
#extension GL_GOOGLE_include_directive : require
// dst[i] = src[i] for n 16-byte words: a device-to-device copy through the
// shader cores, the bandwidth roofline bench-kernels compares kernels with
// (the driver's vkCmdCopyBuffer may take a slower path). Grid-stride loop.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) restrict readonly buffer Src { uvec4 src[]; };
layout(std430, binding = 1) restrict writeonly buffer Dst { uvec4 dst[]; };
layout(push_constant) uniform Push { uint n; } p;

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_NumWorkGroups.y * 256u;
  for (uint i = linear_group_id() * 256u + gl_LocalInvocationID.x; i < p.n; i += stride) dst[i] = src[i];
}
