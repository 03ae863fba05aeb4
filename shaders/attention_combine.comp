#version 450
#extension GL_GOOGLE_include_directive : require
// Merges the key splits of attention.comp and attention_decode.comp: with
// M = max_s m_s, out = sum_s o_s exp(m_s - M) / sum_s l_s exp(m_s - M). One
// workgroup per (token, head). Every split's (m, l) is read in one pass into
// shared memory, and each thread (one per output element) reads the splits'
// outputs eight at a time, so the chain of dependent memory reads is short
// (a loop with one read per split took 13 us a layer at 8K on an H100).
// With QUANTIZE the head's output is also written as int8 blocks of 32 for
// the output projection (quantize_act.comp's layout and rounding), sparing a
// quantize pass; the host asks for it only when head_dim % 32 == 0.
#include "common.glsl"

#define WG 128u
#define MAX_SPLITS 1024u  // the host never plans more
layout(local_size_x = 128) in;
layout(std430, binding = 0) readonly buffer PO { float partial_o[]; };
layout(std430, binding = 1) readonly buffer PML { vec2 partial_ml[]; };
layout(std430, binding = 2) writeonly buffer Out { float outv[]; };
#ifdef QUANTIZE
#include "q8_blocks.glsl"
layout(std430, binding = 3) writeonly buffer XQ { uint xq[]; };
layout(std430, binding = 3) writeonly buffer XRec { vec4 xrec[]; };
shared float head_out[256];  // the largest head
#endif
layout(push_constant) uniform Push {
  uint n_tokens;
  uint n_head;
  uint head_dim;
  uint splits;
  uint out_stride;  // floats between tokens in out
} p;

#define NEG_INF uintBitsToFloat(0xff800000u)

shared float weight[MAX_SPLITS];  // m_s, then exp(m_s - M) (0 for empty splits)
shared float split_l[MAX_SPLITS];
shared float reduce[WG];

// op 0: max, 1: sum, over the workgroup.
float workgroup_reduce(float v, uint op) {
  const uint tid = gl_LocalInvocationID.x;
  reduce[tid] = v;
  barrier();
  for (uint s = WG / 2u; s > 0u; s >>= 1) {
    if (tid < s) reduce[tid] = op == 0u ? max(reduce[tid], reduce[tid + s]) : reduce[tid] + reduce[tid + s];
    barrier();
  }
  const float r = reduce[0];
  barrier();
  return r;
}

void main() {
  const uint th = linear_group_id();
  if (th >= p.n_tokens * p.n_head) return;
  const uint tid = gl_LocalInvocationID.x;
  const uint t = th / p.n_head, h = th % p.n_head;
  const uint stride = p.n_tokens * p.n_head;  // entries between splits
  float m = NEG_INF;
  for (uint s = tid; s < p.splits; s += WG) {
    const vec2 ml = partial_ml[s * stride + th];
    weight[s] = ml.x;
    split_l[s] = ml.y;
    m = max(m, ml.x);
  }
  const float M = workgroup_reduce(m, 0u);
  float l = 0.0;
  for (uint s = tid; s < p.splits; s += WG) {
    const float w = weight[s] == NEG_INF ? 0.0 : exp(weight[s] - M);
    weight[s] = w;
    l += split_l[s] * w;
  }
  const float L = workgroup_reduce(l, 1u);  // its barriers also publish weight[]
  for (uint d = tid; d < p.head_dim; d += WG) {
    float o = 0.0;
    for (uint s0 = 0u; s0 < p.splits; s0 += 8u) {
      float v[8];
      [[unroll]] for (uint u = 0u; u < 8u; ++u)
        v[u] = s0 + u < p.splits ? partial_o[((s0 + u) * stride + th) * p.head_dim + d] : 0.0;
      [[unroll]] for (uint u = 0u; u < 8u; ++u)
        if (s0 + u < p.splits && weight[s0 + u] != 0.0) o += v[u] * weight[s0 + u];  // empty splits hold no output
    }
    outv[t * p.out_stride + h * p.head_dim + d] = o / L;
#ifdef QUANTIZE
    head_out[d] = o / L;
#endif
  }
#ifdef QUANTIZE
  barrier();
  // Thread j quantizes block j of the head; columns are tokens of out_stride elements.
  if (tid < p.head_dim / 32u) {
    const uint blocks = p.out_stride / 32u, block = h * (p.head_dim / 32u) + tid;
    vec4 v[8];
    [[unroll]] for (uint j = 0u; j < 8u; ++j) {
      const uint e = 32u * tid + 4u * j;
      v[j] = vec4(head_out[e], head_out[e + 1u], head_out[e + 2u], head_out[e + 3u]);
    }
    uint words[8];
    vec4 record;
    q8_block(v, words, record);
    [[unroll]] for (uint j = 0u; j < 8u; ++j) xq[(t * p.out_stride + block * 32u) / 4u + j] = words[j];
    xrec[p.n_tokens * p.out_stride / 16u + t * blocks + block] = record;
  }
#endif
}
