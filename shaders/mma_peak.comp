#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_control_flow_attributes : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
// The matrix units' roofline (bench-kernels): each subgroup multiplies FM x FN
// 16x16x16 f16 fragments into f32 accumulators, ITERS times. RELOAD = 0 keeps
// the operands in registers (the raw multiply rate); 1 loads them from shared
// memory every step as a tiled kernel does (the rate its fragment loads allow).
// Shared memory is read through uvec4 (U4) or float16_t views.
layout(constant_id = 0) const uint NT = 256;
layout(constant_id = 1) const uint FM = 4;
layout(constant_id = 2) const uint FN = 2;
layout(constant_id = 3) const uint RELOAD = 0;
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) buffer Out { float outs[]; };
layout(push_constant) uniform Push { uint iters; } p;

const uint T = 16u;
const uint STRIDE = 72u;  // halves per shared row, as matmul_coopmat.comp
#ifdef U4
shared uvec4 tile[128 * STRIDE / 8];
const uint PER = 8u;
#else
shared float16_t tile[128 * STRIDE];
const uint PER = 1u;
#endif

void main() {
  const uint tid = gl_LocalInvocationID.x, sg = tid / gl_SubgroupSize;
#ifdef U4
  for (uint i = tid; i < (128u * STRIDE / PER); i += NT) tile[i] = uvec4(0x3c003c00u + i);
#else
  for (uint i = tid; i < (128u * STRIDE / PER); i += NT) tile[i] = float16_t(float(i % 7u) * 0.01);
#endif
  barrier();
  fcoopmatNV<32, gl_ScopeSubgroup, T, T> acc[FM * FN];
  [[unroll]] for (uint i = 0u; i < FM * FN; ++i) acc[i] = fcoopmatNV<32, gl_ScopeSubgroup, T, T>(0.0);
  fcoopmatNV<16, gl_ScopeSubgroup, T, T> a[FM], b[FN];
  const uint row0 = (sg * 16u) % 64u;
  [[unroll]] for (uint i = 0u; i < FM; ++i) coopMatLoadNV(a[i], tile, (row0 + i * T) * STRIDE / PER, STRIDE / PER, false);
  [[unroll]] for (uint j = 0u; j < FN; ++j) coopMatLoadNV(b[j], tile, (row0 + j * T) * STRIDE / PER, STRIDE / PER, true);
  for (uint it = 0u; it < p.iters; ++it) {
    if (RELOAD != 0u) {
      const uint kk = (it & 3u) * T;
      [[unroll]] for (uint i = 0u; i < FM; ++i)
        coopMatLoadNV(a[i], tile, ((row0 + i * T) * STRIDE + kk) / PER, STRIDE / PER, false);
      [[unroll]] for (uint j = 0u; j < FN; ++j)
        coopMatLoadNV(b[j], tile, ((64u - row0 + j * T) * STRIDE + kk) / PER, STRIDE / PER, true);
    }
    [[unroll]] for (uint i = 0u; i < FM; ++i)
      [[unroll]] for (uint j = 0u; j < FN; ++j) acc[i * FN + j] = coopMatMulAddNV(a[i], b[j], acc[i * FN + j]);
  }
  // Every accumulator is stored (else the compiler drops its products).
  const uint base = ((gl_WorkGroupID.x * (NT / gl_SubgroupSize) + sg) * FM * FN) * T * T;
  [[unroll]] for (uint i = 0u; i < FM * FN; ++i) coopMatStoreNV(acc[i], outs, base + i * T * T, T, false);
}
