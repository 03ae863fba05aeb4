#version 450
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_KHR_shader_subgroup_basic : require
// Where a 16 x 16 f32 accumulator's elements live: one subgroup loads a matrix
// whose element (r, c) holds 16 r + c and writes, per invocation, each of its
// elements in index order. The host reads which rows and columns every lane
// holds (ops/coopmat_layout.h) to decide whether row reductions can run on
// registers (attention_cm.comp's REG_SOFTMAX).
// out[0] = elements per invocation; out[1 + 16 * lane + i] = element i's code.
layout(local_size_x = 32) in;  // one subgroup (the host runs this only where subgroups are 32 wide)
layout(std430, binding = 0) writeonly buffer Out { float outv[]; };

shared float codes[256];

void main() {
  const uint lane = gl_SubgroupInvocationID;
  for (uint i = lane; i < 256u; i += 32u) codes[i] = float(i);
  barrier();
  fcoopmatNV<32, gl_ScopeSubgroup, 16, 16> m;
  coopMatLoadNV(m, codes, 0u, 16u, false);
  const uint n = uint(m.length());
  for (uint i = 0u; i < n && i < 16u; ++i) outv[1u + 16u * lane + i] = m[i];
  if (lane == 0u) outv[0] = float(n);
}
