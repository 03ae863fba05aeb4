#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_EXT_shader_16bit_storage : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_KHR_shader_subgroup_vote : require
// Causal attention for prefill on NV cooperative matrices (flash attention).
// A workgroup of 4 subgroups of 32 takes BR = 64 consecutive query tokens of
// one head; subgroup s owns query rows 16s .. 16s+15. Per tile of BC keys:
//   S = Q K^T on the matrix units (Q pre-scaled, f16; K staged in shared f16),
//   online softmax per row in f32 (S through shared memory, each lane pair
//   holding a row's scores in registers), P stored as f16,
//   O = alpha O + P V on the matrix units (V staged where K was).
// Staging is pipelined through registers: V's global loads are issued before
// S is computed, the next tile's K before P V, so their latency hides behind
// the matrix work. A row's max only moves when a score passes it by more than
// TAU (P stays below e^TAU, well inside f16), so O's rescale, which goes
// through shared memory, is rare.
// With REG_SOFTMAX (16 x 16 accumulators whose rows sit on lane quads, which
// the host measures: ops/coopmat_layout.h) S never leaves registers: each lane
// masks and exponentiates its own accumulator elements, a row's max and sum
// combine lanes L ^ 1 and L ^ 2, O is rescaled in place, and P goes to the
// matrix units by conversion, with no trip through shared memory.
// Output is written normalized (no key splits). The host enables this kernel
// only for subgroups of 32 with f16 -> f32 matrices of 16 x FN x 16, FN = 16 or
// 8 (COOPMAT_N): A operands are 16 x 16, B operands and accumulators 16 x FN.
//
// Query token t sits at position q_pos0 + t and sees keys 0 .. q_pos0 + t;
// with a sliding window (window > 0) only the last `window` of them. Scores
// (S, from the pre-scaled Q) are soft-capped when softcap != 0 (Gemma 2), in
// f32 before the mask and the softmax, so capped scores stay within +-softcap.
#include "common.glsl"

#if !defined(HEAD_DIM) || !defined(COOPMAT_N)
#error "define HEAD_DIM and COOPMAT_N"
#endif
#define SG 32u                                  // subgroup size (checked by the host)
// SUBGROUPS 8 (register softmax, heads up to 128 only): BR = 128, so each
// K/V tile staged serves twice the query rows.
#ifndef SUBGROUPS
#define SUBGROUPS 4
#endif
#define THREADS (SG * uint(SUBGROUPS))
#define BR (16u * uint(SUBGROUPS))                   // query rows per workgroup, 16 per subgroup
#define BC (HEAD_DIM <= 128u ? 64u : 32u)       // keys per tile (shared memory < 48 KiB)
#define FN COOPMAT_N
#define DK (HEAD_DIM / 16u)                     // A fragments of Q along the head
#define DN (HEAD_DIM / FN)                      // B fragments of V and O along the head
#define CK (BC / 16u)                           // A fragments of P along a key tile
#define CN (BC / FN)                            // B fragments of K^T and S along a key tile
#define EL 8u  // REG_SOFTMAX (built with COOPMAT_N 16 only): elements of a 16 x 16 accumulator per lane
#define HALF16 fcoopmatNV<16, gl_ScopeSubgroup, 16, 16>
#define HALF_B fcoopmatNV<16, gl_ScopeSubgroup, 16, FN>
#define ACC fcoopmatNV<32, gl_ScopeSubgroup, 16, FN>
#define KV_STRIDE (HEAD_DIM + 8u)               // halves; padding keeps 16-byte rows off one bank
#define KV_STRIDE8 (KV_STRIDE / 8u)             // the same in uvec4s of 8 halves
// Scores: floats, read as vec4s by lanes (2r, 2r + 1) at columns 8i + 4 (lane % 2);
// BC + 8 puts 8 such lanes on distinct banks (HEAD_DIM 256 has no room for it).
#define S_STRIDE (HEAD_DIM <= 128u ? BC + 8u : BC + 4u)
#define S_STRIDE4 (S_STRIDE / 4u)
#define P_STRIDE (BC + 8u)                      // halves
#define P_STRIDE4 (P_STRIDE / 4u)               // in uvec2s of 4 halves
#define TILE_ITEMS (BC * HEAD_DIM / 8u)          // uvec4s of a K or V tile
// uvec4s each thread stages; with 8 subgroups and HEAD_DIM 80 the last step is partial.
#define PRE ((TILE_ITEMS + THREADS - 1u) / THREADS)
#define PARTIAL_STEP(item) (TILE_ITEMS % THREADS != 0u && (item) >= TILE_ITEMS)
#define TAU 8.0                                 // how far a score may pass the row max before it moves

