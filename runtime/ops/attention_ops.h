#pragma once
// Recording attention: appending to the KV cache, flash attention over it with
// key splits, and the bias add that Qwen2's projections need.
#include <cstdint>

#include "ops/kv_cache.h"
#include "ops/ops.h"

namespace mrrope::ops {

// x[r, c] += bias[c] for a [rows x cols] activation.
void add_bias(Sequence& seq, const Buffer& x, const Buffer& bias, uint32_t rows, uint32_t cols);

// Writes n_tokens keys and values ([n_tokens x n_kv_heads*head_dim] floats) of
// `layer` into the cache at positions[t] (int32 per token, read by the GPU when
// the sequence runs, so a recorded decode step can be replayed), rounded to F16
// or quantized to Q8_0 blocks per the cache's type. pos0 is the first position
// at recording time; only the capacity check uses it. In a ring layer
// (KvCache::is_ring) position p goes to row p % rows; at most rows tokens at once.
// With `rotation`, the keys are rotated on the way in exactly as ops::rope
// would rotate them (its n_rot, neox and attn_factor; n_heads and head_dim
// come from the cache), so k itself stays unrotated and no rope pass is needed.
// With `queries`, the same dispatch also rotates the queries in place, as
// ops::rope would ([n_tokens x query_heads x head_dim], positions[t] each):
// decoding then has no rope dispatch at all.
struct KeyRotation {
  const Buffer& turns;  // encode_rope_turns(freq)
  uint32_t n_rot;
  bool neox;
  float attn_factor;
  const Buffer* queries = nullptr;
  uint32_t query_heads = 0;
};
void kv_store(Sequence& seq, const KvCache& cache, int layer, const Buffer& k, const Buffer& v,
              const Buffer& positions, uint32_t n_tokens, uint32_t pos0, const KeyRotation* rotation = nullptr);

// Scratch for attention's key splits; sized for `max_rows` (token, head) pairs.
struct AttentionScratch {
  vk::Buffer partial_o, partial_ml;
  vk::Buffer split_counters;  // the decode kernel's finished splits per (kv head, row chunk)
  uint32_t max_rows, head_dim;
  AttentionScratch(vk::Context& ctx, uint32_t max_rows, uint32_t head_dim);
};

struct AttentionArgs {
  uint32_t n_tokens;  // query tokens, at positions q_pos0 ... (= positions[t])
  uint32_t q_pos0;
  uint32_t n_head;
  uint32_t n_kv_head;
  int layer;
  // Sliding window (Gemma's local layers): token t sees only the last `window`
  // keys up to its position; 0 = every key up to it.
  uint32_t window = 0;
  // Scores are q . k * scale (0: 1 / sqrt(head_dim); Gemma's query scale otherwise),
  // then softcap * tanh(score / softcap) when softcap > 0 (Gemma 2's
  // attention-logit soft-capping), before the softmax.
  float scale = 0;
  float softcap = 0;
};

// out[t, h*hd ..] = softmax(cap(q_t,h . K^T * scale), causal, windowed) V for every query
// token and head (q is [n_tokens x n_head*hd], already rotated); a Q8_0
// cache is dequantized as it is read.
//
// With few tokens (decoding, n_tokens <= kDecodeMaxTokens) on a device with
// subgroup shuffles, token t's position is read from positions[t]
// when the sequence runs: a recorded step stays valid for later positions up
// to decode_kv_bound(q_pos0 + n_tokens, n_ctx) - 1 (the key splits depend only
// on that bound).
//
// A ring layer (KvCache::is_ring) needs a window with window + n_tokens - 1 <= its
// rows: every key the call's tokens see then has a row of its own.
//
// `out_q8`, if given, may also receive out as int8 blocks (quantize_act's
// layout, ops/matvec_int8.h) for the output projection; returns whether it did
// (the split paths do, when head_dim % 32 == 0; prefill on matrix units does not).
bool attention(Sequence& seq, const KvCache& cache, const Buffer& q, const Buffer& positions, const Buffer& out,
               AttentionScratch& scratch, const AttentionArgs& args, const Buffer* out_q8 = nullptr);

constexpr uint32_t kDecodeMaxTokens = 8;
// Whether attention() takes the decode kernel for up to kDecodeMaxTokens
// tokens on this device (so a recorded decode step can be replayed).
bool decode_attention_supported(const vk::DeviceInfo& info);
// Whether prefill (more than kDecodeMaxTokens tokens) runs on the matrix units
// (f16 Q and P, f32 softmax); MRROPE_NO_COOPMAT=1 turns it off.
bool prefill_attention_on_coopmat(const vk::DeviceInfo& info);
// The KV length the decode kernel's splits are planned for: kv_len rounded up
// to a power of two (at least 256), at most the cache capacity.
uint32_t decode_kv_bound(uint32_t kv_len, uint32_t n_ctx);

// nll[out_offset + r] = logsumexp(logits[r, :]) - logits[r, targets[target_offset + r]]
// for r < rows (targets are uint32 token ids).
void token_nll(Sequence& seq, const Buffer& logits, const Buffer& targets, const Buffer& nll, uint32_t rows,
               uint32_t vocab, uint32_t target_offset, uint32_t out_offset);

}  // namespace mrrope::ops
