#pragma once
// The key/value cache of every layer, in F16 or Q8_0. Each layer's heads are
// grouped into buffers that fit the device's per-buffer limit; within a buffer
// a head's positions are contiguous, so the attention kernel reads one head's
// keys in order:
//   F16:  [head][n_ctx][head_dim] as packed half pairs.
//   Q8_0: ggml's Q8_0 blocks along the head dimension (32 values, one fp16
//         scale, 34 bytes), split into two regions of the buffer so reads stay
//         word-aligned: the int8 quants [head][n_ctx][head_dim], then the
//         scales [head][n_ctx][head_dim / 32] as halves.
#include <cstdint>
#include <vector>

#include "ops/kv_cache_type.h"
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

  // Throws std::invalid_argument for Q8_0 when head_dim is not a multiple of 32.
  KvCache(vk::Context& ctx, int n_layer, int n_kv_heads, int head_dim, int n_ctx,
          KvCacheType type = KvCacheType::F16);

  // Bytes of one position of one head's K (or V): 2 per element in F16, 34 per
  // 32 elements in Q8_0.
  static uint64_t bytes_per_head_row(int head_dim, KvCacheType type);
  // Bytes of every layer's K plus V for n_ctx positions.
  static uint64_t bytes_needed(int n_layer, int n_kv_heads, int head_dim, int n_ctx,
                               KvCacheType type = KvCacheType::F16);
  // Throws std::invalid_argument when `type` cannot hold heads of head_dim.
  static void check_supported(int head_dim, KvCacheType type);

  const std::vector<Group>& layer(int l) const { return layers_[l]; }
  int n_ctx() const { return n_ctx_; }
  int head_dim() const { return head_dim_; }
  KvCacheType type() const { return type_; }
  // Q8_0: the word offset of the scales region in a group's buffers.
  uint32_t scale_offset_words(const Group& g) const {
    return static_cast<uint32_t>(uint64_t(g.heads) * n_ctx_ * head_dim_ / 4);
  }

 private:
  int n_ctx_, head_dim_;
  KvCacheType type_;
  std::vector<std::vector<Group>> layers_;
};

}  // namespace mrrope::ops
