#version 450
#extension GL_GOOGLE_include_directive : require
// xh[b, k] = f16(x[b, k]) for batch rows of cols (a multiple of 8) elements:
// a product's input converted once, so the matrix units' kernel reads half the
// bytes and stages the rows without converting them again for every tile.
// x rows start at x_offset and lie x_stride floats apart; xh rows are packed.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 1) writeonly buffer XH { uvec4 xh[]; };  // 8 halves each
layout(push_constant) uniform Push { uint cols, batch, x_offset, x_stride; } p;

void main() {
  const uint i = linear_group_id() * 256u + gl_LocalInvocationID.x;  // one group of 8 elements
  const uint groups_per_row = p.cols / 8u;
  if (i >= groups_per_row * p.batch) return;
  const uint b = i / groups_per_row, k = (i % groups_per_row) * 8u;
  const uint base = p.x_offset + b * p.x_stride + k;
  vec4 lo, hi;
  if (((p.x_offset | p.x_stride) & 3u) == 0u) {
    lo = x4[base >> 2];
    hi = x4[(base >> 2) + 1u];
  } else {
    lo = vec4(x[base], x[base + 1u], x[base + 2u], x[base + 3u]);
    hi = vec4(x[base + 4u], x[base + 5u], x[base + 6u], x[base + 7u]);
  }
  xh[i] = uvec4(packHalf2x16(lo.xy), packHalf2x16(lo.zw), packHalf2x16(hi.xy), packHalf2x16(hi.zw));
}
