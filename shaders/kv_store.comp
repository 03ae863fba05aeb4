#version 450
#extension GL_GOOGLE_include_directive : require
// Appends new keys and values to the KV cache (ops/kv_cache.h has the
// layouts); token t goes to position positions[t], read from the buffer so
// that a recorded decode step can be replayed for the next token. F16: one thread per half pair. Q8_0 (KV_Q8_0): one thread per
// block of 32 values, quantized as ggml does (quant/quantize.cpp): d = amax /
// 127, q = round(x / d) with ties away from zero, d stored as a half.
// With ROPE the keys are rotated on the way in, exactly as rope.comp rotates
// them in place (same angles and expressions), so decoding needs no separate
// rotary pass over k. With ROPE_QUERIES the same dispatch also rotates the
// queries in place (threads past the cache's work), so q needs no pass either.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer K { float k[]; };
layout(std430, binding = 1) readonly buffer V { float v[]; };
layout(std430, binding = 4) readonly buffer Pos { int positions[]; };
#ifdef KV_Q8_0
// Not writeonly: neighbouring blocks share a word of scales (atomics).
layout(std430, binding = 2) buffer KC { uint k_cache[]; };
layout(std430, binding = 3) buffer VC { uint v_cache[]; };
#else
layout(std430, binding = 2) writeonly buffer KC { uint k_cache[]; };
layout(std430, binding = 3) writeonly buffer VC { uint v_cache[]; };
#endif
layout(push_constant) uniform Push {
  uint n_tokens;
  uint n_ctx;         // rows per head: the context, or a ring's size (position p in row p % n_ctx)
  uint head_dim;
  uint kv_dim;        // floats per token in k and v (all kv heads)
  uint head_begin;    // first kv head stored in this buffer
  uint heads;         // kv heads stored in this buffer
  uint scale_offset;  // Q8_0: first word of the scales region
  uint n_rot;         // ROPE: rotated dimensions of a head, pair layout, cos/sin factor
  uint neox;
  float attn_factor;
  uint q_heads;       // ROPE_QUERIES: query heads to rotate in q ([n_tokens x q_heads x head_dim]); 0: none
} p;

#ifdef ROPE
layout(std430, binding = 5) readonly buffer Turns { uvec2 turns[]; };  // (low, high) words
#include "rope_angle.glsl"
// Element e of the key head at k[base], rotated for position pos.
float key(uint base, uint e, uint pos) {
  if (e >= p.n_rot) return k[base + e];
  const uint half_rot = p.n_rot / 2u;
  const uint pair = p.neox != 0u ? e % half_rot : e / 2u;
  const uint i0 = p.neox != 0u ? pair : 2u * pair, i1 = i0 + (p.neox != 0u ? half_rot : 1u);
  const vec2 cs = pair_rotation(pos, turns[pair], p.attn_factor);
  const float x0 = k[base + i0], x1 = k[base + i1];
  return e == i0 ? x0 * cs.x - x1 * cs.y : x0 * cs.y + x1 * cs.x;
}
#else
float key(uint base, uint e, uint pos) { return k[base + e]; }
#endif

#ifdef ROPE_QUERIES
layout(std430, binding = 6) buffer Q { float q[]; };
// Query pair i (token, head, pair), rotated in place as rope.comp rotates it.
void rotate_query(uint i) {
  const uint half_rot = p.n_rot / 2u;
  if (i >= p.n_tokens * p.q_heads * half_rot) return;
  const uint pair = i % half_rot;
  const uint head = (i / half_rot) % p.q_heads;
  const uint token = i / (half_rot * p.q_heads);
  const vec2 cs = pair_rotation(uint(positions[token]), turns[pair], p.attn_factor);
  const float c = cs.x, s = cs.y;
  const uint base = (token * p.q_heads + head) * p.head_dim;
  const uint i0 = base + (p.neox != 0u ? pair : 2u * pair);
  const uint i1 = i0 + (p.neox != 0u ? half_rot : 1u);
  const float x0 = q[i0], x1 = q[i1];
  q[i0] = x0 * c - x1 * s;
  q[i1] = x0 * s + x1 * c;
}
// Threads past the cache's `items` rotate the queries; true when this one did (or had nothing to do).
bool queries_thread(uint i, uint items) {
  if (i < items) return false;
  rotate_query(i - items);
  return true;
}
#else
bool queries_thread(uint i, uint items) { return i >= items; }
#endif

