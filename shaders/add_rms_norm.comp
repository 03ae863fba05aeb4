#version 450
#extension GL_GOOGLE_include_directive : require
#ifdef SUBGROUPS
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#define LANES8  // q8_blocks.glsl's q8_block_lanes
#endif
// The residual add and the next RMSNorm in one pass (they always come in
// pairs in the decoder): x[row, :] += r[row, :], then
// y[row, :] = x[row, :] / sqrt(mean(x[row, :]^2) + eps) * weight[:].
// One workgroup per row. Rows of a multiple of 4 elements are read as vec4,
// one per thread per step, and the first STEPS steps stay in registers
// between the sum and the stores, so a row up to 16 x WG elements takes one
// memory round trip. With QUANTIZE, y is also written as int8 blocks in
// quantize_act.comp's layout (binding 4) for the integer-dot products. With
// WATCH, a row whose sum of squares is not finite records p.layer in the
// watch buffer (atomicMin: the first layer that went bad), so a corrupted
// model is named instead of ending in NaN logits. With SUBGROUPS the row's sum
// and each block's max and sums are reduced with subgroup operations instead
// of barriers over shared memory: two barriers a row instead of fourteen,
// which is most of this dispatch's time at decode's one row of 4096.
#include "common.glsl"

layout(constant_id = 0) const uint WG = 256;
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) restrict buffer X { float x[]; };  // restrict: no binding aliases another
layout(std430, binding = 0) restrict buffer X4 { vec4 x4[]; };
layout(std430, binding = 1) restrict readonly buffer R { float r[]; };
layout(std430, binding = 1) restrict readonly buffer R4 { vec4 r4[]; };
layout(std430, binding = 2) restrict readonly buffer W { float weight[]; };
layout(std430, binding = 2) restrict readonly buffer W4 { vec4 weight4[]; };
layout(std430, binding = 3) restrict writeonly buffer Y { float y[]; };
layout(std430, binding = 3) restrict writeonly buffer Y4 { vec4 y4[]; };
#ifdef QUANTIZE
#include "q8_blocks.glsl"
layout(std430, binding = 4) restrict writeonly buffer Q { uint q[]; };
layout(std430, binding = 4) restrict writeonly buffer Rec { vec4 rec[]; };
#endif
#ifdef WATCH
#ifdef QUANTIZE
layout(std430, binding = 5) buffer Watch { int first_bad_layer; };
#else
layout(std430, binding = 4) buffer Watch { int first_bad_layer; };
#endif
#endif

layout(push_constant) uniform Push {
  uint cols;
  uint rows;
  float eps;
  uint layer;  // recorded by WATCH
} p;

const uint STEPS = 4;
shared float partial[WG];

float row_sum(float v) {
#ifdef SUBGROUPS
  const float part = subgroupAdd(v);
  if (subgroupElect()) partial[gl_SubgroupID] = part;
  barrier();
  float total = 0.0;
  for (uint i = 0u; i < gl_NumSubgroups; ++i) total += partial[i];
#else
  partial[gl_LocalInvocationID.x] = v;
  barrier();
  for (uint s = WG / 2u; s > 0u; s >>= 1) {
    if (gl_LocalInvocationID.x < s) partial[gl_LocalInvocationID.x] += partial[gl_LocalInvocationID.x + s];
    barrier();
  }
  const float total = partial[0];
#endif
  barrier();  // partial is reused
#ifdef WATCH
  if (gl_LocalInvocationID.x == 0u && (isnan(total) || isinf(total))) atomicMin(first_bad_layer, int(p.layer));
#endif
  return total;
}

