#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
// Attention for a few query tokens (decoding): a workgroup takes one KV head,
// up to ROWS query rows of it (the GQA query heads of that KV head, times the
// tokens) and one split of the keys, so K and V are read once per KV head and
// a long context spreads over many workgroups (flash decoding). The dispatch's
// splits (gl_NumWorkGroups.x) share the keys its tokens see equally, in whole
// steps, from the positions buffer: every split has work at every length the
// recording is replayed for. Each split writes its unnormalized output with
// its running max m and sum l; attention_combine.comp merges the splits.
//
// A run of 8 lanes is one worker: it takes KEYS keys at a time (their loads
// in flight together), each lane holding PAIRS / 8 half pairs of the head, so
// a subgroup reads consecutive cache rows (coalesced) and a dot product ends
// in 3 xor-shuffle steps. With an F16 cache and heads a multiple of 64 long
// (KV_VEC4) a lane reads 16 bytes at a time: 8 lanes cover 128 bytes of a
// row. Workers keep their own online softmax in registers; at the end the
// workers of a subgroup merge by xor shuffles, then the subgroups through
// shared memory, one barrier a row.
//
// Token t's position is positions[t] (not a push constant, so a recorded
// decode can be replayed for the next token); it sees keys 0 .. positions[t],
// or with a sliding window (window > 0) only the last `window` of them.
// Scores are q . k * scale, soft-capped when softcap != 0 (Gemma 2).
#include "common.glsl"

#ifndef HEAD_DIM
#error "define HEAD_DIM"
#endif
#define PAIRS (HEAD_DIM / 2u)
#define LANES 8u                    // lanes per worker
#define PER_LANE (PAIRS / LANES)    // half pairs each lane owns
#define ROWS 4u                     // query rows per workgroup (main merges them by name)
#ifndef KEYS_PER_STEP
#define KEYS_PER_STEP 2             // keys per worker per step, 2 or 4 (main names them: UPDATE_KEY)
#endif
#define KEYS (KEYS_PER_STEP * 1u)

// Pair i (0 .. PER_LANE - 1) of a lane is pair pair_of(lane, i) of the head.
#ifdef KV_VEC4
uint pair_of(uint lane, uint i) { return ((i / 4u) * LANES + lane) * 4u + i % 4u; }
#else
uint pair_of(uint lane, uint i) { return lane + LANES * i; }
#endif

layout(constant_id = 0) const uint WG = 128;  // a multiple of the subgroup size, itself a multiple of LANES
// The most subgroups a workgroup can have (WG / 8), and how many rows' worth
// of the merge buffers fit in shared memory (2: a row's writes need no barrier
// after the previous row's reads; 1 where shared memory is small).
layout(constant_id = 1) const uint SUBGROUPS = 16;
layout(constant_id = 2) const uint MERGE_BUFFERS = 2;
// FOLD 1: the last workgroup to finish among the splits of a (kv head, row
// chunk) merges them itself (attention_combine.comp's sums), so a short
// context needs no combine dispatch; 2: its output also as int8 blocks.
layout(constant_id = 3) const uint FOLD = 0;
layout(local_size_x_id = 0) in;
const uint WORKERS = WG / LANES;

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer KC { uint k_cache[]; };
layout(std430, binding = 2) readonly buffer VC { uint v_cache[]; };
layout(std430, binding = 1) readonly buffer KC4 { uvec4 k_cache4[]; };
layout(std430, binding = 2) readonly buffer VC4 { uvec4 v_cache4[]; };
layout(std430, binding = 3) readonly buffer Pos { int positions[]; };
// Coherent: with FOLD another workgroup's partial results are read back.
layout(std430, binding = 4) coherent buffer PO { float partial_o[]; };
layout(std430, binding = 4) coherent buffer PO2 { vec2 partial_o2[]; };
layout(std430, binding = 5) coherent buffer PML { vec2 partial_ml[]; };
layout(std430, binding = 6) writeonly buffer Out { float outv[]; };
layout(std430, binding = 7) writeonly buffer XQ { uint xq[]; };
layout(std430, binding = 7) writeonly buffer XRec { vec4 xrec[]; };
layout(std430, binding = 8) coherent buffer Counters { uint split_counters[]; };
layout(push_constant) uniform Push {
  uint n_tokens;
  uint n_head;
  uint q_stride;        // floats between tokens in q
  uint n_ctx;           // rows per head in the cache (a ring's size for a windowed layer: kv_slot)
  uint group;           // query heads per kv head
  uint head_begin;      // first kv head of this dispatch (the buffer's first)
  float scale;          // 1 / sqrt(head_dim)
  uint scale_offset;    // Q8_0: first word of the scales region
  uint window;          // sliding window in keys (Gemma's local layers); 0 = none
  float softcap;        // scores become softcap * tanh(score / softcap) (Gemma 2); 0 = off
  uint out_stride;      // FOLD: floats between tokens in the output
} p;

