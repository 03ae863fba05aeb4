#version 450
#extension GL_GOOGLE_include_directive : require
#ifdef LANES8
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#endif
// Activations to int8 blocks for matvec_int8.comp: each 32-element block of
// each column gets d = max|x| / 127, q = round(x / d) with ties away from zero
// (as ggml's quantize_row_q8_1) and s = d * sum(q), the sum that Q4_0's -8 and
// the K-quant mins multiply, plus the sums of q over each half (Q6_K's -32
// applies per 16 weights). One thread per block, or with LANES8 eight (a
// vec4 each, merged by xor shuffles: 8x the threads and an eighth of the
// serial loads, for the decode step's single column). With SWIGLU the values are
// silu(gate) * up (as silu_mul.comp computes them) from bindings 0 and 2, so
// the feed-forward's down projection gets its int8 input in one dispatch.
//   words [b * cols / 4 + i]: the int8 quants of column b, four per word;
//   vec4 [batch * cols / 16 + b * cols / 32 + block]: (d, s, sum of q over
//   elements 0..15, over 16..31).
#include "common.glsl"
#include "q8_blocks.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer X { float x1[]; };
layout(std430, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 1) writeonly buffer Q { uint q[]; };
layout(std430, binding = 1) writeonly buffer Rec { vec4 rec[]; };
#ifdef SWIGLU
layout(std430, binding = 2) readonly buffer Up { float up1[]; };
layout(std430, binding = 2) readonly buffer Up4 { vec4 up4[]; };
#endif

layout(push_constant) uniform Push {
  uint cols;  // elements per column, a multiple of 32
  uint batch;
  uint x_offset, x_stride;
} p;

#ifdef LANES8
#define BLOCK_LANES 8u
#else
#define BLOCK_LANES 1u
#endif

void main() {
  const uint blocks = p.cols / 32u;
  const uint id = (linear_group_id() * 64u + gl_LocalInvocationID.x) / BLOCK_LANES;
  if (id >= blocks * p.batch) return;  // with LANES8, a block's 8 lanes (one subgroup's run) leave together
#ifdef LANES8
  const uint lane = gl_SubgroupInvocationID % 8u;
#endif
  const uint b = id / blocks, block = id % blocks;
  const uint e = p.x_offset + b * p.x_stride + block * 32u;
  const bool aligned = (e & 3u) == 0u;

#ifdef LANES8
  const uint k = e + 4u * lane;
  vec4 v = aligned ? x4[k >> 2] : vec4(x1[k], x1[k + 1u], x1[k + 2u], x1[k + 3u]);
#ifdef SWIGLU
  v = v / (1.0 + exp(-v)) * (aligned ? up4[k >> 2] : vec4(up1[k], up1[k + 1u], up1[k + 2u], up1[k + 3u]));
#endif
  uint word;
  vec4 record;
  q8_block_lanes(v, lane, word, record);
  q[(b * p.cols + block * 32u) / 4u + lane] = word;
  if (lane == 0u) rec[p.batch * p.cols / 16u + b * blocks + block] = record;
#else
  vec4 v[8];
  [[unroll]] for (uint j = 0u; j < 8u; ++j) {
    const uint k = e + 4u * j;
    v[j] = aligned ? x4[k >> 2] : vec4(x1[k], x1[k + 1u], x1[k + 2u], x1[k + 3u]);
#ifdef SWIGLU
    v[j] = v[j] / (1.0 + exp(-v[j])) * (aligned ? up4[k >> 2] : vec4(up1[k], up1[k + 1u], up1[k + 2u], up1[k + 3u]));
#endif
  }
  uint words[8];
  vec4 record;
  q8_block(v, words, record);
  [[unroll]] for (uint j = 0u; j < 8u; ++j) q[(b * p.cols + block * 32u) / 4u + j] = words[j];
  rec[p.batch * p.cols / 16u + b * blocks + block] = record;
#endif
}
