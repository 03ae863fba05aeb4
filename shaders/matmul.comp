#version 450
#extension GL_GOOGLE_include_directive : require
// Y[b, row] = sum_k W[row, k] * X[b, k] for a batch of rows of X (prefill).
// Each workgroup computes a TILE (weight rows) x TILE (batch) tile, staging
// 32-wide slices of K in shared memory; quantized blocks are dequantized once
// per tile. Every thread owns a 4x4 sub-tile.
#include "common.glsl"

// TILE x TILE outputs per workgroup, 4 x 4 per thread: (TILE/4)^2 threads.
// 64 (256 threads) suits GPUs; 32 (64 threads) suits CPU devices like lavapipe.
layout(constant_id = 0) const uint NT = 256;
layout(constant_id = 1) const uint TILE = 64;
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

const uint TK = 32u;
shared float ws[TILE][TK + 1u];  // +1 avoids shared-memory bank conflicts
shared float xs[TILE][TK + 1u];

void main() {
  weight_tables_init();
  const uint tid = gl_LocalInvocationID.x;
  const uint n0 = gl_WorkGroupID.x * TILE;
  const uint b0 = gl_WorkGroupID.y * TILE;
  const uint LANES = TILE / 4u;  // threads along each tile side
  const uint tr = tid % LANES, tb = tid / LANES;
  const uint row_bytes = (p.cols / BLOCK_ELEMS) * BLOCK_BYTES;

  float acc[4][4];
  [[unroll]] for (uint i = 0u; i < 4u; ++i)
    [[unroll]] for (uint j = 0u; j < 4u; ++j) acc[i][j] = 0.0;

  for (uint k0 = 0u; k0 < p.cols; k0 += TK) {
    // Stage the tile: TILE rows x 32 columns, in pieces of 8 values.
    for (uint piece = tid; piece < TILE * 4u; piece += NT) {
      const uint load_row = piece / 4u, part = piece % 4u;
      const uint wrow = n0 + load_row, xrow = b0 + load_row;
      float v[8];
#ifdef WEIGHT_QUANTIZED
      if (wrow < p.rows) {
        dequant8(wrow * row_bytes, k0 / SUB_BLOCK, part * 8u, v);  // K-quant cols are multiples of 256
      } else {
        [[unroll]] for (uint i = 0u; i < 8u; ++i) v[i] = 0.0;
      }
#else
      [[unroll]] for (uint i = 0u; i < 8u; ++i) {
        const uint k = k0 + part * 8u + i;
        v[i] = (wrow < p.rows && k < p.cols) ? weight_at(wrow * row_bytes, k) : 0.0;
      }
#endif
      [[unroll]] for (uint i = 0u; i < 8u; ++i) ws[load_row][part * 8u + i] = v[i];
      [[unroll]] for (uint i = 0u; i < 8u; ++i) {
        const uint k = k0 + part * 8u + i;
        xs[load_row][part * 8u + i] = (xrow < p.batch && k < p.cols) ? x[p.x_offset + xrow * p.x_stride + k] : 0.0;
      }
    }
    barrier();
    [[unroll]] for (uint kk = 0u; kk < TK; ++kk) {
      float wv[4], xv[4];
      [[unroll]] for (uint i = 0u; i < 4u; ++i) wv[i] = ws[tr + LANES * i][kk];
      [[unroll]] for (uint j = 0u; j < 4u; ++j) xv[j] = xs[tb + LANES * j][kk];
      [[unroll]] for (uint i = 0u; i < 4u; ++i)
        [[unroll]] for (uint j = 0u; j < 4u; ++j) acc[i][j] += wv[i] * xv[j];
    }
    barrier();
  }

  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    const uint row = n0 + tr + LANES * i;
    if (row >= p.rows) continue;
    [[unroll]] for (uint j = 0u; j < 4u; ++j) {
      const uint b = b0 + tb + LANES * j;
      if (b < p.batch) y[p.y_offset + b * p.y_stride + p.row_offset + row] = acc[i][j];
    }
  }
}
