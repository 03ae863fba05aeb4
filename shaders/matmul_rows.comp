#version 450
#extension GL_GOOGLE_include_directive : require
// Y[b, row] = sum_k W[row, k] * X[b, k] for CPU devices (lavapipe, prefill).
// Lavapipe runs a workgroup's invocations as SIMD lanes, and a load whose
// address differs between lanes becomes one scalar load per lane, while one
// whose address is the same for every lane is a single load. So each
// invocation owns one weight row (its 8 values at a time dequantized in
// registers: the per-lane loads are amortized over NB columns), and the
// activations, the same for every lane, are read once per workgroup step.
// matmul.comp's shared-memory tiles read per lane in their inner loop: a
// 512-token prefill of the bundled 25M model spent 10.5 s in them, 6.5 s here
// (two vec4 loads per column instead of eight floats were slower: 7.7 s).
#include "common.glsl"

#define NB 8u  // batch columns per workgroup: 8 sums and 8 weights fill 16 vector registers
layout(constant_id = 0) const uint WG = 64;
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Weights { uint weights[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
  uint cols;        // K
  uint rows;        // rows in this weight slice
  uint row_offset;  // output row of the slice's first row
  uint batch;
  uint x_offset, x_stride;
  uint y_offset, y_stride;
} p;

#include "weights.glsl"

void main() {
  weight_tables_init();
  const uint row = gl_WorkGroupID.x * WG + gl_LocalInvocationID.x;
  const uint r = min(row, p.rows - 1u);  // lanes past the end compute row r again and drop it
  const uint b0 = gl_WorkGroupID.y * NB;
  const uint row_byte = r * ((p.cols / BLOCK_ELEMS) * BLOCK_BYTES);
  uint xb[NB];  // each column's first activation (columns past the batch repeat the last)
  [[unroll]] for (uint b = 0u; b < NB; ++b) xb[b] = p.x_offset + min(b0 + b, p.batch - 1u) * p.x_stride;
  float acc[NB];
  [[unroll]] for (uint b = 0u; b < NB; ++b) acc[b] = 0.0;

  for (uint k0 = 0u; k0 < p.cols; k0 += 8u) {
    float v[8];
#ifdef WEIGHT_QUANTIZED
    dequant8(row_byte, k0 / SUB_BLOCK, k0 % SUB_BLOCK, v);  // quantized rows are whole 32-blocks
    [[unroll]] for (uint b = 0u; b < NB; ++b)
      [[unroll]] for (uint i = 0u; i < 8u; ++i) acc[b] += v[i] * x[xb[b] + k0 + i];
#else
    const uint n = min(8u, p.cols - k0);  // float rows may end inside the step
    [[unroll]] for (uint i = 0u; i < 8u; ++i) v[i] = i < n ? weight_at(row_byte, k0 + i) : 0.0;
    [[unroll]] for (uint b = 0u; b < NB; ++b)
      [[unroll]] for (uint i = 0u; i < 8u; ++i) acc[b] += v[i] * x[xb[b] + k0 + min(i, n - 1u)];
#endif
  }
  if (row >= p.rows) return;
  [[unroll]] for (uint b = 0u; b < NB; ++b)
    if (b0 + b < p.batch) y[p.y_offset + (b0 + b) * p.y_stride + p.row_offset + row] = acc[b];
}
