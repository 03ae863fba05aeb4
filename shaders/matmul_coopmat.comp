#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
// Y[b, row] = sum_k W[row, k] * X[b, k] on the matrix units (prefill): the
// same contract as matmul.comp. Each workgroup computes a BM (weight rows) x
// BN (tokens) tile D = W_tile * X_tile^T. Per step of BK columns the threads
// dequantize the weight tile and convert the activation tile to f16 in shared
// memory once; each subgroup then multiplies its WM x WN part as 16x16x16
// fragments, accumulating in f32 registers across the whole of K.
#include "common.glsl"

// Subgroups form a (BM / WM) x (BN / WN) grid; NT = their count x subgroup size.
layout(constant_id = 0) const uint NT = 256;
layout(constant_id = 1) const uint BM = 128;
layout(constant_id = 2) const uint BN = 128;
layout(constant_id = 3) const uint WM = 64;
layout(constant_id = 4) const uint WN = 32;
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

const uint T = 16u;   // fragment side (M = N = K = 16)
const uint BK = 64u;  // two 32-element sub-blocks per step
// Row stride in halves: 144 bytes keeps fragment rows 16-byte aligned (as
// coopMatLoadNV requires) and shifts consecutive rows by 4 banks, so the 8
// rows a fragment load reads at once hit distinct banks.
const uint STRIDE = BK + 8u;
const uint FM = WM / T, FN = WN / T;  // fragments per subgroup
const uint SUBGROUPS = (BM / WM) * (BN / WN);

shared float16_t ws[BM * STRIDE];  // weights, row-major: ws[row * STRIDE + k]
shared float16_t xs[BN * STRIDE];  // activations, one row per token: xs[token * STRIDE + k]
shared float cs[SUBGROUPS * T * T];  // one 16x16 result fragment per subgroup on its way out

#ifdef WEIGHT_QUANTIZED
// The 32 weights of sub-block `block` of the row; each scale is read once.
void dequant32(uint row_byte, uint block, out float v[32]) {
#if defined(WEIGHT_Q8_0)
  const uint b = row_byte + block * BLOCK_BYTES;
  const float d = w_f16(b);
  [[unroll]] for (uint i = 0u; i < 8u; ++i) {
    const int w = int(w_u32(b + 2u + 4u * i));
    [[unroll]] for (uint e = 0u; e < 4u; ++e) v[4u * i + e] = d * float(bitfieldExtract(w, int(8u * e), 8));
  }
#elif defined(WEIGHT_Q4_0)
  // Byte l holds element l in its low nibble and element l + 16 in its high one.
  const uint b = row_byte + block * BLOCK_BYTES;
  const float d = w_f16(b);
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    const uint w = w_u32(b + 2u + 4u * i);
    [[unroll]] for (uint e = 0u; e < 4u; ++e) {
      v[4u * i + e] = d * (float((w >> (8u * e)) & 0xfu) - 8.0);
      v[16u + 4u * i + e] = d * (float((w >> (8u * e + 4u)) & 0xfu) - 8.0);
    }
  }
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
  const uint b = row_byte + (block >> 3) * BLOCK_BYTES, j = block & 7u;
  float d1, m1;
  kq_scale_min(b, j, d1, m1);
  const uint shift = (j & 1u) * 4u;  // sub-blocks 2i and 2i+1 share bytes: low, high nibble
#if defined(WEIGHT_Q4_K)
  const uint qs = b + 16u + (j >> 1) * 32u;
#else
  const uint qs = b + 48u + (j >> 1) * 32u;
#endif
  [[unroll]] for (uint i = 0u; i < 8u; ++i) {
    const uint w = w_u32(qs + 4u * i);
#if defined(WEIGHT_Q5_K)
    const uint h = w_u32(b + 16u + 4u * i) >> j;  // qh[l] holds bit j of element l: moved to bit 4
#else
    const uint h = 0u;
#endif
    [[unroll]] for (uint e = 0u; e < 4u; ++e)
      v[4u * i + e] = d1 * float(((w >> (8u * e + shift)) & 0xfu) | (((h >> (8u * e)) & 1u) << 4)) - m1;
  }
#elif defined(WEIGHT_Q6_K)
  const uint b = row_byte + (block >> 3) * BLOCK_BYTES;
  const uint half_ = (block >> 2) & 1u, quarter = block & 3u;
  const uint ql = b + half_ * 64u + (quarter & 1u) * 32u, qh = b + 128u + half_ * 32u;
  const uint shift = (quarter >> 1) * 4u, hshift = quarter * 2u;
  // One int8 scale per 16 elements.
  const uint sc = b + 192u + half_ * 8u + 2u * quarter;
  const float d = w_f16(b + 208u);
  const float ds[2] = float[2](d * float(bitfieldExtract(int(w_u8(sc)), 0, 8)),
                               d * float(bitfieldExtract(int(w_u8(sc + 1u)), 0, 8)));
  [[unroll]] for (uint i = 0u; i < 8u; ++i) {
    const uint w = w_u32(ql + 4u * i), h = w_u32(qh + 4u * i);
    [[unroll]] for (uint e = 0u; e < 4u; ++e) {
      const uint q = ((w >> (8u * e + shift)) & 0xfu) | (((h >> (8u * e + hshift)) & 3u) << 4);
      v[4u * i + e] = ds[i >> 2] * float(int(q) - 32);
    }
  }
