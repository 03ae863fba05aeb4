#version 450
#extension GL_GOOGLE_include_directive : require
// Merges the key splits of attention.comp: with M = max_s m_s,
// out = sum_s o_s exp(m_s - M) / sum_s l_s exp(m_s - M). One workgroup per
// (token, head); threads over the head dimension.
#include "common.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer PO { float partial_o[]; };
layout(std430, binding = 1) readonly buffer PML { vec2 partial_ml[]; };
layout(std430, binding = 2) writeonly buffer Out { float outv[]; };
layout(push_constant) uniform Push {
  uint n_tokens;
  uint n_head;
  uint head_dim;
  uint splits;
  uint out_stride;  // floats between tokens in out
} p;

#define NEG_INF uintBitsToFloat(0xff800000u)

void main() {
  const uint th = linear_group_id();
  if (th >= p.n_tokens * p.n_head) return;
  const uint t = th / p.n_head, h = th % p.n_head;
  const uint stride = p.n_tokens * p.n_head;  // entries between splits
  float M = NEG_INF;
  for (uint s = 0u; s < p.splits; ++s) M = max(M, partial_ml[s * stride + th].x);
  float L = 0.0;
  for (uint s = 0u; s < p.splits; ++s) {
    const vec2 ml = partial_ml[s * stride + th];
    if (ml.x != NEG_INF) L += ml.y * exp(ml.x - M);
  }
  for (uint d = gl_LocalInvocationID.x; d < p.head_dim; d += 64u) {
    float o = 0.0;
    for (uint s = 0u; s < p.splits; ++s) {
      const vec2 ml = partial_ml[s * stride + th];
      if (ml.x != NEG_INF) o += partial_o[(s * stride + th) * p.head_dim + d] * exp(ml.x - M);
    }
    outv[t * p.out_stride + h * p.head_dim + d] = o / L;
  }
}
