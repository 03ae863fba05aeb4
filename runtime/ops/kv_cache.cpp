#include "ops/kv_cache.h"

#include <algorithm>
#include <stdexcept>

#include "vulkan/context.h"

namespace mrrope::ops {

void KvCache::check_supported(int head_dim, KvCacheType type) {
  if (type == KvCacheType::Q8_0 && head_dim % 32 != 0)
    throw std::invalid_argument("a q8_0 KV cache needs a head size that is a multiple of 32 (this model's is " +
                                std::to_string(head_dim) + "); use --cache-type-k f16 --cache-type-v f16");
}

uint64_t KvCache::bytes_per_head_row(int head_dim, KvCacheType type) {
  return type == KvCacheType::Q8_0 ? uint64_t(head_dim) / 32 * 34 : 2ull * head_dim;
}

uint64_t KvCache::bytes_needed(int n_layer, int n_kv_heads, int head_dim, int n_ctx, KvCacheType type) {
  return 2ull * n_layer * n_kv_heads * bytes_per_head_row(head_dim, type) * uint64_t(n_ctx);
}

uint64_t KvCache::bytes_needed(const std::vector<int>& layer_rows, int n_kv_heads, int head_dim, KvCacheType type) {
  uint64_t rows = 0;
  for (int r : layer_rows) rows += uint64_t(r);
  return 2ull * n_kv_heads * bytes_per_head_row(head_dim, type) * rows;
}

KvCache::KvCache(vk::Context& ctx, int n_layer, int n_kv_heads, int head_dim, int n_ctx, KvCacheType type,
                 const std::vector<int>& layer_rows)
    : n_ctx_(n_ctx), head_dim_(head_dim), type_(type) {
  check_supported(head_dim, type);
  if (!layer_rows.empty() && layer_rows.size() != size_t(n_layer))
    throw std::invalid_argument("KvCache: one row count per layer");
  layers_.resize(n_layer);
  layer_rows_.resize(n_layer);
  for (int l = 0; l < n_layer; ++l) {
    const int rows = layer_rows.empty() || layer_rows[l] <= 0 ? n_ctx : std::min(layer_rows[l], n_ctx);
    layer_rows_[l] = rows;
    const uint64_t head_bytes = bytes_per_head_row(head_dim, type) * uint64_t(rows);
    // Q8_0 buffers are rounded up to whole words (an odd count of scales).
    const uint64_t slack = type == KvCacheType::Q8_0 ? 4 : 0;
    const uint64_t heads_per_buffer = (ctx.max_buffer_bytes() - slack) / head_bytes;
    if (heads_per_buffer == 0)
      throw vk::VulkanError("a context of " + std::to_string(rows) + " tokens needs " + vk::format_bytes(head_bytes) +
                            " per attention head, above this device's per-buffer limit of " +
                            vk::format_bytes(ctx.max_buffer_bytes()));
    for (int h = 0; h < n_kv_heads; h += static_cast<int>(heads_per_buffer)) {
      const auto heads = static_cast<uint32_t>(std::min<uint64_t>(heads_per_buffer, n_kv_heads - h));
      const uint64_t bytes = (heads * head_bytes + 3) / 4 * 4;
      layers_[l].push_back({vk::Buffer(ctx, bytes, vk::MemoryUsage::Device),
                            vk::Buffer(ctx, bytes, vk::MemoryUsage::Device), static_cast<uint32_t>(h), heads,
                            static_cast<uint32_t>(rows)});
    }
  }
}

}  // namespace mrrope::ops