#endif
}
#endif

// Stages columns k0 .. k0 + BK - 1 of the weight and activation tiles as f16,
// zero outside the matrices (so partial tiles add nothing).
void stage(uint tid, uint n0, uint b0, uint k0, uint row_bytes) {
#ifdef WEIGHT_QUANTIZED
  // One 32-element sub-block per item; K is a multiple of 32.
  for (uint item = tid; item < BM * (BK / 32u); item += NT) {
    const uint r = item / (BK / 32u), part = item % (BK / 32u);
    const uint row = n0 + r, k = k0 + part * 32u;
    float v[32];
    if (row < p.rows && k < p.cols) {
      dequant32(row * row_bytes, k / 32u, v);
    } else {
      [[unroll]] for (uint i = 0u; i < 32u; ++i) v[i] = 0.0;
    }
    [[unroll]] for (uint i = 0u; i < 32u; ++i) ws[r * STRIDE + part * 32u + i] = float16_t(v[i]);
  }
#else
  // Float weights: any K. Consecutive threads read consecutive 8-element pieces of a row.
  for (uint item = tid; item < BM * (BK / 8u); item += NT) {
    const uint r = item / (BK / 8u), part = item % (BK / 8u);
    const uint row = n0 + r;
    [[unroll]] for (uint i = 0u; i < 8u; ++i) {
      const uint k = k0 + part * 8u + i;
      ws[r * STRIDE + part * 8u + i] = float16_t(row < p.rows && k < p.cols ? weight_at(row * row_bytes, k) : 0.0);
    }
  }
#endif
  for (uint item = tid; item < BN * (BK / 8u); item += NT) {
    const uint t = item / (BK / 8u), part = item % (BK / 8u);
    const uint token = b0 + t;
    [[unroll]] for (uint i = 0u; i < 8u; ++i) {
      const uint k = k0 + part * 8u + i;
      xs[t * STRIDE + part * 8u + i] =
          float16_t(token < p.batch && k < p.cols ? x[p.x_offset + token * p.x_stride + k] : 0.0);
    }
  }
}

void main() {
  const uint tid = gl_LocalInvocationID.x;
  const uint n0 = gl_WorkGroupID.x * BM, b0 = gl_WorkGroupID.y * BN;
  const uint sg = gl_SubgroupID;
  const uint wm0 = (sg % (BM / WM)) * WM, wn0 = (sg / (BM / WM)) * WN;  // this subgroup's part of the tile
  const uint row_bytes = (p.cols / BLOCK_ELEMS) * BLOCK_BYTES;

  fcoopmatNV<32, gl_ScopeSubgroup, T, T> acc[FM * FN];
  [[unroll]] for (uint i = 0u; i < FM * FN; ++i) acc[i] = fcoopmatNV<32, gl_ScopeSubgroup, T, T>(0.0);

  for (uint k0 = 0u; k0 < p.cols; k0 += BK) {
    stage(tid, n0, b0, k0, row_bytes);
    barrier();
    [[unroll]] for (uint kk = 0u; kk < BK; kk += T) {
      fcoopmatNV<16, gl_ScopeSubgroup, T, T> a[FM], b[FN];
      [[unroll]] for (uint i = 0u; i < FM; ++i) coopMatLoadNV(a[i], ws, (wm0 + i * T) * STRIDE + kk, STRIDE, false);
      // Token-major rows of xs are the columns of the K x N fragment.
      [[unroll]] for (uint j = 0u; j < FN; ++j) coopMatLoadNV(b[j], xs, (wn0 + j * T) * STRIDE + kk, STRIDE, true);
      [[unroll]] for (uint i = 0u; i < FM; ++i)
        [[unroll]] for (uint j = 0u; j < FN; ++j) acc[i * FN + j] = coopMatMulAddNV(a[i], b[j], acc[i * FN + j]);
    }
    barrier();
  }

  // Out through shared memory, one fragment at a time: y's offsets and strides
  // are arbitrary (coopMatStoreNV needs 16-byte alignment) and partial tiles
  // need bounds checks. Column-major, so lanes write consecutive rows of a token.
  const uint base = sg * T * T;
  [[unroll]] for (uint i = 0u; i < FM; ++i) {
    [[unroll]] for (uint j = 0u; j < FN; ++j) {
      coopMatStoreNV(acc[i * FN + j], cs, base, T, true);
      barrier();
      for (uint e = gl_SubgroupInvocationID; e < T * T; e += gl_SubgroupSize) {
        const uint row = n0 + wm0 + i * T + e % T, token = b0 + wn0 + j * T + e / T;
        if (row < p.rows && token < p.batch) y[p.y_offset + token * p.y_stride + p.row_offset + row] = cs[base + e];
      }
      barrier();
    }
  }
}
