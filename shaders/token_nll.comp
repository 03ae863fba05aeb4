#version 450
#extension GL_GOOGLE_include_directive : require
// Negative log-likelihood of each row's target token: logsumexp(logits) -
// logits[target], one workgroup per row, so perplexity never reads logits back.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Logits { float logits[]; };
layout(std430, binding = 1) readonly buffer Targets { uint targets[]; };
layout(std430, binding = 2) writeonly buffer Nll { float nll[]; };
layout(push_constant) uniform Push {
  uint rows;
  uint vocab;
  uint target_offset;  // first target of this call
  uint out_offset;     // first output of this call
} p;

shared float partial[256];

void main() {
  const uint row = linear_group_id();
  if (row >= p.rows) return;
  const uint tid = gl_LocalInvocationID.x, base = row * p.vocab;
  float m = uintBitsToFloat(0xff800000u);
  for (uint k = tid; k < p.vocab; k += 256u) m = max(m, logits[base + k]);
  partial[tid] = m;
  barrier();
  for (uint s = 128u; s > 0u; s >>= 1) {
    if (tid < s) partial[tid] = max(partial[tid], partial[tid + s]);
    barrier();
  }
  m = partial[0];
  barrier();
  float sum = 0.0;
  for (uint k = tid; k < p.vocab; k += 256u) sum += exp(logits[base + k] - m);
  partial[tid] = sum;
  barrier();
  for (uint s = 128u; s > 0u; s >>= 1) {
    if (tid < s) partial[tid] += partial[tid + s];
    barrier();
  }
  if (tid == 0u) nll[p.out_offset + row] = m + log(partial[0]) - logits[base + targets[p.target_offset + row]];
}
