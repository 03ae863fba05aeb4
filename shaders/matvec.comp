#version 450
#extension GL_GOOGLE_include_directive : require
// y[b, row] = sum_k W[row, k] * x[b, k] for a small batch (one batch column per
// workgroup z). Each workgroup computes ROWS rows of one weight slice; threads
// stride over the row (by element for float weights, by block for quantized
// ones) and reduce in shared memory.
#include "common.glsl"

layout(constant_id = 0) const uint WG = 128;
layout(constant_id = 1) const uint ROWS = 2;  // rows per workgroup
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Weights { uint weights[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
  uint cols;        // K, elements per weight row
  uint rows;        // rows in this weight slice
  uint row_offset;  // output row of the slice's first row
  uint x_offset, x_stride;
  uint y_offset, y_stride;
} p;

#include "weights.glsl"

shared float partial[ROWS * WG];

void main() {
  weight_tables_init();
  const uint tid = gl_LocalInvocationID.x;
  const uint row0 = linear_group_id() * ROWS;
  if (row0 >= p.rows) return;
  const uint xb = p.x_offset + gl_WorkGroupID.z * p.x_stride;
  const uint row_bytes = (p.cols / BLOCK_ELEMS) * BLOCK_BYTES;

  float acc[ROWS];
  [[unroll]] for (uint r = 0u; r < ROWS; ++r) acc[r] = 0.0;

#ifdef WEIGHT_QUANTIZED
  const uint blocks = p.cols / SUB_BLOCK;  // 32-element (sub-)blocks
  for (uint blk = tid; blk < blocks; blk += WG) {
    [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
      if (row0 + r >= p.rows) break;
      const uint rb = (row0 + r) * row_bytes;
      [[unroll]] for (uint part = 0u; part < 4u; ++part) {
        float v[8];
        dequant8(rb, blk, part * 8u, v);
        const uint k = xb + blk * SUB_BLOCK + part * 8u;
        [[unroll]] for (uint i = 0u; i < 8u; ++i) acc[r] += v[i] * x[k + i];
      }
    }
  }
#else
  for (uint k = tid; k < p.cols; k += WG) {
    const float xv = x[xb + k];
    [[unroll]] for (uint r = 0u; r < ROWS; ++r)
      if (row0 + r < p.rows) acc[r] += weight_at((row0 + r) * row_bytes, k) * xv;
  }
#endif

  [[unroll]] for (uint r = 0u; r < ROWS; ++r) partial[r * WG + tid] = acc[r];
  barrier();
  for (uint s = WG / 2u; s > 0u; s >>= 1) {
    if (tid < s)
      [[unroll]] for (uint r = 0u; r < ROWS; ++r) partial[r * WG + tid] += partial[r * WG + tid + s];
    barrier();
  }
  if (tid < ROWS && row0 + tid < p.rows)
    y[p.y_offset + gl_WorkGroupID.z * p.y_stride + p.row_offset + row0 + tid] = partial[tid * WG];
}
