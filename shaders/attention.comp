#version 450
#extension GL_GOOGLE_include_directive : require
// Causal attention over the KV cache (F16, or Q8_0 with KV_Q8_0) without ever materializing the score
// matrix (flash attention: tiles of keys, online softmax). A workgroup takes
// BQ consecutive query tokens of one head and one split of the keys; splits
// let a single decoded token spread a long context over many workgroups
// (flash decoding). Each split writes its unnormalized output with its running
// max m and sum l; attention_combine.comp merges the splits.
//
// Query token t sits at position q_pos0 + t and sees keys 0 .. q_pos0 + t;
// with a sliding window (window > 0) only the last `window` of them. Scores
// are q . k * scale, soft-capped when softcap != 0 (Gemma 2).
#include "common.glsl"

#ifndef HEAD_DIM
#error "define HEAD_DIM"
#endif
#define WG 128u
#define TK 128u   // keys per tile: one per thread
#define BQ 8u     // query tokens per workgroup
#define PAIRS (HEAD_DIM / 2u)
#define OUT_PAIRS ((BQ * PAIRS + WG - 1u) / WG)
#define LANES (WG / BQ)  // threads per query row in reductions

layout(local_size_x = 128) in;
layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer KC { uint k_cache[]; };
layout(std430, binding = 2) readonly buffer VC { uint v_cache[]; };
layout(std430, binding = 3) writeonly buffer PO { float partial_o[]; };
layout(std430, binding = 4) writeonly buffer PML { vec2 partial_ml[]; };
layout(push_constant) uniform Push {
  uint n_tokens;
  uint n_head;
  uint q_stride;        // floats between tokens in q
  uint q_pos0;
  uint n_ctx;           // rows per head in the cache (a ring's size for a windowed layer: kv_slot)
  uint group;           // query heads per kv head
  uint head_begin;      // first query head of this dispatch (its kv head is the buffer's first)
  uint keys_per_split;
  float scale;          // 1 / sqrt(head_dim)
  uint scale_offset;    // Q8_0: first word of the scales region
  uint window;          // sliding window in keys (Gemma's local layers); 0 = none
  float softcap;        // scores become softcap * tanh(score / softcap) (Gemma 2); 0 = off
} p;

#include "kv_cache.glsl"
#include "attention_softcap.glsl"

#define NEG_INF uintBitsToFloat(0xff800000u)

shared vec2 qs[BQ][PAIRS];
shared float S[BQ][TK];
shared float red[BQ][LANES];
shared float row_m[BQ], row_l[BQ], row_alpha[BQ];