#include "kv_cache.glsl"
#include "q8_blocks.glsl"
#include "attention_softcap.glsl"

#define NEG_INF uintBitsToFloat(0xff800000u)

shared vec2 qs[ROWS][PAIRS];
// Per row, each subgroup's merged (m, l) and output.
shared float sg_m[MERGE_BUFFERS][SUBGROUPS], sg_l[MERGE_BUFFERS][SUBGROUPS];
shared vec2 sg_o[MERGE_BUFFERS][SUBGROUPS][PAIRS];

// The online softmax of row r with key u of this step (its score s[u][r], its
// value v[u]): one exp per key, either the max moves (rescale the past) or it
// does not. Spelled out per key and row so that s, v, m, l and acc are indexed
// by constants: with the rows in a loop (a `continue` in it) the driver left
// it rolled and kept them all in local memory (368 bytes, MRROPE_PIPELINE_STATS).
#define UPDATE_ROW(u, r, j)                                                          \
  if ((j) < k_end && (j) <= last_key[r] && (j) >= first_key[r]) { /* masked keys, rows past n_rows skip */ \
    float alpha = 1.0, pj = 1.0;                                                      \
    if (s[u][r] > m[r]) {                                                             \
      alpha = exp(m[r] - s[u][r]);                                                    \
      m[r] = s[u][r];                                                                 \
    } else {                                                                          \
      pj = exp(s[u][r] - m[r]);                                                       \
    }                                                                                 \
    l[r] = l[r] * alpha + pj;                                                         \
    [[unroll]] for (uint i = 0u; i < PER_LANE; ++i) acc[r][i] = acc[r][i] * alpha + pj * v[u][i]; \
  }
#define UPDATE_KEY(u)                                                                \
  {                                                                                   \
    const int j = base + int((u) * WORKERS + worker);                                 \
    UPDATE_ROW(u, 0, j) UPDATE_ROW(u, 1, j) UPDATE_ROW(u, 2, j) UPDATE_ROW(u, 3, j)   \
  }

// This split's partial output of one row from the subgroups' merged results.
void write_row(uint buf, uint out_row) {
  const uint tid = gl_LocalInvocationID.x;
  float Mw = NEG_INF;
  for (uint s = 0u; s < gl_NumSubgroups; ++s) Mw = max(Mw, sg_m[buf][s]);
  for (uint d = tid; d < PAIRS; d += WG) {
    vec2 o = vec2(0.0);
    for (uint s = 0u; s < gl_NumSubgroups; ++s)
      if (sg_m[buf][s] != NEG_INF) o += sg_o[buf][s][d] * exp(sg_m[buf][s] - Mw);
    partial_o[out_row * HEAD_DIM + 2u * d] = o.x;
    partial_o[out_row * HEAD_DIM + 2u * d + 1u] = o.y;
  }
  if (tid == 0u) {
    float L = 0.0;
    for (uint s = 0u; s < gl_NumSubgroups; ++s)
      if (sg_m[buf][s] != NEG_INF) L += sg_l[buf][s] * exp(sg_m[buf][s] - Mw);
    partial_ml[out_row] = vec2(Mw, L);
  }
}

