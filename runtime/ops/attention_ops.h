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
// `layer` into the cache at positions pos0 ..., rounded to F16 or quantized to
// Q8_0 blocks per the cache's type.
void kv_store(Sequence& seq, const KvCache& cache, int layer, const Buffer& k, const Buffer& v, uint32_t n_tokens,
              uint32_t pos0);

// Scratch for attention's key splits; sized for `max_rows` (token, head) pairs.
struct AttentionScratch {
  vk::Buffer partial_o, partial_ml;
  uint32_t max_rows, head_dim;
  AttentionScratch(vk::Context& ctx, uint32_t max_rows, uint32_t head_dim);
};

struct AttentionArgs {
  uint32_t n_tokens;  // query tokens, at positions q_pos0 ...
  uint32_t q_pos0;
  uint32_t n_head;
  uint32_t n_kv_head;
  int layer;
};

// out[t, h*hd ..] = softmax(q_t,h . K^T / sqrt(hd), causal) V for every query
// token and head (q is [n_tokens x n_head*hd], already rotated); a Q8_0
// cache is dequantized as it is read.
void attention(Sequence& seq, const KvCache& cache, const Buffer& q, const Buffer& out, AttentionScratch& scratch,
               const AttentionArgs& args);

// nll[out_offset + r] = logsumexp(logits[r, :]) - logits[r, targets[target_offset + r]]
// for r < rows (targets are uint32 token ids).
void token_nll(Sequence& seq, const Buffer& logits, const Buffer& targets, const Buffer& nll, uint32_t rows,
               uint32_t vocab, uint32_t target_offset, uint32_t out_offset);

}  // namespace mrrope::ops
