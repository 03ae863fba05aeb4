#version 450
#extension GL_GOOGLE_include_directive : require
// y[row, :] = x[row, :] / sqrt(mean(x[row, :]^2) + eps) * weight[:], one workgroup per row.
// y may be the same buffer as x.
#include "common.glsl"

layout(constant_id = 0) const uint WG = 256;
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float weight[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
  uint cols;
  uint rows;
  float eps;
  uint x_offset;
  uint y_offset;
} p;

shared float partial[WG];

void main() {
  const uint row = linear_group_id();
  if (row >= p.rows) return;
  const uint tid = gl_LocalInvocationID.x;
  const uint xb = p.x_offset + row * p.cols, yb = p.y_offset + row * p.cols;
  float sum = 0.0;
  for (uint k = tid; k < p.cols; k += WG) sum += x[xb + k] * x[xb + k];
  partial[tid] = sum;
  barrier();
  for (uint s = WG / 2u; s > 0u; s >>= 1) {
    if (tid < s) partial[tid] += partial[tid + s];
    barrier();
  }
  const float scale = inversesqrt(partial[0] / float(p.cols) + p.eps);
  for (uint k = tid; k < p.cols; k += WG) y[yb + k] = x[xb + k] * scale * weight[k];
}