layout(local_size_x = THREADS) in;
// REG_SOFTMAX: the accumulators have the mma layout (ops/coopmat_layout.h's
// mma_layout, which the host measured), so element places are computed, not loaded.
layout(constant_id = 0) const bool MMA_LAYOUT = false;
layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer KC { uint k_cache[]; };
layout(std430, binding = 2) readonly buffer VC { uint v_cache[]; };
layout(std430, binding = 3) writeonly buffer Out { float outv[]; };
layout(push_constant) uniform Push {
  uint n_tokens;
  uint q_stride;        // floats between tokens in q and in out
  uint q_pos0;
  uint n_ctx;           // rows per head in the cache (a ring's size for a windowed layer: kv_slot)
  uint group;           // query heads per kv head
  uint head_begin;      // first query head of this dispatch (its kv head is the buffer's first)
  float scale;          // 1 / sqrt(head_dim)
  uint scale_offset;    // Q8_0: first word of the scales region
  uint window;          // sliding window in keys (Gemma's local layers); 0 = none
  float softcap;        // scores become softcap * tanh(score / softcap) (Gemma 2); 0 = off
} p;

#include "kv_cache.glsl"
#include "attention_softcap.glsl"

#define NEG_INF uintBitsToFloat(0xff800000u)

// f16 tiles held as uvec4s of 8 halves, so staging moves 16 bytes a store
// (coopMatLoadNV offsets and strides then count uvec4s).
#ifdef REG_SOFTMAX
// K tiles at K_TILE, V tiles at V_TILE, so a V tile is staged while other
// subgroups still read K (three barriers a tile, not four); Q at the start
// spans both (BR <= 2 BC). Nothing else: S, P and O stay in registers.
#define K_TILE 0u
#define V_TILE (BC * KV_STRIDE8)
shared uvec4 kv_tile[2u * BC * KV_STRIDE8];
// Q (BR rows) and the layout codes (64 uvec4s a subgroup) must fit in the two tiles.
shared uint q_and_codes_fit_[BR <= 2u * BC && 64u * uint(SUBGROUPS) <= 2u * BC * KV_STRIDE8 ? 1 : -1];
#else
#if SUBGROUPS != 4
#error "the shared-memory softmax is built for 4 subgroups"
#endif
#define K_TILE 0u
#define V_TILE 0u
shared uvec4 kv_tile[BR * KV_STRIDE8];  // Q at the start, then each K tile, then each V tile (BC <= BR rows)
// Per subgroup: scores, then O fragments being rescaled (f32 bits; coopMatStoreNV takes uint vectors).
shared uvec4 s_tile[4u][16u * S_STRIDE4];
shared uvec2 p_tile[4u][16u * P_STRIDE4];
shared float row_alpha[4u][16u];
#endif

#ifndef KV_Q8_0
// 16-byte views of the F16 cache: a head row (HEAD_DIM halves, a multiple of 8)
// is whole uvec4s, so a tile is staged with one load per 8 values.
layout(std430, binding = 1) readonly buffer KC4 { uvec4 k_cache4[]; };
layout(std430, binding = 2) readonly buffer VC4 { uvec4 v_cache4[]; };
#endif

