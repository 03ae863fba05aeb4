#pragma once
// ops::attention over a fresh cache: the attention kernel tests' common run.
#include <cstdint>
#include <vector>

#include "ops/attention_ops.h"
#include "ops/kv_cache.h"
#include "support/gpu_buffers.h"
#include "vulkan/context.h"
#include "vulkan/sequence.h"

namespace mrrope::test {

// Stores args.q_pos0 + args.n_tokens rows of k and v (kv_dim floats each) in
// layer 0 of a new cache, runs ops::attention for the n_tokens queries of q at
// positions q_pos0.. and returns its output, q's size.
inline std::vector<float> cached_attention(vk::Context& ctx, KvCacheType type, int head_dim,
                                           const std::vector<float>& q, const std::vector<float>& k,
                                           const std::vector<float>& v, const ops::AttentionArgs& args,
                                           uint32_t scratch_rows) {
  const uint32_t total = args.q_pos0 + args.n_tokens;
  ops::KvCache cache(ctx, 1, int(args.n_kv_head), head_dim, int(total) + 3, type);
  ops::AttentionScratch scratch(ctx, scratch_rows, head_dim);
  vk::Buffer bk = device_buffer(ctx, k), bv = device_buffer(ctx, v), bq = device_buffer(ctx, q);
  vk::Buffer bo = zero_buffer(ctx, q.size()), all = positions_buffer(ctx, total, 0);
  vk::Buffer pos = positions_buffer(ctx, args.n_tokens, args.q_pos0);
  vk::Sequence seq(ctx);
  seq.begin();
  ops::kv_store(seq, cache, 0, bk, bv, all, total, 0);
  ops::attention(seq, cache, bq, pos, bo, scratch, args);
  seq.end();
  seq.run();
  return read_back(bo, q.size());
}

}  // namespace mrrope::test
