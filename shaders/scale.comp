#version 450
#extension GL_GOOGLE_include_directive : require
// In place over n floats: x *= value (Gemma's embedding scale), or with SOFTCAP
// x = value * tanh(x / value) (logit soft-capping).
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer X { float x[]; };
layout(push_constant) uniform Push {
  uint n;
  float value;
} p;

void main() {
  const uint i = linear_group_id() * 256u + gl_LocalInvocationID.x;
  if (i >= p.n) return;
#ifdef SOFTCAP
  // tanh(y) = 1 - 2 / (exp(2y) + 1): exp's overflow gives 1, its underflow -1, never NaN.
  const float y = x[i] / p.value;
  x[i] = p.value * (1.0 - 2.0 / (exp(2.0 * y) + 1.0));
#else
  x[i] *= p.value;
#endif
}
