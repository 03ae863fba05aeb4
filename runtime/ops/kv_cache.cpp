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

KvCache::KvCache(vk::Context& ctx, int n_layer, int n_kv_heads, int head_dim, int n_ctx, KvCacheType type)
    : n_ctx_(n_ctx), head_dim_(head_dim), type_(type) {
  check_supported(head_dim, type);
  const uint64_t head_bytes = bytes_per_head_row(head_dim, type) * uint64_t(n_ctx);
  // Q8_0 buffers are rounded up to whole words (an odd count of scales).
  const uint64_t slack = type == KvCacheType::Q8_0 ? 4 : 0;
  const uint64_t heads_per_buffer = (ctx.max_buffer_bytes() - slack) / head_bytes;
  if (heads_per_buffer == 0)
    throw vk::VulkanError("a context of " + std::to_string(n_ctx) + " tokens needs " + vk::format_bytes(head_bytes) +
                          " per attention head, above this device's per-buffer limit of " +
                          vk::format_bytes(ctx.max_buffer_bytes()));
  layers_.resize(n_layer);
  for (auto& groups : layers_)
    for (int h = 0; h < n_kv_heads; h += static_cast<int>(heads_per_buffer)) {
      const auto heads = static_cast<uint32_t>(std::min<uint64_t>(heads_per_buffer, n_kv_heads - h));
      const uint64_t bytes = (heads * head_bytes + 3) / 4 * 4;
      groups.push_back({vk::Buffer(ctx, bytes, vk::MemoryUsage::Device),
                        vk::Buffer(ctx, bytes, vk::MemoryUsage::Device), static_cast<uint32_t>(h), heads});
    }
}

}  // namespace mrrope::ops
