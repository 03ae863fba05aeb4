#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
// y[b, row] = sum_k W[row, k] * x[b, k], one subgroup per row: the lanes
// stride over the row's 32-element pieces (consecutive lanes read consecutive
// blocks) and reduce with subgroupAdd, so there is no shared memory and no
// barrier. A workgroup holds several subgroups, hence several rows.
#include "common.glsl"

layout(constant_id = 0) const uint WG = 128;
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Weights { uint weights[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
  uint cols;
  uint rows;
  uint row_offset;
  uint x_offset, x_stride;
  uint y_offset, y_stride;
} p;

#include "weights.glsl"

void main() {
  weight_tables_init();
  const uint row = linear_group_id() * gl_NumSubgroups + gl_SubgroupID;
  if (row >= p.rows) return;  // whole subgroups leave together
  const uint lane = gl_SubgroupInvocationID;
  const uint xb = p.x_offset + gl_WorkGroupID.z * p.x_stride;
  const uint rb = row * ((p.cols / BLOCK_ELEMS) * BLOCK_BYTES);
  float acc = 0.0;
#ifdef WEIGHT_QUANTIZED
  for (uint piece = lane; piece < p.cols / SUB_BLOCK; piece += gl_SubgroupSize) {
    [[unroll]] for (uint part = 0u; part < 4u; ++part) {
      float v[8];
      dequant8(rb, piece, part * 8u, v);
      const uint k = xb + piece * SUB_BLOCK + part * 8u;
      [[unroll]] for (uint i = 0u; i < 8u; ++i) acc += v[i] * x[k + i];
    }
  }
#else
  for (uint k = lane; k < p.cols; k += gl_SubgroupSize) acc += weight_at(rb, k) * x[xb + k];
#endif
  acc = subgroupAdd(acc);
  if (subgroupElect()) y[p.y_offset + gl_WorkGroupID.z * p.y_stride + p.row_offset + row] = acc;
}
