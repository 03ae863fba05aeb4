#version 450
#extension GL_GOOGLE_include_directive : require
// x[r, c] += bias[c] for a [rows x cols] activation (Qwen2's q/k/v biases).
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Bias { float bias[]; };
layout(push_constant) uniform Push {
  uint rows;
  uint cols;
} p;

void main() {
  const uint i = linear_group_id() * 256u + gl_LocalInvocationID.x;
  if (i >= p.rows * p.cols) return;
  x[i] += bias[i % p.cols];
}