// This thread's part of the next K or V tile, in flight between fetch and put.
uvec4 pre[PRE];

// ABLATE (developer builds only, cmake -DMRROPE_DEV_ABLATIONS=ON; results are
// wrong on purpose): bits that skip one stage each, so a profile shows what the
// stage costs. 1: global K/V loads, 2: mask and softmax, 4: S = Q K^T, 8: O += P V.
#ifndef ABLATE
#define ABLATE 0
#endif

// Rows 0 .. BC-1 of a tile from cache rows head_base + key0 ..; zeros past
// key `end` (unwritten cache rows could hold NaNs that P = 0 would not cancel).
void fetch(const bool values, uint head_base, uint key0, uint end) {
  if ((ABLATE & 1) != 0) {  // values from registers, so the stores to shared memory stay
    [[unroll]] for (uint i = 0u; i < PRE; ++i) pre[i] = uvec4(key0 + i);
    return;
  }
  [[unroll]] for (uint i = 0u; i < PRE; ++i) {
    const uint item = gl_LocalInvocationID.x + THREADS * i;
    const uint r = item / (HEAD_DIM / 8u), d8 = item % (HEAD_DIM / 8u);
    uvec4 w = uvec4(0u);
    if (key0 + r < end && !PARTIAL_STEP(item)) {
#ifndef KV_Q8_0
      const uint src = (head_base + kv_slot(key0 + r, p.n_ctx)) * (HEAD_DIM / 8u) + d8;
      w = values ? v_cache4[src] : k_cache4[src];  // the cache's halves as they are
#else
      [[unroll]] for (uint j = 0u; j < 4u; ++j) {
        const uint d = 4u * d8 + j;  // pair index
        const uint row = head_base + kv_slot(key0 + r, p.n_ctx);
        w[j] = packHalf2x16(values ? KV_PAIR(v_cache, row, d, HEAD_DIM) : KV_PAIR(k_cache, row, d, HEAD_DIM));
      }
#endif
    }
    pre[i] = w;
  }
}

void put(uint tile) {
  [[unroll]] for (uint i = 0u; i < PRE; ++i) {
    const uint item = gl_LocalInvocationID.x + THREADS * i;
    if (!PARTIAL_STEP(item)) kv_tile[tile + (item / (HEAD_DIM / 8u)) * KV_STRIDE8 + item % (HEAD_DIM / 8u)] = pre[i];
  }
}

// Makes a subgroup's shared-memory writes visible to its own invocations.
void subgroup_sync() {
  subgroupMemoryBarrierShared();
  subgroupBarrier();
}

#ifndef REG_SOFTMAX
// Groups of CN output fragments pass through s_tile: o *= row_alpha per row
// (RESCALE_GROUP), or out = o * row_alpha to outv (OUTPUT_GROUP). Group g is
// its own macro instance so that o is indexed by constants: a loop holding the
// subgroup syncs is not unrolled, and o indexed at run time would live in
// local memory. DN / CN is at most 8 (HEAD_DIM 256, BC 32, FN 8: 32 / 4).
#define RESCALE_GROUP(g)                                                          \
  if ((g) * CN < DN) {                                                            \
    [[unroll]] for (uint c = 0u; c < CN; ++c)                                     \
      if ((g) * CN + c < DN) coopMatStoreNV(o[(g) * CN + c], s_tile[sg], FN * c / 4u, S_STRIDE4, false); \
    subgroup_sync();                                                              \
    for (uint i = lane; i < 16u * (BC / 4u); i += SG) {                           \
      const uint r = i / (BC / 4u), c4 = i % (BC / 4u);                           \
      s_tile[sg][r * S_STRIDE4 + c4] = floatBitsToUint(uintBitsToFloat(s_tile[sg][r * S_STRIDE4 + c4]) * row_alpha[sg][r]); \
    }                                                                             \
    subgroup_sync();                                                              \
    [[unroll]] for (uint c = 0u; c < CN; ++c)                                     \
      if ((g) * CN + c < DN) coopMatLoadNV(o[(g) * CN + c], s_tile[sg], FN * c / 4u, S_STRIDE4, false); \
    subgroup_sync(); /* loads done before s_tile is written again */              \
  }
