#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_16bit_storage : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
// y[b, row] = sum_k W[row, k] * x[b, k] for b < NUM_COLS (1..8): the decode
// matrix-vector product, bound by weight bandwidth. A workgroup computes
// NUM_ROWS rows for all NUM_COLS columns, so each weight is fetched once;
// its threads stride over 16-weight chunks (4 weights for float types) and
// reduce with subgroupAdd, plus one shared-memory pass across subgroups.
#include "common.glsl"

layout(constant_id = 0) const uint WG = 32;
layout(constant_id = 1) const uint NUM_ROWS = 1;
layout(constant_id = 2) const uint NUM_COLS = 1;
layout(local_size_x_id = 0) in;

// Typed views of one weight buffer: each field is read with the widest load its alignment allows.
layout(std430, binding = 0) readonly buffer W16 { uint16_t w16[]; };
layout(std430, binding = 0) readonly buffer W32 { uint w32[]; };
layout(std430, binding = 0) readonly buffer W64 { uvec2 w64[]; };
layout(std430, binding = 0) readonly buffer W128 { uvec4 w128[]; };
layout(std430, binding = 1) readonly buffer X { float x1[]; };
layout(std430, binding = 1) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(std430, binding = 3) writeonly buffer YB { float y_b[]; };  // stacked weights' second part
layout(std430, binding = 4) writeonly buffer YC { float y_c[]; };  // and third

layout(push_constant) uniform Push {
  uint cols;        // K, elements per weight row
  uint rows;        // rows in this weight slice
  uint row_offset;  // output row of the slice's first row
  uint x_offset, x_stride;
  uint y_offset, y_stride;
  uint part_end0, part_end1, b_offset, b_stride, c_offset, c_stride;  // matvec_reduce.glsl
} p;

#if defined(WEIGHT_F32) || defined(WEIGHT_F16) || defined(WEIGHT_BF16)
#define WEIGHT_FLOAT 1
#else
#include "matvec_decode.glsl"
#endif

#include "matvec_reduce.glsl"

// Four activations from element e on; vec4 loads where the layout allows them.
vec4 load_x4(uint e, bool aligned) {
  return aligned ? x4[e >> 2] : vec4(x1[e], x1[e + 1u], x1[e + 2u], x1[e + 3u]);
}

#ifdef WEIGHT_FLOAT
// Weights e .. e+3 (element index in the slice); `aligned`: e % 4 == 0 holds for every row.
vec4 load_w4(uint e, bool aligned) {
#if defined(WEIGHT_F32)
  if (aligned) return uintBitsToFloat(w128[e >> 2]);
  return uintBitsToFloat(uvec4(w32[e], w32[e + 1u], w32[e + 2u], w32[e + 3u]));
#else
  const uvec2 h = aligned ? w64[e >> 2]
                          : uvec2(uint(w16[e]) | (uint(w16[e + 1u]) << 16), uint(w16[e + 2u]) | (uint(w16[e + 3u]) << 16));
#if defined(WEIGHT_F16)
  return vec4(unpackHalf2x16(h.x), unpackHalf2x16(h.y));
#else
  return uintBitsToFloat(uvec4(h.x << 16, h.x & 0xffff0000u, h.y << 16, h.y & 0xffff0000u));
#endif
#endif
}
float load_w1(uint e) {
#if defined(WEIGHT_F32)
  return uintBitsToFloat(w32[e]);
#elif defined(WEIGHT_F16)
  return unpackHalf2x16(uint(w16[e])).x;
#else
  return uintBitsToFloat(uint(w16[e]) << 16);
#endif
}
#endif

void main() {
#ifndef WEIGHT_FLOAT
  weight_tables_init();
#endif
  const uint tid = gl_LocalInvocationID.x;
  const uint row0 = linear_group_id() * NUM_ROWS;
  if (row0 >= p.rows) return;  // whole workgroups leave together
  const bool x_aligned = ((p.x_offset | p.x_stride) & 3u) == 0u;

  [[unroll]] for (uint i = 0u; i < NUM_ROWS * NUM_COLS; ++i) acc[i] = 0.0;

#ifdef WEIGHT_FLOAT
  const bool w_aligned = (p.cols & 3u) == 0u;
  const bool x_vec = x_aligned && w_aligned;
  const uint body = p.cols & ~3u;
  for (uint k = tid * 4u; k < body; k += WG * 4u) {
    vec4 w[NUM_ROWS];  // past the end: repeat the last row
    [[unroll]] for (uint r = 0u; r < NUM_ROWS; ++r) w[r] = load_w4(min(row0 + r, p.rows - 1u) * p.cols + k, w_aligned);
    [[unroll]] for (uint b = 0u; b < NUM_COLS; ++b) {
      const vec4 xv = load_x4(p.x_offset + b * p.x_stride + k, x_vec);
      [[unroll]] for (uint r = 0u; r < NUM_ROWS; ++r) acc[r * NUM_COLS + b] += dot(w[r], xv);
    }
  }
  if (body + tid < p.cols) {  // the last cols % 4 elements
    const uint k = body + tid;
    [[unroll]] for (uint r = 0u; r < NUM_ROWS; ++r) {
      const float w = load_w1(min(row0 + r, p.rows - 1u) * p.cols + k);
      [[unroll]] for (uint b = 0u; b < NUM_COLS; ++b)
        acc[r * NUM_COLS + b] += w * x1[p.x_offset + b * p.x_stride + k];
    }
  }
#else
  // Each activation load serves every row of the workgroup.
  const uint row_bytes = (p.cols / BLOCK_ELEMS) * BLOCK_BYTES;
  for (uint c = tid; c < p.cols / 16u; c += WG) {
    [[unroll]] for (uint b = 0u; b < NUM_COLS; ++b) {
      const uint xb = p.x_offset + b * p.x_stride;
      const vec4 x0 = load_x4(xb + chunk_x(c, 0u), x_aligned), x1 = load_x4(xb + chunk_x(c, 1u), x_aligned);
      const vec4 x2 = load_x4(xb + chunk_x(c, 2u), x_aligned), x3 = load_x4(xb + chunk_x(c, 3u), x_aligned);
      [[unroll]] for (uint r = 0u; r < NUM_ROWS; ++r)
        acc[r * NUM_COLS + b] += chunk_dot(min(row0 + r, p.rows - 1u) * row_bytes, c, x0, x1, x2, x3);
    }
  }
#endif

  reduce_and_store(row0);
}