void main() {
  const uint tid = gl_LocalInvocationID.x;
  const uint t0 = gl_WorkGroupID.x * BQ;
  const uint head = p.head_begin + gl_WorkGroupID.y;
  const uint kv_local = gl_WorkGroupID.y / p.group;  // kv head within this cache buffer
  const uint split = gl_WorkGroupID.z;

  for (uint idx = tid; idx < BQ * PAIRS; idx += WG) {
    const uint r = idx / PAIRS, d = idx % PAIRS;
    const uint t = t0 + r;
    const uint src = t * p.q_stride + head * HEAD_DIM + 2u * d;
    qs[r][d] = t < p.n_tokens ? vec2(q[src], q[src + 1u]) * p.scale : vec2(0.0);
  }
  if (tid < BQ) {
    row_m[tid] = NEG_INF;
    row_l[tid] = 0.0;
  }
  vec2 acc[OUT_PAIRS];
  [[unroll]] for (uint i = 0u; i < OUT_PAIRS; ++i) acc[i] = vec2(0.0);

  const uint last_t = min(t0 + BQ, p.n_tokens) - 1u;
  // Keys before the first row's window are skipped (later rows mask their own).
  const uint first_pos = p.q_pos0 + t0;
  const uint window_begin = p.window != 0u && first_pos + 1u > p.window ? first_pos + 1u - p.window : 0u;
  const uint k_begin = max(split * p.keys_per_split, window_begin);
  const uint k_end = min(split * p.keys_per_split + p.keys_per_split, p.q_pos0 + last_t + 1u);
  const uint head_base = kv_local * p.n_ctx;
  barrier();

  for (uint kt = k_begin; kt < k_end; kt += TK) {
    // Scores: thread tid takes key kt + tid against all BQ queries.
    const uint j = kt + tid;
    float s[BQ];
    [[unroll]] for (uint r = 0u; r < BQ; ++r) s[r] = 0.0;
    if (j < k_end) {
#ifdef KV_Q8_0
      // Integer quants against q per block of 32, then one multiply by the scale.
      const uint row = head_base + kv_slot(j, p.n_ctx), kb = row * (HEAD_DIM / 4u);
      for (uint b = 0u; b < HEAD_DIM / 32u; ++b) {
        float sb[BQ];
        [[unroll]] for (uint r = 0u; r < BQ; ++r) sb[r] = 0.0;
        for (uint w = 0u; w < 8u; ++w) {
          const uint word = k_cache[kb + 8u * b + w];
          const vec2 lo = vec2(kv_q8(word, 0u), kv_q8(word, 1u)), hi = vec2(kv_q8(word, 2u), kv_q8(word, 3u));
          const uint d = 16u * b + 2u * w;
          [[unroll]] for (uint r = 0u; r < BQ; ++r) sb[r] += dot(qs[r][d], lo) + dot(qs[r][d + 1u], hi);
        }
        const float scale = KV_SCALE(k_cache, row * (HEAD_DIM / 32u) + b);
        [[unroll]] for (uint r = 0u; r < BQ; ++r) s[r] += scale * sb[r];
      }
#else
      const uint kb = (head_base + kv_slot(j, p.n_ctx)) * PAIRS;
      for (uint d = 0u; d < PAIRS; ++d) {
        const vec2 kv = unpackHalf2x16(k_cache[kb + d]);
        [[unroll]] for (uint r = 0u; r < BQ; ++r) s[r] += dot(qs[r][d], kv);
      }
#endif
    }
    if (p.softcap != 0.0)
      [[unroll]] for (uint r = 0u; r < BQ; ++r) s[r] = softcap_score(s[r], p.softcap);
    [[unroll]] for (uint r = 0u; r < BQ; ++r) {
      const bool in_window = p.window == 0u || j + p.window > p.q_pos0 + t0 + r;
      const bool visible = j < k_end && j <= p.q_pos0 + t0 + r && t0 + r < p.n_tokens && in_window;
      S[r][tid] = visible ? s[r] : NEG_INF;
    }
    barrier();

    // Running max per query row.
    const uint rr = tid / LANES, lane = tid % LANES;
    float mx = NEG_INF;
    for (uint c = lane; c < TK; c += LANES) mx = max(mx, S[rr][c]);
    red[rr][lane] = mx;
    barrier();
    if (tid < BQ) {
      float m = row_m[tid];
      for (uint l = 0u; l < LANES; ++l) m = max(m, red[tid][l]);
      row_alpha[tid] = m == NEG_INF ? 1.0 : exp(row_m[tid] - m);
      row_m[tid] = m;
    }
    barrier();

    // Probabilities relative to the running max.
    [[unroll]] for (uint r = 0u; r < BQ; ++r) {
      const float m = row_m[r], v = S[r][tid];
      S[r][tid] = (v == NEG_INF) ? 0.0 : exp(v - m);
    }
    barrier();
    float sum = 0.0;
    for (uint c = lane; c < TK; c += LANES) sum += S[rr][c];
    red[rr][lane] = sum;
    barrier();
    if (tid < BQ) {
      float l = 0.0;
      for (uint i = 0u; i < LANES; ++i) l += red[tid][i];
      row_l[tid] = row_l[tid] * row_alpha[tid] + l;
    }

    // Output: each thread owns OUT_PAIRS (row, pair) slots.
    const uint n_keys = min(TK, k_end - kt);
    [[unroll]] for (uint i = 0u; i < OUT_PAIRS; ++i) {
      const uint slot = tid + i * WG;
      if (slot >= BQ * PAIRS) break;
      const uint r = slot / PAIRS, d = slot % PAIRS;
      vec2 a = acc[i] * row_alpha[r];
      for (uint jj = 0u; jj < n_keys; ++jj) a += S[r][jj] * KV_PAIR(v_cache, head_base + kv_slot(kt + jj, p.n_ctx), d, HEAD_DIM);
      acc[i] = a;
    }
    barrier();
  }

  [[unroll]] for (uint i = 0u; i < OUT_PAIRS; ++i) {
    const uint slot = tid + i * WG;
    if (slot >= BQ * PAIRS) break;
    const uint r = slot / PAIRS, d = slot % PAIRS;
    const uint t = t0 + r;
    if (t < p.n_tokens) {
      const uint o = ((split * p.n_tokens + t) * p.n_head + head) * HEAD_DIM + 2u * d;
      partial_o[o] = acc[i].x;
      partial_o[o + 1u] = acc[i].y;
    }
  }
  if (tid < BQ && t0 + tid < p.n_tokens)
    partial_ml[(split * p.n_tokens + t0 + tid) * p.n_head + head] = vec2(row_m[tid], row_l[tid]);
}
