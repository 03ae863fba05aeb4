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
// A layer may hold fewer rows than n_ctx (a ring, for a sliding-window layer
// that only ever reads its last `window` keys): position p then lives in row
// p % rows, in the layouts above with rows in place of n_ctx. Every kernel
// addresses a key as kv_slot(p, rows) (shaders/kv_cache.glsl), which is p
// itself in a full-length layer.
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
    uint32_t rows = 0;  // positions each head holds: the layer's rows (n_ctx, or a ring's size)
  };

  // Throws std::invalid_argument for Q8_0 when head_dim is not a multiple of 32.
  // layer_rows: rows per layer (a ring where smaller than n_ctx); empty = n_ctx
  // for every layer.
  KvCache(vk::Context& ctx, int n_layer, int n_kv_heads, int head_dim, int n_ctx,
          KvCacheType type = KvCacheType::F16, const std::vector<int>& layer_rows = {});

  // Bytes of one position of one head's K (or V): 2 per element in F16, 34 per
  // 32 elements in Q8_0.
  static uint64_t bytes_per_head_row(int head_dim, KvCacheType type);
  // Bytes of every layer's K plus V for n_ctx positions.
  static uint64_t bytes_needed(int n_layer, int n_kv_heads, int head_dim, int n_ctx,
                               KvCacheType type = KvCacheType::F16);
  // The same with each layer's rows (KvCache's layer_rows, already resolved).
  static uint64_t bytes_needed(const std::vector<int>& layer_rows, int n_kv_heads, int head_dim,
                               KvCacheType type = KvCacheType::F16);
  // Throws std::invalid_argument when `type` cannot hold heads of head_dim.
  static void check_supported(int head_dim, KvCacheType type);

  const std::vector<Group>& layer(int l) const { return layers_[l]; }
  int n_ctx() const { return n_ctx_; }  // positions: the context's capacity
  // Rows each head of `layer` holds: n_ctx, or fewer for a ring.
  int rows(int layer) const { return layer_rows_[size_t(layer)]; }
  bool is_ring(int layer) const { return rows(layer) < n_ctx_; }
  int head_dim() const { return head_dim_; }
  KvCacheType type() const { return type_; }
  // Q8_0: the word offset of the scales region in a group's buffers.
  uint32_t scale_offset_words(const Group& g) const {
    return static_cast<uint32_t>(uint64_t(g.heads) * g.rows * head_dim_ / 4);
  }

 private:
  int n_ctx_, head_dim_;
  KvCacheType type_;
  std::vector<std::vector<Group>> layers_;
  std::vector<int> layer_rows_;
};

}  // namespace mrrope::ops