uint partial_row(uint token, uint head) { return (gl_WorkGroupID.x * p.n_tokens + token) * p.n_head + head; }

// Merges the workers' state of query row r (m, l, acc): first the workers of
// each subgroup (lanes LANES apart hold the same pairs) by xor shuffles, then
// the subgroups' results, each rescaled to the row's max and summed, written
// as this split's partial output.
void merge_row(uint r, float m, float l, vec2 acc[PER_LANE], uint token, uint head) {
  const uint lane = gl_SubgroupInvocationID % LANES, buf = r % MERGE_BUFFERS;
  const uint n_rows = p.n_tokens * p.group;
  float M = m;
  for (uint x = LANES; x < gl_SubgroupSize; x *= 2u) M = max(M, subgroupShuffleXor(M, x));
  const float f = m == NEG_INF ? 0.0 : exp(m - M);
  l *= f;
  [[unroll]] for (uint i = 0u; i < PER_LANE; ++i) acc[i] *= f;
  for (uint x = LANES; x < gl_SubgroupSize; x *= 2u) {
    l += subgroupShuffleXor(l, x);
    [[unroll]] for (uint i = 0u; i < PER_LANE; ++i) acc[i] += subgroupShuffleXor(acc[i], x);
  }
  if (gl_SubgroupInvocationID < LANES) {
    if (lane == 0u) {
      sg_m[buf][gl_SubgroupID] = M;
      sg_l[buf][gl_SubgroupID] = l;
    }
    [[unroll]] for (uint i = 0u; i < PER_LANE; ++i) sg_o[buf][gl_SubgroupID][pair_of(lane, i)] = acc[i];
  }
  barrier();
  if (gl_WorkGroupID.z * ROWS + r < n_rows) write_row(buf, partial_row(token, head));
  if (MERGE_BUFFERS == 1u) barrier();  // the next row reuses the buffer
}

// FOLD: the final output of row r (token, head) from every split's partial
// results; the int8 pass reads it back from qs.
void fold_row(uint r, uint token, uint head) {
  const uint th = token * p.n_head + head, stride = p.n_tokens * p.n_head;
  float M = NEG_INF;
  for (uint s = 0u; s < gl_NumWorkGroups.x; ++s) M = max(M, partial_ml[s * stride + th].x);
  for (uint d = gl_LocalInvocationID.x; d < PAIRS; d += WG) {
    vec2 o = vec2(0.0);
    float L = 0.0;
    for (uint s = 0u; s < gl_NumWorkGroups.x; ++s) {
      const vec2 ml = partial_ml[s * stride + th];
      if (ml.x == NEG_INF) continue;  // an empty split holds no output
      const float w = exp(ml.x - M);
      L += ml.y * w;
      o += partial_o2[(s * stride + th) * PAIRS + d] * w;
    }
    o /= L;
    outv[token * p.out_stride + head * HEAD_DIM + 2u * d] = o.x;
    outv[token * p.out_stride + head * HEAD_DIM + 2u * d + 1u] = o.y;
    qs[r][d] = o;
  }
}

shared bool last_split;

// Whether this workgroup finished last among its dispatch's splits of the same
// (kv head, row chunk); the last one resets the counter for the next dispatch.
bool finished_last() {
  memoryBarrierBuffer();  // this split's partial results, before the count
  barrier();
  const uint counter = (p.head_begin + gl_WorkGroupID.y) * gl_NumWorkGroups.z + gl_WorkGroupID.z;
  if (gl_LocalInvocationID.x == 0u) {
    last_split = atomicAdd(split_counters[counter], 1u) == gl_NumWorkGroups.x - 1u;
    if (last_split) split_counters[counter] = 0u;
  }
  barrier();
  memoryBarrierBuffer();  // the other splits' results, after the count
  return last_split;
}

