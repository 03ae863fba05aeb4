#pragma once
// A copy of the KV cache's first positions, kept outside the cache: one buffer
// per layer for K and one for V, each head's rows packed ([head][tokens][row],
// then Q8_0's scales the same way), in host memory. GpuModel::save_prefix fills
// it and restore_prefix writes it back, so a caller can keep a prompt's
// prefilled prefix while the one cache serves other prompts (the app keeps one
// per conversation thread's schedule) and come back to it without a prefill.
// The copy does not depend on the cache's context size: it restores into any
// cache of the same model and cache type that holds its tokens.
// A sliding-window layer kept in a window-sized ring (GpuModelOptions::
// window_kv_cache, issue 14) holds only its last rows: its copy starts at the
// first position the ring still held (`first`), at least the window before
// `tokens`, which is all a later token reads there; such a copy restores into
// rings only (a full-length layer would keep stale rows before `first`).
#include <cstdint>
#include <vector>

#include "ops/kv_cache.h"
#include "vulkan/buffer.h"

namespace mrrope {

struct KvPrefix {
  int tokens = 0;
  KvCacheType type = KvCacheType::F16;
  int n_layer = 0, n_kv_heads = 0, head_dim = 0;
  // Per layer, the first position held: 0, or later for a sliding-window layer
  // copied out of a ring; layer l packs tokens - first[l] positions a head.
  std::vector<int> first;
  // GpuModel's window checkpoint: the sliding-window layers only (first[l] ==
  // tokens for the others, which stay in the cache); restore_prefix refuses it.
  bool windows_only = false;
  std::vector<vk::Buffer> k, v;  // per layer (empty where nothing is held)
  uint64_t bytes() const;
};

// Bytes one copy of `tokens` positions takes: the same as that many positions of the cache.
uint64_t kv_prefix_bytes(const ops::KvCache& cache, int n_layer, int n_kv_heads, int tokens);

}  // namespace mrrope