#define OUTPUT_GROUP(g)                                                           \
  if ((g) * CN < DN) {                                                            \
    [[unroll]] for (uint c = 0u; c < CN; ++c)                                     \
      if ((g) * CN + c < DN) coopMatStoreNV(o[(g) * CN + c], s_tile[sg], FN * c / 4u, S_STRIDE4, false); \
    subgroup_sync();                                                              \
    const uint cols4 = min(BC, HEAD_DIM - FN * (g) * CN) / 4u;                    \
    for (uint i = lane; i < 16u * cols4; i += SG) {                               \
      const uint r = i / cols4, c4 = i % cols4, t = t0 + 16u * sg + r;            \
      if (t < p.n_tokens) {                                                       \
        const vec4 v = uintBitsToFloat(s_tile[sg][r * S_STRIDE4 + c4]) * row_alpha[sg][r]; \
        const uint dst = t * p.q_stride + head * HEAD_DIM + FN * (g) * CN + 4u * c4; \
        [[unroll]] for (uint e = 0u; e < 4u; ++e) outv[dst + e] = v[e];           \
      }                                                                           \
    }                                                                             \
    subgroup_sync();                                                              \
  }
#endif

void main() {
  const uint sg = gl_SubgroupID, lane = gl_SubgroupInvocationID;
  const uint t0 = gl_WorkGroupID.x * BR;
  const uint head = p.head_begin + gl_WorkGroupID.y;
  const uint head_base = (gl_WorkGroupID.y / p.group) * p.n_ctx;
  const uint kv_end = p.q_pos0 + min(t0 + BR, p.n_tokens);  // keys of the workgroup's last row; tiles past it are skipped
  // With a window, tiles wholly before the first row's window are skipped too.
  const uint first_last = p.q_pos0 + t0;  // the last key of the first row
  const uint kt_begin = p.window != 0u && first_last + 1u > p.window ? (first_last + 1u - p.window) / BC * BC : 0u;
  fetch(false, head_base, kt_begin, kv_end);  // the first K tile, in flight while Q is staged

#ifdef REG_SOFTMAX
  // Which of this lane's two rows (lane / 4, lane / 4 + 8: the host checked)
  // each accumulator element belongs to, and its column minus its row: computed
  // where the host found the mma layout (MMA_LAYOUT), else read from a matrix
  // of codes 16 r + c loaded with the accumulators' own layout (through
  // kv_tile, before Q takes it).
  bool el_hi[EL];
  int el_diff[EL];
  if (MMA_LAYOUT) {
    [[unroll]] for (uint i = 0u; i < EL; ++i) {
      el_hi[i] = i >= 4u;
      el_diff[i] = int(2u * (lane % 4u) + (i & 1u) + 8u * ((i >> 1) & 1u)) - int(lane / 4u + 8u * (i >> 2));
    }
  } else {
    for (uint i = lane; i < 256u; i += SG) kv_tile[64u * sg + i / 4u][i % 4u] = floatBitsToUint(float(i));
    subgroup_sync();
    ACC codes;
    coopMatLoadNV(codes, kv_tile, 64u * sg, 4u, false);
    [[unroll]] for (uint i = 0u; i < EL; ++i) {
      const uint code = uint(codes[i]);
      el_hi[i] = code >= 128u;
      el_diff[i] = int(code % 16u) - int(code / 16u);
    }
  }
  barrier();  // every subgroup's codes are loaded before Q is staged over them
#endif

  // Q (scaled) through shared f16 into fragments kept for the whole loop.
  for (uint i = gl_LocalInvocationID.x; i < BR * (HEAD_DIM / 8u); i += THREADS) {
    const uint r = i / (HEAD_DIM / 8u), d8 = i % (HEAD_DIM / 8u), t = t0 + r;
    uvec4 w = uvec4(0u);
    if (t < p.n_tokens) {
      const uint src = t * p.q_stride + head * HEAD_DIM + 8u * d8;
      [[unroll]] for (uint j = 0u; j < 4u; ++j) w[j] = packHalf2x16(vec2(q[src + 2u * j], q[src + 2u * j + 1u]) * p.scale);
    }
    kv_tile[r * KV_STRIDE8 + d8] = w;
  }
  barrier();
  HALF16 qf[DK];
  [[unroll]] for (uint f = 0u; f < DK; ++f) coopMatLoadNV(qf[f], kv_tile, 16u * sg * KV_STRIDE8 + 2u * f, KV_STRIDE8, false);

  ACC o[DN];
  [[unroll]] for (uint f = 0u; f < DN; ++f) o[f] = ACC(0.0);

#ifdef REG_SOFTMAX
  const uint row_lo = lane / 4u;
  const int row0_last = int(first_last + 16u * sg);  // the last key of the subgroup's first row
  float m_lo = NEG_INF, m_hi = NEG_INF, l_lo = 0.0, l_hi = 0.0;

  for (uint kt = kt_begin; kt < kv_end; kt += BC) {
    barrier();  // every subgroup is done reading the previous K tile (and, first, Q)
    put(K_TILE);
    fetch(true, head_base, kt, kv_end);  // V, in flight during S and the softmax
    barrier();

    // S = Q K^T, left in registers.
    ACC s[CN];
    [[unroll]] for (uint c = 0u; c < CN; ++c) {
      s[c] = ACC(0.0);
      if ((ABLATE & 4) == 0)
      [[unroll]] for (uint f = 0u; f < DK; ++f) {
        HALF_B kf;
        coopMatLoadNV(kf, kv_tile, K_TILE + FN * c * KV_STRIDE8 + 2u * f, KV_STRIDE8, true);
        s[c] = coopMatMulAddNV(qf[f], kf, s[c]);
      }
    }

    // Online softmax on this lane's elements; a row's max and sum over its quad.
    if ((ABLATE & 2) == 0) {
    const bool masked = kt + BC - 1u > first_last || p.window != 0u;
    const int tile_key = int(kt) - row0_last;  // key kt relative to the first row's last key
    float mx_lo = NEG_INF, mx_hi = NEG_INF;
    [[unroll]] for (uint c = 0u; c < CN; ++c)
      [[unroll]] for (uint i = 0u; i < EL; ++i) {
        float v = s[c][i];
        if (p.softcap != 0.0) v = softcap_score(v, p.softcap);  // before the mask: masked keys stay -inf
        if (masked) {
          const int d = tile_key + int(16u * c) + el_diff[i];  // key minus the row's last key
          if (d > 0 || (p.window != 0u && d + int(p.window) <= 0)) v = NEG_INF;
        }
        s[c][i] = v;
        mx_hi = el_hi[i] ? max(mx_hi, v) : mx_hi;
        mx_lo = el_hi[i] ? mx_lo : max(mx_lo, v);
      }
    mx_lo = max(mx_lo, subgroupShuffleXor(mx_lo, 1u));
    mx_lo = max(mx_lo, subgroupShuffleXor(mx_lo, 2u));
    mx_hi = max(mx_hi, subgroupShuffleXor(mx_hi, 1u));
    mx_hi = max(mx_hi, subgroupShuffleXor(mx_hi, 2u));
    const float mn_lo = mx_lo > m_lo + TAU ? mx_lo : m_lo, mn_hi = mx_hi > m_hi + TAU ? mx_hi : m_hi;
    const float a_lo = mn_lo == NEG_INF ? 1.0 : exp(m_lo - mn_lo), a_hi = mn_hi == NEG_INF ? 1.0 : exp(m_hi - mn_hi);
    float sum_lo = 0.0, sum_hi = 0.0;
    [[unroll]] for (uint c = 0u; c < CN; ++c)
      [[unroll]] for (uint i = 0u; i < EL; ++i) {
        const float mr = el_hi[i] ? mn_hi : mn_lo;
        const float e = mr == NEG_INF ? 0.0 : exp(s[c][i] - mr);  // exp(-inf) = 0 for masked keys
        s[c][i] = e;
        sum_hi += el_hi[i] ? e : 0.0;
        sum_lo += el_hi[i] ? 0.0 : e;
      }
    sum_lo += subgroupShuffleXor(sum_lo, 1u);
    sum_lo += subgroupShuffleXor(sum_lo, 2u);
    sum_hi += subgroupShuffleXor(sum_hi, 1u);
    sum_hi += subgroupShuffleXor(sum_hi, 2u);
    l_lo = l_lo * a_lo + sum_lo;
    l_hi = l_hi * a_hi + sum_hi;
    m_lo = mn_lo;
    m_hi = mn_hi;
    if (!subgroupAll(a_lo == 1.0 && a_hi == 1.0))
      [[unroll]] for (uint f = 0u; f < DN; ++f)
        [[unroll]] for (uint i = 0u; i < EL; ++i) o[f][i] *= el_hi[i] ? a_hi : a_lo;
    } else {
      l_lo = l_hi = 1.0;
    }

    // The previous V tile's readers passed the two barriers above since.
    put(V_TILE);
    fetch(false, head_base, kt + BC, kv_end);  // the next K, in flight during P V
    barrier();

    // O += P V, P converted to f16 where it is.
    if ((ABLATE & 8) == 0)
    [[unroll]] for (uint c = 0u; c < CK; ++c) {
      const HALF16 pf = HALF16(s[c]);
      [[unroll]] for (uint f = 0u; f < DN; ++f) {
        HALF_B vf;
        coopMatLoadNV(vf, kv_tile, V_TILE + 16u * c * KV_STRIDE8 + FN * f / 8u, KV_STRIDE8, false);
        o[f] = coopMatMulAddNV(pf, vf, o[f]);
      }
    }
  }

  // out = O / l, each lane its own elements: row r = lane / 4 (+ 8), column r + el_diff.
  const float inv_lo = 1.0 / l_lo, inv_hi = 1.0 / l_hi;
  [[unroll]] for (uint i = 0u; i < EL; ++i) {
    const uint r = el_hi[i] ? row_lo + 8u : row_lo, t = t0 + 16u * sg + r;
    if (t < p.n_tokens) {
      const uint dst = t * p.q_stride + head * HEAD_DIM + uint(int(r) + el_diff[i]);
      [[unroll]] for (uint f = 0u; f < DN; ++f) outv[dst + FN * f] = o[f][i] * (el_hi[i] ? inv_hi : inv_lo);
    }
  }
#else
  // Softmax state: lanes 2r and 2r+1 share row r of this subgroup, alternate 4 columns each.
  const uint row = lane / 2u, half_ = lane % 2u;
  const uint my_t = t0 + 16u * sg + row;
  const uint my_last = p.q_pos0 + my_t;  // the last key this row sees
  float m = NEG_INF, l = 0.0;

  for (uint kt = kt_begin; kt < kv_end; kt += BC) {
    barrier();  // previous readers of kv_tile (Q fragments, V) are done
    put(K_TILE);
    fetch(true, head_base, kt, kv_end);  // V, in flight during S and the softmax
    barrier();

    // S = Q K^T: K^T fragments are the K tile read column-major.
    [[unroll]] for (uint c = 0u; c < CN; ++c) {
      ACC s = ACC(0.0);
      [[unroll]] for (uint f = 0u; f < DK; ++f) {
        HALF_B kf;
        coopMatLoadNV(kf, kv_tile, K_TILE + FN * c * KV_STRIDE8 + 2u * f, KV_STRIDE8, true);
        s = coopMatMulAddNV(qf[f], kf, s);
      }
      coopMatStoreNV(s, s_tile[sg], FN * c / 4u, S_STRIDE4, false);
    }
    subgroup_sync();

    // Online softmax on this lane's BC / 2 scores of the row, held in registers;
    // only tiles reaching past the first row's last key need the causal mask,
    // and with a window every tile checks its start.
    const bool masked = kt + BC - 1u > first_last || p.window != 0u;
    vec4 sv[BC / 8u];
    float tile_max = NEG_INF;
    [[unroll]] for (uint i = 0u; i < BC / 8u; ++i) {
      const uint c = 8u * i + 4u * half_;
      vec4 v = uintBitsToFloat(s_tile[sg][row * S_STRIDE4 + c / 4u]);
      if (p.softcap != 0.0) v = softcap_score(v, p.softcap);  // before the mask: masked keys stay -inf
      if (masked)
        [[unroll]] for (uint e = 0u; e < 4u; ++e)
          if (kt + c + e > my_last || (p.window != 0u && kt + c + e + p.window <= my_last)) v[e] = NEG_INF;
      sv[i] = v;
      tile_max = max(tile_max, max(max(v.x, v.y), max(v.z, v.w)));
    }
    tile_max = max(tile_max, subgroupShuffleXor(tile_max, 1u));
    const float m_new = tile_max > m + TAU ? tile_max : m;  // -inf + TAU is -inf: the first finite score sets m
    const float alpha = m_new == NEG_INF ? 1.0 : exp(m - m_new);
    float sum = 0.0;
    [[unroll]] for (uint i = 0u; i < BC / 8u; ++i) {
      const vec4 pc = m_new == NEG_INF ? vec4(0.0) : exp(sv[i] - m_new);  // exp(-inf) = 0 for masked keys
      p_tile[sg][row * P_STRIDE4 + 2u * i + half_] = uvec2(packHalf2x16(pc.xy), packHalf2x16(pc.zw));
      sum += (pc.x + pc.y) + (pc.z + pc.w);
    }
    l = l * alpha + sum + subgroupShuffleXor(sum, 1u);
    m = m_new;
    if (half_ == 0u) row_alpha[sg][row] = alpha;
    subgroup_sync();

    // O *= alpha per row, CN fragments at a time through s_tile (free now).
    if (!subgroupAll(alpha == 1.0)) {
      RESCALE_GROUP(0u) RESCALE_GROUP(1u) RESCALE_GROUP(2u) RESCALE_GROUP(3u)
      RESCALE_GROUP(4u) RESCALE_GROUP(5u) RESCALE_GROUP(6u) RESCALE_GROUP(7u)
    }

    barrier();  // every subgroup is done with the K tile
    put(V_TILE);
    fetch(false, head_base, kt + BC, kv_end);  // the next K, in flight during P V
    barrier();

    // O += P V.
    [[unroll]] for (uint c = 0u; c < CK; ++c) {
      HALF16 pf;
      coopMatLoadNV(pf, p_tile[sg], 4u * c, P_STRIDE4, false);
      [[unroll]] for (uint f = 0u; f < DN; ++f) {
        HALF_B vf;
        coopMatLoadNV(vf, kv_tile, V_TILE + 16u * c * KV_STRIDE8 + FN * f / 8u, KV_STRIDE8, false);
        o[f] = coopMatMulAddNV(pf, vf, o[f]);
      }
    }
  }

  // out = O / l, CN fragments at a time through s_tile.
  if (half_ == 0u) row_alpha[sg][row] = 1.0 / l;
  subgroup_sync();
  OUTPUT_GROUP(0u) OUTPUT_GROUP(1u) OUTPUT_GROUP(2u) OUTPUT_GROUP(3u)
  OUTPUT_GROUP(4u) OUTPUT_GROUP(5u) OUTPUT_GROUP(6u) OUTPUT_GROUP(7u)
#endif
}