// FOLD 2: the folded rows (in qs) as int8 blocks of 32, quantize_act's layout.
void fold_quantize(uint row0, uint n_rows) {
  const uint per_row = HEAD_DIM / 32u, t = gl_LocalInvocationID.x;
  if (t >= ROWS * per_row || row0 + t / per_row >= n_rows) return;
  const uint r = t / per_row, blk = t % per_row, row = row0 + r;
  const uint token = row / p.group, head = (p.head_begin + gl_WorkGroupID.y) * p.group + row % p.group;
  vec4 v[8];
  [[unroll]] for (uint j = 0u; j < 8u; ++j) v[j] = vec4(qs[r][16u * blk + 2u * j], qs[r][16u * blk + 2u * j + 1u]);
  uint words[8];
  vec4 record;
  q8_block(v, words, record);
  const uint block = head * per_row + blk;
  [[unroll]] for (uint j = 0u; j < 8u; ++j) xq[(token * p.out_stride + block * 32u) / 4u + j] = words[j];
  xrec[p.n_tokens * p.out_stride / 16u + token * (p.out_stride / 32u) + block] = record;
}

void main() {
  const uint tid = gl_LocalInvocationID.x;
  const uint split = gl_WorkGroupID.x, kv_local = gl_WorkGroupID.y;
  const uint n_rows = p.n_tokens * p.group;  // row r: token r / group, query head r % group of this kv head
  const uint row0 = gl_WorkGroupID.z * ROWS;
  // Workers are runs of subgroup invocation ids (xor shuffles below 8 stay in one).
  const uint worker = gl_SubgroupID * (gl_SubgroupSize / LANES) + gl_SubgroupInvocationID / LANES;
  const uint lane = gl_SubgroupInvocationID % LANES;

  // Per row: its token, query head and the last key it sees (-1: no such row).
  uint token[ROWS], head[ROWS];
  int last_key[ROWS], first_key[ROWS];
  int max_key = -1, min_first = 0x7fffffff;
  [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
    const uint row = min(row0 + r, n_rows - 1u);
    token[r] = row / p.group;
    head[r] = (p.head_begin + kv_local) * p.group + row % p.group;
    last_key[r] = row0 + r < n_rows ? positions[token[r]] : -1;
    first_key[r] = p.window == 0u ? 0 : last_key[r] - int(p.window) + 1;
    max_key = max(max_key, last_key[r]);
    if (last_key[r] >= 0) min_first = min(min_first, first_key[r]);
  }
  for (uint i = tid; i < ROWS * PAIRS; i += WG) {
    // Row r's token and head recomputed, not read from token[r] / head[r]: r
    // varies at run time here, which would put those arrays in local memory.
    const uint r = i / PAIRS, d = i % PAIRS, row = min(row0 + r, n_rows - 1u);
    const uint src = (row / p.group) * p.q_stride + ((p.head_begin + kv_local) * p.group + row % p.group) * HEAD_DIM + 2u * d;
    qs[r][d] = vec2(q[src], q[src + 1u]) * p.scale;
  }
  barrier();

  float m[ROWS], l[ROWS];
  vec2 acc[ROWS][PER_LANE];
  [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
    m[r] = NEG_INF;
    l[r] = 0.0;
    [[unroll]] for (uint i = 0u; i < PER_LANE; ++i) acc[r][i] = vec2(0.0);
  }

  // The keys every row of the dispatch sees, [first_all, last_all], in equal
  // splits of whole steps (the same plan in every workgroup of the dispatch).
  int last_all = -1, first_all = 0x7fffffff;
  for (uint t = 0u; t < p.n_tokens; ++t) {
    last_all = max(last_all, positions[t]);
    first_all = min(first_all, p.window == 0u ? 0 : max(0, positions[t] - int(p.window) + 1));
  }
  const int step = int(KEYS * WORKERS), span = last_all + 1 - first_all;
  const int keys_per_split = ((span + int(gl_NumWorkGroups.x) - 1) / int(gl_NumWorkGroups.x) + step - 1) / step * step;
  const int k_begin = first_all + int(split) * keys_per_split;
  const int k_end = min(k_begin + keys_per_split, max_key + 1);  // splits past every row's keys stay empty
  const uint head_base = kv_local * p.n_ctx;
  // The loop is uniform over the workgroup so that the shuffles run in
  // uniform control flow; a worker past k_end computes on key 0 and drops it.
  // Keys before every row's window are skipped (uniform: min_first is the workgroup's).
  for (int base = max(k_begin, min_first); base < k_end; base += int(KEYS * WORKERS)) {
    float s[KEYS][ROWS];
    vec2 v[KEYS][PER_LANE];
    [[unroll]] for (uint u = 0u; u < KEYS; ++u) {
      const int j = base + int(u * WORKERS + worker);
      const uint key = head_base + kv_slot(uint(j < k_end ? j : 0), p.n_ctx);
      [[unroll]] for (uint r = 0u; r < ROWS; ++r) s[u][r] = 0.0;
#ifdef KV_VEC4
      [[unroll]] for (uint c = 0u; c < PER_LANE / 4u; ++c) {
        const uint at = key * (HEAD_DIM / 8u) + c * LANES + lane;
        const uvec4 kw = k_cache4[at], vw = v_cache4[at];
        [[unroll]] for (uint e = 0u; e < 4u; ++e) {
          const vec2 k = unpackHalf2x16(kw[e]);
          v[u][4u * c + e] = unpackHalf2x16(vw[e]);
          [[unroll]] for (uint r = 0u; r < ROWS; ++r) s[u][r] += dot(qs[r][pair_of(lane, 4u * c + e)], k);
        }
      }
#else
      [[unroll]] for (uint i = 0u; i < PER_LANE; ++i) {
        const uint d = pair_of(lane, i);
        const vec2 k = KV_PAIR(k_cache, key, d, HEAD_DIM);
        v[u][i] = KV_PAIR(v_cache, key, d, HEAD_DIM);
        [[unroll]] for (uint r = 0u; r < ROWS; ++r) s[u][r] += dot(qs[r][d], k);
      }
#endif
    }
    [[unroll]] for (uint u = 0u; u < KEYS; ++u)
      [[unroll]] for (uint r = 0u; r < ROWS; ++r)
        [[unroll]] for (uint x = LANES / 2u; x > 0u; x /= 2u) s[u][r] += subgroupShuffleXor(s[u][r], x);
    if (p.softcap != 0.0)
      [[unroll]] for (uint u = 0u; u < KEYS; ++u)
        [[unroll]] for (uint r = 0u; r < ROWS; ++r) s[u][r] = softcap_score(s[u][r], p.softcap);
    UPDATE_KEY(0u)
    UPDATE_KEY(1u)
#if KEYS_PER_STEP > 2
    UPDATE_KEY(2u)
    UPDATE_KEY(3u)
#endif
  }

  // Rows merged one at a time, each by its own call with constant indices: a
  // loop holding the barriers is not unrolled by every driver, and acc
  // indexed at run time would then live in local memory for the whole kernel.
  merge_row(0u, m[0], l[0], acc[0], token[0], head[0]);
  merge_row(1u, m[1], l[1], acc[1], token[1], head[1]);
  merge_row(2u, m[2], l[2], acc[2], token[2], head[2]);
  merge_row(3u, m[3], l[3], acc[3], token[3], head[3]);

  if (FOLD == 0u || !finished_last()) return;
  if (row0 < n_rows) fold_row(0u, token[0], head[0]);
  if (row0 + 1u < n_rows) fold_row(1u, token[1], head[1]);
  if (row0 + 2u < n_rows) fold_row(2u, token[2], head[2]);
  if (row0 + 3u < n_rows) fold_row(3u, token[3], head[3]);
  if (FOLD == 2u) {
    barrier();
    fold_quantize(row0, n_rows);
  }
}
