#version 450
#extension GL_GOOGLE_include_directive : require
// y[row, :] = softmax(scale * x[row, :]), one workgroup per row, max-subtracted
// for stability. y may be the same buffer as x.
#include "common.glsl"

layout(constant_id = 0) const uint WG = 256;
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint cols;
  uint rows;
  float scale;
} p;

shared float partial[WG];

void main() {
  const uint row = linear_group_id();
  if (row >= p.rows) return;
  const uint tid = gl_LocalInvocationID.x;
  const uint base = row * p.cols;

  float m = -3.402823e38;
  for (uint k = tid; k < p.cols; k += WG) m = max(m, p.scale * x[base + k]);
  partial[tid] = m;
  barrier();
  for (uint s = WG / 2u; s > 0u; s >>= 1) {
    if (tid < s) partial[tid] = max(partial[tid], partial[tid + s]);
    barrier();
  }
  m = partial[0];
  barrier();

  float sum = 0.0;
  for (uint k = tid; k < p.cols; k += WG) sum += exp(p.scale * x[base + k] - m);
  partial[tid] = sum;
  barrier();
  for (uint s = WG / 2u; s > 0u; s >>= 1) {
    if (tid < s) partial[tid] += partial[tid + s];
    barrier();
  }
  const float inv = 1.0 / partial[0];
  for (uint k = tid; k < p.cols; k += WG) y[base + k] = exp(p.scale * x[base + k] - m) * inv;
}