#ifdef KV_Q8_0
// std::lround: to nearest, ties away from zero (v - trunc(v) is exact).
int round_away(float v) {
  const float t = trunc(v);
  return int(abs(v - t) >= 0.5 ? t + sign(v) : t);
}

// Quantizes x[0..31] into 8 words of int8; returns the scale (a half's bits).
uint quantize_block(const float x[32], out uint words[8]) {
  float amax = 0.0;
  [[unroll]] for (uint j = 0u; j < 32u; ++j) amax = max(amax, abs(x[j]));
  const float d = amax / 127.0, id = d != 0.0 ? 1.0 / d : 0.0;
  [[unroll]] for (uint w = 0u; w < 8u; ++w) {
    uint word = 0u;
    [[unroll]] for (uint b = 0u; b < 4u; ++b) word |= (uint(round_away(x[4u * w + b] * id)) & 0xffu) << (8u * b);
    words[w] = word;
  }
  return packHalf2x16(vec2(d, 0.0)) & 0xffffu;
}

void main() {
  const uint nb = p.head_dim / 32u;
  const uint i = linear_group_id() * 256u + gl_LocalInvocationID.x;
  if (queries_thread(i, p.n_tokens * p.heads * nb)) return;
  const uint b = i % nb;
  const uint h = (i / nb) % p.heads;
  const uint t = i / (nb * p.heads);
  const uint head_base = t * p.kv_dim + (p.head_begin + h) * p.head_dim, src = head_base + 32u * b;
  const uint pos = uint(positions[t]), row = h * p.n_ctx + pos % p.n_ctx;
  const uint dst = row * (p.head_dim / 4u) + 8u * b;
  // The scale's half of a shared word: clear it, then set it.
  const uint s = row * nb + b, sw = p.scale_offset + s / 2u, shift = (s & 1u) * 16u;
  float x[32];
  uint words[8];

  [[unroll]] for (uint j = 0u; j < 32u; ++j) x[j] = key(head_base, 32u * b + j, pos);
  uint d = quantize_block(x, words);
  [[unroll]] for (uint w = 0u; w < 8u; ++w) k_cache[dst + w] = words[w];
  atomicAnd(k_cache[sw], ~(0xffffu << shift));
  atomicOr(k_cache[sw], d << shift);

  [[unroll]] for (uint j = 0u; j < 32u; ++j) x[j] = v[src + j];
  d = quantize_block(x, words);
  [[unroll]] for (uint w = 0u; w < 8u; ++w) v_cache[dst + w] = words[w];
  atomicAnd(v_cache[sw], ~(0xffffu << shift));
  atomicOr(v_cache[sw], d << shift);
}
#else
void main() {
  const uint pairs = p.head_dim / 2u;
  const uint i = linear_group_id() * 256u + gl_LocalInvocationID.x;
  if (queries_thread(i, p.n_tokens * p.heads * pairs)) return;
  const uint d = i % pairs;
  const uint h = (i / pairs) % p.heads;
  const uint t = i / (pairs * p.heads);
  const uint head_base = t * p.kv_dim + (p.head_begin + h) * p.head_dim, src = head_base + 2u * d;
  const uint pos = uint(positions[t]), dst = (h * p.n_ctx + pos % p.n_ctx) * pairs + d;
  k_cache[dst] = packHalf2x16(vec2(key(head_base, 2u * d, pos), key(head_base, 2u * d + 1u, pos)));
  v_cache[dst] = packHalf2x16(vec2(v[src], v[src + 1u]));
}
#endif
