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
//
// Staging is pipelined through registers: the raw global data of step s + 1
// (16-byte loads where the layout allows) is fetched before the fragments of
// step s are multiplied, and only decoded and written to shared memory (packed
// halves, 8 or 16 bytes a store) after the next barrier, so the loads' latency
// hides behind the MMAs. Quantized items keep a block's raw words (16-byte
// loads for Q4_K / Q5_K, aligned 32-bit words for the 2-byte aligned Q8_0,
// Q4_0, Q6_K) and decode their scales once per 32-element sub-block; the
// other block types decode as they load, through weights.glsl's dequant8.
#include "common.glsl"

// Multiplying subgroups form a (BM / WM) x (BN / WN) grid; NT = their count x
// subgroup size, plus ST where staging is split off (below).
layout(constant_id = 0) const uint NT = 256;
layout(constant_id = 1) const uint BM = 128;
layout(constant_id = 2) const uint BN = 128;
layout(constant_id = 3) const uint WM = 64;
layout(constant_id = 4) const uint WN = 32;
layout(constant_id = 5) const uint BK = 64;     // K per step, a multiple of 32
layout(constant_id = 6) const uint STAGES = 1;  // shared-memory tile buffers: 1, or 2 to double-buffer
// Threads that stage the tiles: NT (every thread stages and multiplies), or the
// last ST of NT, whose subgroups then only stage (STAGES 2) while the first
// (BM / WM) x (BN / WN) subgroups only multiply. Split, the dequantizing
// arithmetic of step s + 1 overlaps the matrix units' work on step s instead
// of taking turns with it between barriers.
layout(constant_id = 7) const uint ST = 256;
// 1: the activations are f16 (8 halves per uvec4; x_offset, x_stride and K
// multiples of 8), as the decoder converts a product's input once; 0: f32.
layout(constant_id = 8) const uint X_HALF = 0;
// 1: Q4_K, Q6_K and Q8_0 dequantize in packed halves (dequant_packed): the
// quants go into the mantissa of f16 1024, so neither int-to-float nor
// float-to-half conversions (quarter-rate on NVIDIA) are needed. Opt-in until
// its tests have run on a GPU with these matrices (MRROPE_COOPMAT_DEQUANT=packed).
layout(constant_id = 9) const uint PACKED_DEQUANT = 0;
// 1 (with X_HALF, K a multiple of BK, the f16 rows padded to whole BN tiles):
// each subgroup loads its activation fragments straight from the buffer into
// registers, a step ahead, instead of the workgroup staging them through
// shared memory. That halves the staging work and the shared memory a stage
// takes, so two stages of BK 64 fit NVIDIA's 48 KiB.
layout(constant_id = 10) const uint X_DIRECT = 0;
layout(local_size_x_id = 0) in;

