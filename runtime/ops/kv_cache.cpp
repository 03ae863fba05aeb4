#include "ops/kv_cache.h"

#include <algorithm>

#include "vulkan/context.h"

namespace mrrope::ops {

uint64_t KvCache::bytes_needed(int n_layer, int n_kv_heads, int head_dim, int n_ctx) {
  return 2ull * 2ull * n_layer * n_kv_heads * uint64_t(head_dim) * uint64_t(n_ctx);
}

KvCache::KvCache(vk::Context& ctx, int n_layer, int n_kv_heads, int head_dim, int n_ctx)
    : n_ctx_(n_ctx), head_dim_(head_dim) {
  const uint64_t head_bytes = 2ull * head_dim * uint64_t(n_ctx);
  const uint64_t heads_per_buffer = ctx.max_buffer_bytes() / head_bytes;
  if (heads_per_buffer == 0)
    throw vk::VulkanError("a context of " + std::to_string(n_ctx) + " tokens needs " + vk::format_bytes(head_bytes) +
                          " per attention head, above this device's per-buffer limit of " +
                          vk::format_bytes(ctx.max_buffer_bytes()));
  layers_.resize(n_layer);
  for (auto& groups : layers_)
    for (int h = 0; h < n_kv_heads; h += static_cast<int>(heads_per_buffer)) {
      const auto heads = static_cast<uint32_t>(std::min<uint64_t>(heads_per_buffer, n_kv_heads - h));
      groups.push_back({vk::Buffer(ctx, heads * head_bytes, vk::MemoryUsage::Device),
                        vk::Buffer(ctx, heads * head_bytes, vk::MemoryUsage::Device), static_cast<uint32_t>(h),
                        heads});
    }
}

}  // namespace mrrope::ops
