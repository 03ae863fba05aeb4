#pragma once
// A copy of the KV cache's first positions, kept outside the cache: one buffer
// per layer for K and one for V, each head's rows packed ([head][tokens][row],
// then Q8_0's scales the same way), in host memory. GpuModel::save_prefix fills
// it and restore_prefix writes it back, so a caller can keep a prompt's
// prefilled prefix while the one cache serves other prompts (the app keeps one
// per conversation thread's schedule) and come back to it without a prefill.
// The copy does not depend on the cache's context size: it restores into any
// cache of the same model and cache type that holds its tokens.
#include <cstdint>
#include <vector>

#include "ops/kv_cache.h"
#include "vulkan/buffer.h"

namespace mrrope {

struct KvPrefix {
  int tokens = 0;
  KvCacheType type = KvCacheType::F16;
  int n_layer = 0, n_kv_heads = 0, head_dim = 0;
  std::vector<vk::Buffer> k, v;  // per layer
  uint64_t bytes() const;
};

// Bytes one copy of `tokens` positions takes: the same as that many positions of the cache.
uint64_t kv_prefix_bytes(const ops::KvCache& cache, int n_layer, int n_kv_heads, int tokens);

}  // namespace mrrope
