#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_16bit_storage : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_EXT_spirv_intrinsics : require
// y[b, row] = sum_k W[row, k] * x[b, k] for b < NUM_COLS (1..8), with the
// activations already quantized to int8 blocks by quantize_act.comp: weights
// are unpacked to int8 words and multiplied with packed integer dot products
// (OpSDot), so no weight is converted to float. Each thread takes one chunk
// (32 weights, see matvec_int8.glsl) per step, UNROLL steps at a time so that
// their loads are in flight together (a row of K = 4096 is two steps of 64
// threads); the workgroup computes NUM_ROWS rows and reduces as matvec_fast does.
#include "common.glsl"

layout(constant_id = 0) const uint WG = 32;
layout(constant_id = 1) const uint NUM_ROWS = 1;
layout(constant_id = 2) const uint NUM_COLS = 1;
layout(constant_id = 3) const uint UNROLL = 2;  // chunks per thread and row loaded together
// 1: Q4_K / Q5_K chunks of 64 weights (a sub-block pair's 32 quant bytes, one
// header load and scale decode for both halves), Q2_K / Q3_K chunks of 128
// (four pieces sharing their quant bytes); others ignore it.
layout(constant_id = 4) const uint WIDE = 0;
// 1: Q6_K and Q3_K quant fields read as whole aligned words, funnel-shifted
// (ld128_2_then4) instead of 16-bit halves: 8-16% faster on the H100 (session
// 31), so the host passes 1 unless MRROPE_MATVEC_WORD_LOADS=0.
layout(constant_id = 5) const uint WORD_LOADS = 1;
// Q8_0 and Q4_0: 4 splits each block over four neighbouring lanes (coalesced
// loads); 1 gives each lane whole blocks. Others ignore it.
layout(constant_id = 6) const uint BLOCK_LANES = 1;
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer W16 { uint16_t w16[]; };
layout(std430, binding = 0) readonly buffer W32 { uint w32[]; };
layout(std430, binding = 0) readonly buffer W128 { uvec4 w128[]; };
layout(std430, binding = 1) readonly buffer XQ { uvec4 xq4[]; };
layout(std430, binding = 1) readonly buffer XQ1 { uint xq1[]; };
layout(std430, binding = 1) readonly buffer XR { vec4 xrec[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(std430, binding = 3) writeonly buffer YB { float y_b[]; };  // stacked weights' second part
layout(std430, binding = 4) writeonly buffer YC { float y_c[]; };  // and third

layout(push_constant) uniform Push {
  uint cols;        // K, elements per weight row
  uint rows;        // rows in this weight slice
  uint row_offset;  // output row of the slice's first row
  uint y_offset, y_stride;
  uint part_end0, part_end1, b_offset, b_stride, c_offset, c_stride;  // matvec_reduce.glsl
} p;

// Four packed signed 8-bit lanes of a and b, multiplied and summed.
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4450)
int sdot_packed(uint a, uint b, spirv_literal int packed_vector_format);
int dot4(uvec4 w, uvec4 x) {
  return sdot_packed(w.x, x.x, 0) + sdot_packed(w.y, x.y, 0) + sdot_packed(w.z, x.z, 0) + sdot_packed(w.w, x.w, 0);
}

// Half h (16 values) of activation block `block` of column b, and its record
// (d, s = d * sum(q), sum(q) over each half).
uvec4 xq(uint b, uint block, uint h) { return xq4[b * (p.cols >> 4) + block * 2u + h]; }
vec4 x_rec(uint b, uint block) { return xrec[NUM_COLS * (p.cols >> 4) + b * (p.cols >> 5) + block]; }

#include "matvec_reduce.glsl"
#include "matvec_int8.glsl"

void main() {
  const uint row0 = linear_group_id() * NUM_ROWS;
  if (row0 >= p.rows) return;  // whole workgroups leave together
  int8_tables_init();
  [[unroll]] for (uint i = 0u; i < NUM_ROWS * NUM_COLS; ++i) acc[i] = 0.0;
  const uint row_bytes = (p.cols / BLOCK_ELEMS) * BLOCK_BYTES;
  const uint chunks = p.cols / (CHUNK_ELEMS * CHUNK_SPAN);
  uint c = gl_LocalInvocationID.x;
  // Whole steps of UNROLL chunks (no bounds checks between their loads), then the rest.
  for (; c + (UNROLL - 1u) * WG < chunks; c += UNROLL * WG)
    [[unroll]] for (uint u = 0u; u < UNROLL; ++u)
      [[unroll]] for (uint r = 0u; r < NUM_ROWS; ++r) chunk(r, min(row0 + r, p.rows - 1u) * row_bytes, c + u * WG);
  for (; c < chunks; c += WG)
    [[unroll]] for (uint r = 0u; r < NUM_ROWS; ++r) chunk(r, min(row0 + r, p.rows - 1u) * row_bytes, c);
  reduce_and_store(row0);
}
