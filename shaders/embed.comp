#version 450
#extension GL_GOOGLE_include_directive : require
// out[t, :] = dequantize(table[ids[t], :]) for the tokens whose id falls in this
// table slice [row_begin, row_begin + row_count); one workgroup per token.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Ids { uint ids[]; };
layout(std430, binding = 1) readonly buffer Weights { uint weights[]; };
layout(std430, binding = 2) writeonly buffer Out { float outv[]; };
layout(push_constant) uniform Push {
  uint cols;
  uint n_tokens;
  uint row_begin;
  uint row_count;
} p;

#include "weights.glsl"

void main() {
  weight_tables_init();
  const uint t = linear_group_id();
  if (t >= p.n_tokens) return;
  const uint id = ids[t];
  if (id < p.row_begin || id >= p.row_begin + p.row_count) return;
  const uint row_bytes = (p.cols / BLOCK_ELEMS) * BLOCK_BYTES;
  const uint rb = (id - p.row_begin) * row_bytes;
  for (uint k = gl_LocalInvocationID.x; k < p.cols; k += 256u) outv[t * p.cols + k] = weight_at(rb, k);
}
