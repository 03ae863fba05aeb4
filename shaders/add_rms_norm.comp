#version 450
#extension GL_GOOGLE_include_directive : require
// The residual add and the next RMSNorm in one pass (they always come in
// pairs in the decoder): x[row, :] += r[row, :], then
// y[row, :] = x[row, :] / sqrt(mean(x[row, :]^2) + eps) * weight[:].
// One workgroup per row.
#include "common.glsl"

layout(constant_id = 0) const uint WG = 256;
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) restrict buffer X { float x[]; };  // restrict: no binding aliases another
layout(std430, binding = 1) restrict readonly buffer R { float r[]; };
layout(std430, binding = 2) restrict readonly buffer W { float weight[]; };
layout(std430, binding = 3) restrict writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
  uint cols;
  uint rows;
  float eps;
} p;

shared float partial[WG];

void main() {
  const uint row = linear_group_id();
  if (row >= p.rows) return;
  const uint tid = gl_LocalInvocationID.x;
  const uint base = row * p.cols;
  // Sums first, stores later: stores inside this loop would keep the next
  // iteration's loads from starting early, one memory round trip per iteration.
  float sum = 0.0;
  for (uint k = tid; k < p.cols; k += WG) {
    const float v = x[base + k] + r[base + k];
    sum += v * v;
  }
  partial[tid] = sum;
  barrier();
  for (uint s = WG / 2u; s > 0u; s >>= 1) {
    if (tid < s) partial[tid] += partial[tid + s];
    barrier();
  }
  const float scale = inversesqrt(partial[0] / float(p.cols) + p.eps);
  for (uint k = tid; k < p.cols; k += WG) {
    const float v = x[base + k] + r[base + k];
    x[base + k] = v;
    y[base + k] = v * scale * weight[k];
  }
}
