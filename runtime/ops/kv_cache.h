#pragma once
// The F16 key/value cache of every layer. Each layer's heads are grouped into
// buffers that fit the device's per-buffer limit; within a buffer a head's
// positions are contiguous ([head][n_ctx][head_dim] as packed half pairs), so
// the attention kernel reads one head's keys in order.
#include <cstdint>
#include <vector>

#include "vulkan/buffer.h"

namespace mrrope::vk {
class Context;
}

namespace mrrope::ops {

class KvCache {
 public:
  struct Group {
    vk::Buffer k, v;
    uint32_t head_begin, heads;
  };

  KvCache(vk::Context& ctx, int n_layer, int n_kv_heads, int head_dim, int n_ctx);

  // Bytes of one layer's K plus V for n_ctx positions (2 bytes per element).
  static uint64_t bytes_needed(int n_layer, int n_kv_heads, int head_dim, int n_ctx);

  const std::vector<Group>& layer(int l) const { return layers_[l]; }
  int n_ctx() const { return n_ctx_; }
  int head_dim() const { return head_dim_; }

 private:
  int n_ctx_, head_dim_;
  std::vector<std::vector<Group>> layers_;
};

}  // namespace mrrope::ops