// Binding 0 and 1 are also read through 16-byte views where aligned.
layout(std430, binding = 0) readonly buffer Weights { uint weights[]; };
layout(std430, binding = 0) readonly buffer Weights4 { uvec4 weights4[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 1) readonly buffer XH8 { uvec4 xh8[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(std430, binding = 3) writeonly buffer YB { float y_b[]; };  // stacked weights' second part
layout(std430, binding = 4) writeonly buffer YC { float y_c[]; };  // and third

layout(push_constant) uniform Push {
  uint cols;        // K
  uint rows;        // rows in this weight slice
  uint row_offset;  // output row of the slice's first row
  uint batch;
  uint x_offset, x_stride;
  uint y_offset, y_stride;
  uint part_end0, part_end1, b_offset, b_stride, c_offset, c_stride;  // product_outputs.glsl
} p;

#include "product_outputs.glsl"
#include "weights.glsl"

const uint T = 16u;  // fragment side (M = N = K = 16)
// Row stride in halves: BK + 8 keeps fragment rows 16-byte aligned (as
// coopMatLoadNV requires) and shifts consecutive rows by 4 banks (BK 64) or
// 20 banks (BK 32), so the 8 rows a fragment load reads at once hit distinct
// banks. The tiles hold packed
// halves, 8 per uvec4 of ws and 4 per uvec2 of xs (coopMatLoadNV takes
// uint vectors; its offsets and strides count those vectors).
const uint STRIDE = BK + 8u;
const uint S8 = STRIDE / 8u, S4 = STRIDE / 4u;
const uint FM = WM / T, FN = WN / T;  // fragments per subgroup
const uint SUBGROUPS = (BM / WM) * (BN / WN);

// Stage s of the weights, row-major: halves k .. k + 7 of a row at ws[s * BM * S8 + row * S8 + k / 8].
shared uvec4 ws[STAGES * BM * S8];
// Stage s of the activations, one row per token: halves k .. k + 3 at xs[s * BN * S4 + token * S4 + k / 4]
// (one unused element when they are read straight from the buffer: arrays
// are never empty; without X_DIRECT no extra element, since tiles such as the
// split 128x128 one fill the 48 KiB exactly).
shared uvec2 xs[STAGES * BN * S4 * (1u - X_DIRECT) + X_DIRECT];

uvec2 pack4(vec4 v) { return uvec2(packHalf2x16(v.xy), packHalf2x16(v.zw)); }
shared float cs[SUBGROUPS * T * T];  // one 16x16 result fragment per subgroup on its way out

// ---- Activations: items of 4 consecutive floats (or 8 halves) of a token row. ----
const uint X_ELEMS = 4u << X_HALF;  // elements per item
const uint X_ITEMS = BN * (BK / X_ELEMS);
const uint XPT = (X_ITEMS + ST - 1u) / ST;  // items per staging thread
uvec4 xr[XPT];  // f32 bits, or 8 packed halves

void load_x(uint tid, uint b0, uint k0) {
  if (X_DIRECT != 0u) return;
  const bool vec = ((p.x_offset | p.x_stride | p.cols) & 3u) == 0u;
  [[unroll]] for (uint i = 0u; i < XPT; ++i) {
    const uint item = tid + i * ST;
    const uint t = item / (BK / X_ELEMS), q = item % (BK / X_ELEMS);
    const uint token = b0 + t, k = k0 + q * X_ELEMS;
    uvec4 v = uvec4(0u);
    if (item < X_ITEMS && token < p.batch && k < p.cols) {
      const uint base = p.x_offset + token * p.x_stride + k;
      if (X_HALF != 0u) {
        v = xh8[base >> 3];  // the host guarantees 8-element alignment, so all eight are in range
      } else if (vec) {
        v = floatBitsToUint(x4[base >> 2]);  // k < cols and cols % 4 == 0: all four in range
      } else {
        [[unroll]] for (uint e = 0u; e < 4u; ++e)
          if (k + e < p.cols) v[e] = floatBitsToUint(x[base + e]);
      }
    }
    xr[i] = v;
  }
}

void store_x(uint tid, uint stage) {
  if (X_DIRECT != 0u) return;
  [[unroll]] for (uint i = 0u; i < XPT; ++i) {
    const uint item = tid + i * ST;
    if (item < X_ITEMS) {
      const uint o = stage * BN * S4 + (item / (BK / X_ELEMS)) * S4 + (item % (BK / X_ELEMS)) * (X_ELEMS / 4u);
      if (X_HALF != 0u) {
        xs[o] = xr[i].xy;
        xs[o + 1u] = xr[i].zw;
      } else {
        xs[o] = pack4(uintBitsToFloat(xr[i]));
      }
    }
  }
}

#ifndef WEIGHT_QUANTIZED
// ---- Float weights (any K): items of 8 consecutive elements of a row. ----
const uint W_ITEMS = BM * (BK / 8u);
const uint WPT = (W_ITEMS + ST - 1u) / ST;
#if defined(WEIGHT_F32)
const uint WV = 2u;  // raw uvec4 per item: 8 floats
#else
const uint WV = 1u;  // 8 halves / bf16s, element e in the low or high half of word e / 2
#endif
uvec4 wr[WPT * WV];

void load_w(uint tid, uint n0, uint k0, uint row_bytes) {
  // 16-byte loads when rows are a multiple of 16 bytes long (then every piece is in range or out whole).
  const bool vec = (row_bytes & 15u) == 0u;
  [[unroll]] for (uint i = 0u; i < WPT; ++i) {
    const uint item = tid + i * ST;
    const uint r = item / (BK / 8u), part = item % (BK / 8u);
    const uint row = n0 + r, k = k0 + part * 8u;
    uvec4 v[WV];
    [[unroll]] for (uint c = 0u; c < WV; ++c) v[c] = uvec4(0u);
    if (item < W_ITEMS && row < p.rows && k < p.cols) {
      const uint rb = row * row_bytes;
      if (vec) {
        [[unroll]] for (uint c = 0u; c < WV; ++c)
          if (k + 4u * c < p.cols) v[c] = weights4[((rb + k * BLOCK_BYTES) >> 4) + c];
      } else {
#if defined(WEIGHT_F32)
        [[unroll]] for (uint e = 0u; e < 8u; ++e)
          if (k + e < p.cols) v[e >> 2][e & 3u] = weights[(rb >> 2) + k + e];
#else
        [[unroll]] for (uint e = 0u; e < 8u; ++e)
          if (k + e < p.cols) v[0][e >> 1] |= w_u16(rb + 2u * (k + e)) << ((e & 1u) * 16u);
#endif
      }
    }
    [[unroll]] for (uint c = 0u; c < WV; ++c) wr[i * WV + c] = v[c];
  }
}

void store_w(uint tid, uint n0, uint k0, uint row_bytes, uint stage) {
  [[unroll]] for (uint i = 0u; i < WPT; ++i) {
    const uint item = tid + i * ST;
    if (item < W_ITEMS) {
#if defined(WEIGHT_F32)
      const vec4 a = uintBitsToFloat(wr[2u * i]), b = uintBitsToFloat(wr[2u * i + 1u]);
      const uvec4 h = uvec4(pack4(a), pack4(b));
#elif defined(WEIGHT_F16)
      const uvec4 h = wr[i];
#else  // BF16: the high half of an f32
      const uvec4 v = wr[i];
      const uvec4 h = uvec4(pack4(uintBitsToFloat(uvec4(v.x << 16, v.x & 0xffff0000u, v.y << 16, v.y & 0xffff0000u))),
                            pack4(uintBitsToFloat(uvec4(v.z << 16, v.z & 0xffff0000u, v.w << 16, v.w & 0xffff0000u))));
#endif
      ws[stage * BM * S8 + (item / (BK / 8u)) * S8 + item % (BK / 8u)] = h;
    }
  }
}

#else
// ---- Quantized weights (K a multiple of 32): items of one 32-element sub-block. ----
// The raw words of an item stay in registers until store_w decodes them; an
// out-of-range item holds zeros, which decode to zeros (its scale is 0).
const uint W_ITEMS = BM * (BK / 32u);
const uint WPT = (W_ITEMS + ST - 1u) / ST;

// Where item `item` of the step at k0 lies: its row's byte offset and sub-block.
bool q_item(uint item, uint n0, uint k0, uint row_bytes, out uint r, out uint part, out uint rb, out uint block) {
  r = item / (BK / 32u);
  part = item % (BK / 32u);
  const uint row = n0 + r, k = k0 + part * 32u;
  rb = row * row_bytes;
  block = k / 32u;
  return item < W_ITEMS && row < p.rows && k < p.cols;
}

// The 32-bit word at byte 4 i of a 2-byte aligned stream read as aligned words
// w0, w1 from its start rounded down to 4 (mis: it started 2 bytes in).
uint funnel(uint w0, uint w1, bool mis) { return mis ? (w0 >> 16) | (w1 << 16) : w0; }

#if defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
// Blocks are 144 / 176 bytes and rows whole blocks: every part is 16-byte aligned.
uvec4 wh[WPT];        // d, dmin, scales[12]
uvec4 wq[WPT * 2u];   // the 32 bytes of quants that sub-blocks 2i, 2i + 1 share
#if defined(WEIGHT_Q5_K)
uvec4 wqh[WPT * 2u];  // qh[32]: bit j of byte l is the fifth bit of element l of sub-block j
#endif

void load_w(uint tid, uint n0, uint k0, uint row_bytes) {
  [[unroll]] for (uint i = 0u; i < WPT; ++i) {
    uint r, part, rb, block;
    uvec4 h = uvec4(0u), q0 = uvec4(0u), q1 = uvec4(0u), h0 = uvec4(0u), h1 = uvec4(0u);
    if (q_item(tid + i * ST, n0, k0, row_bytes, r, part, rb, block)) {
      const uint b = (rb + (block >> 3) * BLOCK_BYTES) >> 4, j = block & 7u;
      h = weights4[b];
#if defined(WEIGHT_Q4_K)
      const uint qs = b + 1u + (j >> 1) * 2u;
#else
      const uint qs = b + 3u + (j >> 1) * 2u;
      h0 = weights4[b + 1u];
      h1 = weights4[b + 2u];
#endif
      q0 = weights4[qs];
      q1 = weights4[qs + 1u];
    }
    wh[i] = h;
    wq[2u * i] = q0;
    wq[2u * i + 1u] = q1;
#if defined(WEIGHT_Q5_K)
    wqh[2u * i] = h0;
    wqh[2u * i + 1u] = h1;
#endif
  }
}

uint scale_byte(uvec4 h, uint n) {  // byte n of scales[12] (bytes 4 .. 15 of the block)
  const uint w = n < 4u ? h.y : (n < 8u ? h.z : h.w);
  return (w >> ((n & 3u) * 8u)) & 0xffu;
}

// The scale and min of sub-block `block` (ggml's get_scale_min_k4 times d, dmin).
vec2 scale_min(uint i, uint block) {
  const uvec4 h = wh[i];
  const uint j = block & 7u;
  uint sc, m;
  if (j < 4u) {
    sc = scale_byte(h, j) & 63u;
    m = scale_byte(h, j + 4u) & 63u;
  } else {
    const uint lo = scale_byte(h, j + 4u);
    sc = (lo & 0xfu) | ((scale_byte(h, j - 4u) >> 6) << 4);
    m = (lo >> 4) | ((scale_byte(h, j) >> 6) << 4);
  }
  const vec2 dm = unpackHalf2x16(h.x);
  return vec2(dm.x * float(sc), dm.y * float(m));
}

#if defined(WEIGHT_Q4_K)
#define HAS_PACKED_DEQUANT
// Two nibbles at bits 0 and 16 OR'd into 0x6400 (f16 1024.0) read as halves
// 1024 + q exactly; (h - 1024) * d - m is then two packed-half operations per
// pair, with no int-to-float or float-to-half conversions (a quarter-rate
// instruction each on NVIDIA, which the unpacking waited on).
void dequant_packed(uint i, uint rb, uint block, out uint h[16]) {
  const vec2 sm = scale_min(i, block);
  const f16vec2 d = f16vec2(float16_t(sm.x)), m = f16vec2(float16_t(sm.y)), bias = f16vec2(float16_t(1024.0));
  const uint shift = (block & 1u) * 4u;  // sub-blocks 2i and 2i+1 share bytes: low, high nibble
  [[unroll]] for (uint c = 0u; c < 8u; ++c) {
    const uint w = wq[2u * i + (c >> 2)][c & 3u] >> shift;
    const uint p0 = (w & 0xfu) | ((w << 8) & 0xf0000u) | 0x64006400u;
    const uint p1 = ((w >> 16) & 0xfu) | ((w >> 8) & 0xf0000u) | 0x64006400u;
    h[2u * c] = packFloat2x16(fma(unpackFloat2x16(p0) - bias, d, -m));
    h[2u * c + 1u] = packFloat2x16(fma(unpackFloat2x16(p1) - bias, d, -m));
  }
}
#endif
void dequant(uint i, uint block, out float v[32]) {
  const vec2 sm = scale_min(i, block);
  const uint j = block & 7u;
  const uint shift = (j & 1u) * 4u;  // sub-blocks 2i and 2i+1 share bytes: low, high nibble
  [[unroll]] for (uint c = 0u; c < 8u; ++c) {
    const uint w = wq[2u * i + (c >> 2)][c & 3u];
#if defined(WEIGHT_Q5_K)
    const uint hb = wqh[2u * i + (c >> 2)][c & 3u] >> j;  // the fifth bits, moved to bit 0 of each byte
#else
    const uint hb = 0u;
#endif
    [[unroll]] for (uint e = 0u; e < 4u; ++e)
      v[4u * c + e] = sm.x * float(((w >> (8u * e + shift)) & 0xfu) | (((hb >> (8u * e)) & 1u) << 4)) - sm.y;
  }
}

#elif defined(WEIGHT_Q8_0) || defined(WEIGHT_Q4_0)
// Blocks of 34 / 18 bytes are 2-byte aligned: aligned words from the block's start rounded down to 4.
#if defined(WEIGHT_Q8_0)
const uint QW = 9u;
#else
const uint QW = 5u;
#endif
uint wq[WPT * QW];

void load_w(uint tid, uint n0, uint k0, uint row_bytes) {
  [[unroll]] for (uint i = 0u; i < WPT; ++i) {
    uint r, part, rb, block;
    const bool ok = q_item(tid + i * ST, n0, k0, row_bytes, r, part, rb, block);
    const uint b = (rb + block * BLOCK_BYTES) >> 2;
    [[unroll]] for (uint c = 0u; c < QW; ++c) wq[i * QW + c] = ok ? weights[b + c] : 0u;
  }
}

#if defined(WEIGHT_Q8_0)
#define HAS_PACKED_DEQUANT
// Bytes flipped to unsigned (q + 128) in the mantissas of f16 1024.0, as for
// Q4_K: (h - 1152) * d is q * d with one rounding, as the float path had.
void dequant_packed(uint i, uint rb, uint block, out uint h[16]) {
  const bool mis = ((rb + block * BLOCK_BYTES) & 2u) != 0u;
  const f16vec2 d = f16vec2(unpackFloat2x16(mis ? wq[i * QW] >> 16 : wq[i * QW]).x);
  const f16vec2 bias = f16vec2(float16_t(1152.0));
  [[unroll]] for (uint c = 0u; c < QW - 1u; ++c) {
    const uint w = (mis ? wq[i * QW + c + 1u] : funnel(wq[i * QW + c], wq[i * QW + c + 1u], true)) ^ 0x80808080u;
    const uint p0 = (w & 0xffu) | ((w << 8) & 0xff0000u) | 0x64006400u;
    const uint p1 = ((w >> 16) & 0xffu) | ((w >> 8) & 0xff0000u) | 0x64006400u;
    h[2u * c] = packFloat2x16((unpackFloat2x16(p0) - bias) * d);
    h[2u * c + 1u] = packFloat2x16((unpackFloat2x16(p1) - bias) * d);
  }
}
#endif

void dequant(uint i, uint rb, uint block, out float v[32]) {
  const bool mis = ((rb + block * BLOCK_BYTES) & 2u) != 0u;
  const float d = unpackHalf2x16(mis ? wq[i * QW] >> 16 : wq[i * QW]).x;
  // Quant word c starts at byte 2 + 4c of the block: word c + 1 if the block started 2 bytes in.
  [[unroll]] for (uint c = 0u; c < QW - 1u; ++c) {
    const uint w = mis ? wq[i * QW + c + 1u] : funnel(wq[i * QW + c], wq[i * QW + c + 1u], true);
#if defined(WEIGHT_Q8_0)
    [[unroll]] for (uint e = 0u; e < 4u; ++e) v[4u * c + e] = d * float(bitfieldExtract(int(w), int(8u * e), 8));
#else
    // Byte l holds element l in its low nibble and element l + 16 in its high one.
    [[unroll]] for (uint e = 0u; e < 4u; ++e) {
      v[4u * c + e] = d * (float((w >> (8u * e)) & 0xfu) - 8.0);
      v[16u + 4u * c + e] = d * (float((w >> (8u * e + 4u)) & 0xfu) - 8.0);
    }
#endif
  }
}

#elif defined(WEIGHT_Q6_K)
// 210-byte blocks are 2-byte aligned: the 32 bytes of ql and of qh of a
// sub-block as 9 aligned words each (the ninth only when 2 bytes in), the word
// holding its two int8 scales and the one holding d.
uint wl[WPT * 9u], wqh[WPT * 9u], wsc[WPT], wd[WPT];

void load_w(uint tid, uint n0, uint k0, uint row_bytes) {
  [[unroll]] for (uint i = 0u; i < WPT; ++i) {
    uint r, part, rb, block;
    const bool ok = q_item(tid + i * ST, n0, k0, row_bytes, r, part, rb, block);
    const uint b = rb + (block >> 3) * BLOCK_BYTES;
    const uint half_ = (block >> 2) & 1u, quarter = block & 3u;
    const uint ql = (b + half_ * 64u + (quarter & 1u) * 32u) >> 2, qh = (b + 128u + half_ * 32u) >> 2;
    const bool mis = (b & 2u) != 0u;
    [[unroll]] for (uint c = 0u; c < 8u; ++c) {
      wl[i * 9u + c] = ok ? weights[ql + c] : 0u;
      wqh[i * 9u + c] = ok ? weights[qh + c] : 0u;
    }
    wl[i * 9u + 8u] = ok && mis ? weights[ql + 8u] : 0u;
    wqh[i * 9u + 8u] = ok && mis ? weights[qh + 8u] : 0u;
    wsc[i] = ok ? weights[(b + 192u + half_ * 8u + 2u * quarter) >> 2] : 0u;
    wd[i] = ok ? weights[(b + 208u) >> 2] : 0u;
  }
}

#define HAS_PACKED_DEQUANT
// The 6-bit values in the mantissas of f16 1024.0, as for Q4_K: (h - 1056) * d
// is (q - 32) * d.
void dequant_packed(uint i, uint rb, uint block, out uint h[16]) {
  const uint b = rb + (block >> 3) * BLOCK_BYTES;
  const uint quarter = block & 3u;
  const bool mis = (b & 2u) != 0u;
  const uint shift = (quarter >> 1) * 4u, hshift = quarter * 2u;
  const uint sc = (wsc[i] >> (((b + 2u * quarter) & 2u) * 8u)) & 0xffffu;  // one int8 scale per 16 elements
  const float d = unpackHalf2x16(wd[i] >> ((b & 2u) * 8u)).x;
  const f16vec2 ds[2] = f16vec2[2](f16vec2(float16_t(d * float(bitfieldExtract(int(sc), 0, 8)))),
                                   f16vec2(float16_t(d * float(bitfieldExtract(int(sc), 8, 8)))));
  const f16vec2 bias = f16vec2(float16_t(1056.0));
  [[unroll]] for (uint c = 0u; c < 8u; ++c) {
    const uint w = funnel(wl[i * 9u + c], wl[i * 9u + c + 1u], mis) >> shift;
    const uint q = funnel(wqh[i * 9u + c], wqh[i * 9u + c + 1u], mis) >> hshift;
    const uint p0 = (w & 0xfu) | ((w << 8) & 0xf0000u) | ((q << 4) & 0x30u) | ((q << 12) & 0x300000u) | 0x64006400u;
    const uint p1 = ((w >> 16) & 0xfu) | ((w >> 8) & 0xf0000u) | ((q >> 12) & 0x30u) | ((q >> 4) & 0x300000u) |
                    0x64006400u;
    h[2u * c] = packFloat2x16((unpackFloat2x16(p0) - bias) * ds[c >> 2]);
    h[2u * c + 1u] = packFloat2x16((unpackFloat2x16(p1) - bias) * ds[c >> 2]);
  }
}

void dequant(uint i, uint rb, uint block, out float v[32]) {
  const uint b = rb + (block >> 3) * BLOCK_BYTES;
  const uint half_ = (block >> 2) & 1u, quarter = block & 3u;
  const bool mis = (b & 2u) != 0u;
  const uint shift = (quarter >> 1) * 4u, hshift = quarter * 2u;
  const uint sc = (wsc[i] >> (((b + 2u * quarter) & 2u) * 8u)) & 0xffffu;  // one int8 scale per 16 elements
  const float d = unpackHalf2x16(wd[i] >> ((b & 2u) * 8u)).x;
  const float ds[2] = float[2](d * float(bitfieldExtract(int(sc), 0, 8)), d * float(bitfieldExtract(int(sc), 8, 8)));
  [[unroll]] for (uint c = 0u; c < 8u; ++c) {
    const uint w = funnel(wl[i * 9u + c], wl[i * 9u + c + 1u], mis);
    const uint h = funnel(wqh[i * 9u + c], wqh[i * 9u + c + 1u], mis);
    [[unroll]] for (uint e = 0u; e < 4u; ++e) {
      const uint q = ((w >> (8u * e + shift)) & 0xfu) | (((h >> (8u * e + hshift)) & 3u) << 4);
      v[4u * c + e] = ds[c >> 2] * float(int(q) - 32);
    }
  }
}

#elif defined(WEIGHT_IQ_GRID)
#error "the grid types' shared lookup grid does not fit beside the tiles: no matmul_cm variant"
#else
// Every other block type (Q4_1, Q5_0, Q5_1, IQ4_NL, IQ4_XS, Q2_K, Q3_K):
// weights.glsl's dequant8, the decoding every generic kernel uses, run as
// the item is loaded, its 32 values kept as packed halves until store_w. No
// raw-word copy per type, at the price of the load's latency showing before
// this step's multiply (other workgroups on the SM cover it).
#define DEQUANT_ON_LOAD
uint wdq[WPT * 16u];

void load_w(uint tid, uint n0, uint k0, uint row_bytes) {
  [[unroll]] for (uint i = 0u; i < WPT; ++i) {
    uint r, part, rb, block;
    const bool ok = q_item(tid + i * ST, n0, k0, row_bytes, r, part, rb, block);
    [[unroll]] for (uint k = 0u; k < 32u; k += 8u) {
      float v[8] = float[8](0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
      if (ok) dequant8(rb, block, k, v);
      [[unroll]] for (uint e = 0u; e < 4u; ++e) wdq[i * 16u + k / 2u + e] = packHalf2x16(vec2(v[2u * e], v[2u * e + 1u]));
    }
  }
}
#endif

// The float path: dequantized in f32, each pair rounded to f16 once.
void dequant_halves(uint i, uint rb, uint block, out uint h[16]) {
#ifdef DEQUANT_ON_LOAD
  [[unroll]] for (uint j = 0u; j < 16u; ++j) h[j] = wdq[i * 16u + j];
#else
  float v[32];
#if defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
  dequant(i, block, v);
#else
  dequant(i, rb, block, v);
#endif
  [[unroll]] for (uint j = 0u; j < 16u; ++j) h[j] = packHalf2x16(vec2(v[2u * j], v[2u * j + 1u]));
#endif
}

void store_w(uint tid, uint n0, uint k0, uint row_bytes, uint stage) {
  [[unroll]] for (uint i = 0u; i < WPT; ++i) {
    uint r, part, rb, block;
    q_item(tid + i * ST, n0, k0, row_bytes, r, part, rb, block);
    if (tid + i * ST < W_ITEMS) {
      uint h[16];
#ifdef HAS_PACKED_DEQUANT
      if (PACKED_DEQUANT != 0u) dequant_packed(i, rb, block, h);
      else dequant_halves(i, rb, block, h);
#else
      dequant_halves(i, rb, block, h);
#endif
      const uint o = stage * BM * S8 + r * S8 + part * 4u;
      [[unroll]] for (uint c = 0u; c < 4u; ++c) ws[o + c] = uvec4(h[4u * c], h[4u * c + 1u], h[4u * c + 2u], h[4u * c + 3u]);
    }
  }
}
#endif

// One step of BK columns on the tiles of `stage`: each subgroup multiplies its
// FM x FN fragments.
fcoopmatNV<32, gl_ScopeSubgroup, T, T> acc[FM * FN];  // this subgroup's part of the tile, across all of K

// X_DIRECT: this subgroup's activation fragments of the step being multiplied
// (xb) and of the next one (xn, in flight while xb is used).
const uint KF = BK / T;  // fragments along K a step
const uint XF = X_DIRECT != 0u ? FN * KF : 1u;
fcoopmatNV<16, gl_ScopeSubgroup, T, T> xb[XF], xn[XF];

void load_direct(uint b0, uint wn0, uint k0) {
  if (X_DIRECT == 0u || k0 >= p.cols) return;
  [[unroll]] for (uint j = 0u; j < FN; ++j)
    [[unroll]] for (uint kk = 0u; kk < KF; ++kk)
      coopMatLoadNV(xn[j * KF + kk], xh8, (p.x_offset + (b0 + wn0 + j * T) * p.x_stride + k0 + kk * T) / 8u,
                    p.x_stride / 8u, true);
}

void next_direct() {
  if (X_DIRECT != 0u)
    [[unroll]] for (uint f = 0u; f < XF; ++f) xb[f] = xn[f];
}

void multiply(uint stage, uint wm0, uint wn0) {
  [[unroll]] for (uint kk = 0u; kk < BK; kk += T) {
    fcoopmatNV<16, gl_ScopeSubgroup, T, T> a[FM], b[FN];
    [[unroll]] for (uint i = 0u; i < FM; ++i)
      coopMatLoadNV(a[i], ws, stage * BM * S8 + (wm0 + i * T) * S8 + kk / 8u, S8, false);
    // Token-major rows of xs are the columns of the K x N fragment.
    [[unroll]] for (uint j = 0u; j < FN; ++j) {
      if (X_DIRECT != 0u) b[j] = xb[j * KF + kk / T];
      else coopMatLoadNV(b[j], xs, stage * BN * S4 + (wn0 + j * T) * S4 + kk / 4u, S4, true);
    }
    [[unroll]] for (uint i = 0u; i < FM; ++i)
      [[unroll]] for (uint j = 0u; j < FN; ++j) acc[i * FN + j] = coopMatMulAddNV(a[i], b[j], acc[i * FN + j]);
  }
}

// Writes the fragment in this subgroup's part of cs to y, column-major, so
// lanes write consecutive rows of a token.
void write_fragment(uint base, uint row0, uint token0) {
  for (uint e = gl_SubgroupInvocationID; e < T * T; e += gl_SubgroupSize) {
    const uint row = row0 + e % T, token = token0 + e / T;
    if (row < p.rows && token < p.batch) store_y(token, row, cs[base + e]);
  }
}

// Fragment k (at most 16 a subgroup) of acc through cs to y; staging-only
// subgroups (split) hold no results but meet the barriers.
#define STORE_FRAGMENT(k)                                                                          \
  if ((k) < FM * FN) {                                                                             \
    if (sg < SUBGROUPS) coopMatStoreNV(acc[k], cs, sg * T * T, T, true);                           \
    barrier();                                                                                     \
    if (sg < SUBGROUPS)                                                                            \
      write_fragment(sg * T * T, n0 + wm0 + ((k) / FN) * T, b0 + wn0 + ((k) % FN) * T);            \
    barrier();                                                                                     \
  }

void main() {
  const uint tid = gl_LocalInvocationID.x;
  const uint n0 = gl_WorkGroupID.x * BM, b0 = gl_WorkGroupID.y * BN;
  const uint sg = gl_SubgroupID;
  const uint wm0 = (sg % (BM / WM)) * WM, wn0 = ((sg / (BM / WM)) % (BN / WN)) * WN;  // this subgroup's part
  const uint row_bytes = (p.cols / BLOCK_ELEMS) * BLOCK_BYTES;
  const bool split = ST < NT;
  const uint stid = tid - (NT - ST);  // index among the staging threads
  const bool stager = tid >= NT - ST, multiplier = !split || sg < SUBGROUPS;

  [[unroll]] for (uint i = 0u; i < FM * FN; ++i) acc[i] = fcoopmatNV<32, gl_ScopeSubgroup, T, T>(0.0);

  if (multiplier) {  // the first step's activation fragments (X_DIRECT)
    load_direct(b0, wn0, 0u);
    next_direct();
  }
  if (split) {
    // Stagers fill stage s + 1 (and fetch step s + 2) while multipliers read
    // stage s; one barrier a step hands the stages over.
    if (stager) {
      load_w(stid, n0, 0u, row_bytes);
      load_x(stid, b0, 0u);
      store_w(stid, n0, 0u, row_bytes, 0u);
      store_x(stid, 0u);
      if (BK < p.cols) {
        load_w(stid, n0, BK, row_bytes);
        load_x(stid, b0, BK);
      }
    }
    barrier();
    for (uint k0 = 0u, stage = 0u; k0 < p.cols; k0 += BK, stage ^= 1u) {
      if (multiplier) {
        load_direct(b0, wn0, k0 + BK);
        multiply(stage, wm0, wn0);
        next_direct();
      } else if (k0 + BK < p.cols) {
        store_w(stid, n0, k0 + BK, row_bytes, stage ^ 1u);
        store_x(stid, stage ^ 1u);
        if (k0 + 2u * BK < p.cols) {
          load_w(stid, n0, k0 + 2u * BK, row_bytes);
          load_x(stid, b0, k0 + 2u * BK);
        }
      }
      barrier();
    }
  } else {
    load_w(tid, n0, 0u, row_bytes);
    load_x(tid, b0, 0u);
    if (STAGES == 1u) {
      for (uint k0 = 0u; k0 < p.cols; k0 += BK) {
        barrier();  // the previous step's fragments are read
        store_w(tid, n0, k0, row_bytes, 0u);
        store_x(tid, 0u);
        barrier();
        if (k0 + BK < p.cols) {  // the next step's loads fly while this one multiplies
          load_w(tid, n0, k0 + BK, row_bytes);
          load_x(tid, b0, k0 + BK);
        }
        load_direct(b0, wn0, k0 + BK);
        multiply(0u, wm0, wn0);
        next_direct();
      }
    } else {
      // Double-buffered: step s + 1 is loaded and stored into the other stage
      // while step s multiplies, one barrier a step. A stage is rewritten only
      // after the barrier that follows the step that read it.
      store_w(tid, n0, 0u, row_bytes, 0u);
      store_x(tid, 0u);
      barrier();
      for (uint k0 = 0u, stage = 0u; k0 < p.cols; k0 += BK, stage ^= 1u) {
        const bool more = k0 + BK < p.cols;
        if (more) {
          load_w(tid, n0, k0 + BK, row_bytes);
          load_x(tid, b0, k0 + BK);
        }
        load_direct(b0, wn0, k0 + BK);
        multiply(stage, wm0, wn0);
        if (more) {
          store_w(tid, n0, k0 + BK, row_bytes, stage ^ 1u);
          store_x(tid, stage ^ 1u);
        }
        barrier();
        next_direct();
      }
    }
  }

  barrier();
  // Out through shared memory, one fragment at a time: y's offsets and strides
  // are arbitrary (coopMatStoreNV needs 16-byte alignment) and partial tiles
  // need bounds checks. The fragments are named by constant indices: a loop
  // holding a barrier is not unrolled, and an accumulator array indexed at run
  // time lives in local memory (measured: 10x slower products).
  STORE_FRAGMENT(0) STORE_FRAGMENT(1) STORE_FRAGMENT(2) STORE_FRAGMENT(3)
  STORE_FRAGMENT(4) STORE_FRAGMENT(5) STORE_FRAGMENT(6) STORE_FRAGMENT(7)
  STORE_FRAGMENT(8) STORE_FRAGMENT(9) STORE_FRAGMENT(10) STORE_FRAGMENT(11)
  STORE_FRAGMENT(12) STORE_FRAGMENT(13) STORE_FRAGMENT(14) STORE_FRAGMENT(15)
}