#ifdef QUANTIZE
// The eight threads of a 32-element block (threads 8i .. 8i+7 hold its vec4s)
// agree on d = max|y| / 127 through shared memory; each writes its word of
// quants, the first also the block's record (d, d * sum(q), sums of q over
// each half). Every thread calls this.
void quantize(vec4 v, uint e, bool inside) {
#ifdef SUBGROUPS
  // The eight lanes of a block are eight consecutive lanes of one subgroup
  // (rows are whole blocks, so they are inside or outside together).
  uint word;
  vec4 record;
  q8_block_lanes(v, gl_SubgroupInvocationID & 7u, word, record);
  if (!inside) return;
  q[e >> 2] = word;
  if ((gl_SubgroupInvocationID & 7u) == 0u) rec[(p.rows * p.cols >> 4) + (e >> 5)] = record;
  return;
#endif
  const uint tid = gl_LocalInvocationID.x, first = tid & ~7u;
  const vec4 a = abs(v);
  partial[tid] = inside ? max(max(a.x, a.y), max(a.z, a.w)) : 0.0;
  barrier();
  float amax = 0.0;
  [[unroll]] for (uint i = 0u; i < 8u; ++i) amax = max(amax, partial[first + i]);
  barrier();
  const float d = amax / 127.0, inv = d != 0.0 ? 1.0 / d : 0.0;
  const ivec4 qi = q8_round(v, inv);
  partial[tid] = float(qi.x + qi.y + qi.z + qi.w);
  barrier();
  float half_sum[2] = {0.0, 0.0};
  [[unroll]] for (uint i = 0u; i < 8u; ++i) half_sum[i / 4u] += partial[first + i];
  barrier();
  if (!inside) return;
  q[e >> 2] = q8_pack(qi);
  if (tid == first)
    rec[(p.rows * p.cols >> 4) + (e >> 5)] = vec4(d, d * (half_sum[0] + half_sum[1]), half_sum[0], half_sum[1]);
}
#endif

// Stores x and y at element k of the row (nothing past its end).
void finish(vec4 u, uint base, uint k, float scale) {
  const bool inside = k < p.cols;
  if (inside) {
    x4[(base + k) >> 2] = u;
    u *= scale * weight4[k >> 2];
    y4[(base + k) >> 2] = u;
  }
#ifdef QUANTIZE
  quantize(u, base + k, inside);
#endif
}

void main() {
  const uint row = linear_group_id();
  if (row >= p.rows) return;
  const uint tid = gl_LocalInvocationID.x;
  const uint base = row * p.cols;
  if ((p.cols & 3u) != 0u) {  // scalar rows: two passes over memory
    float sum = 0.0;
    for (uint k = tid; k < p.cols; k += WG) {
      const float v = x[base + k] + r[base + k];
      sum += v * v;
    }
    const float scale = inversesqrt(row_sum(sum) / float(p.cols) + p.eps);
    for (uint k = tid; k < p.cols; k += WG) {
      const float v = x[base + k] + r[base + k];
      x[base + k] = v;
      y[base + k] = v * scale * weight[k];
    }
    return;
  }
  // Sums first, stores later: a store between loads would keep the next
  // loads from starting early.
  vec4 v[STEPS];
  float sum = 0.0;
  [[unroll]] for (uint s = 0u; s < STEPS; ++s) {
    const uint k = (s * WG + tid) * 4u;
    v[s] = k < p.cols ? x4[(base + k) >> 2] + r4[(base + k) >> 2] : vec4(0.0);
    sum += dot(v[s], v[s]);
  }
  for (uint k = (STEPS * WG + tid) * 4u; k < p.cols; k += WG * 4u) {
    const vec4 u = x4[(base + k) >> 2] + r4[(base + k) >> 2];
    sum += dot(u, u);
  }
  const float scale = inversesqrt(row_sum(sum) / float(p.cols) + p.eps);
  [[unroll]] for (uint s = 0u; s < STEPS; ++s)
    if (s * WG * 4u < p.cols) finish(v[s], base, (s * WG + tid) * 4u, scale);  // uniform: quantize has barriers
  for (uint k = (STEPS * WG + tid) * 4u; k - tid * 4u < p.cols; k += WG * 4u)
    finish(k < p.cols ? x4[(base + k) >> 2] + r4[(base + k) >> 2] : vec4(0.0), base, k, scale);
}
