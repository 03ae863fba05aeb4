// Copies of the KV cache's first positions (model/kv_prefix.h): one sequence of
// buffer copies, a head's rows at a time (a head's positions are contiguous in
// the cache, so each head is one copy; Q8_0's scales another).
#include "model/kv_prefix.h"

#include <stdexcept>
#include <string>

#include "model/gpu_model.h"
#include "vulkan/sequence.h"

namespace mrrope {
namespace {

// Bytes of one position of one head: the row, and Q8_0's scales row (0 for F16).
struct RowBytes {
  uint64_t row = 0, scales = 0;
};
RowBytes row_bytes(const ops::KvCache& cache) {
  if (cache.type() == KvCacheType::Q8_0) return {uint64_t(cache.head_dim()), uint64_t(cache.head_dim()) / 32 * 2};
  return {uint64_t(cache.head_dim()) * 2, 0};
}

// One layer's K (or V) between the cache's group buffers and the copy's packed
// buffer: to_copy true copies out, false writes back.
void copy_layer(vk::Sequence& seq, const ops::KvCache& cache, int layer, bool keys, const vk::Buffer& packed,
                int n_kv_heads, int tokens, bool to_copy) {
  const RowBytes rb = row_bytes(cache);
  const uint64_t n_ctx = uint64_t(cache.n_ctx()), t = uint64_t(tokens);
  for (const ops::KvCache::Group& g : cache.layer(layer)) {
    const vk::Buffer& buf = keys ? g.k : g.v;
    for (uint32_t i = 0; i < g.heads; ++i) {
      const uint64_t head = g.head_begin + i;
      const uint64_t cache_row = i * n_ctx * rb.row, packed_row = head * t * rb.row;
      if (to_copy) seq.copy(buf, cache_row, packed, packed_row, t * rb.row);
      else seq.copy(packed, packed_row, buf, cache_row, t * rb.row);
      if (rb.scales == 0) continue;
      const uint64_t cache_scales = uint64_t(cache.scale_offset_words(g)) * 4 + i * n_ctx * rb.scales;
      const uint64_t packed_scales = uint64_t(n_kv_heads) * t * rb.row + head * t * rb.scales;
      if (to_copy) seq.copy(buf, cache_scales, packed, packed_scales, t * rb.scales);
      else seq.copy(packed, packed_scales, buf, cache_scales, t * rb.scales);
    }
  }
}

}  // namespace

uint64_t KvPrefix::bytes() const {
  uint64_t sum = 0;
  for (const auto& b : k) sum += b.size();
  for (const auto& b : v) sum += b.size();
  return sum;
}

uint64_t kv_prefix_bytes(const ops::KvCache& cache, int n_layer, int n_kv_heads, int tokens) {
  const RowBytes rb = row_bytes(cache);
  return 2 * uint64_t(n_layer) * uint64_t(n_kv_heads) * uint64_t(tokens) * (rb.row + rb.scales);
}

namespace {

// Copies are of whole-length layers: a window-sized ring (GpuModelOptions::window_kv_cache)
// holds positions modulo its size, which this layout does not describe (issue 14).
void refuse_rings(const ops::KvCache& cache, int n_layer, const char* what) {
  for (int l = 0; l < n_layer; ++l)
    if (cache.is_ring(l))
      throw std::invalid_argument(std::string(what) + ": not supported with a window-sized KV cache (layer " +
                                  std::to_string(l) + " is a ring)");
}

}  // namespace

KvPrefix GpuModel::save_prefix(int n) const {
  refuse_rings(*kv_, c_.n_layer, "save_prefix");
  if (n < 0 || n > n_past_)
    throw std::invalid_argument("save_prefix: " + std::to_string(n) + " positions asked, the cache holds " +
                                std::to_string(n_past_));
  KvPrefix p;
  p.tokens = n;
  p.type = kv_->type();
  p.n_layer = c_.n_layer, p.n_kv_heads = c_.n_head_kv, p.head_dim = c_.head_dim;
  if (n == 0) return p;
  const uint64_t layer_bytes = kv_prefix_bytes(*kv_, 1, c_.n_head_kv, n) / 2;
  vk::Sequence seq(ctx_);
  seq.begin();
  for (int l = 0; l < c_.n_layer; ++l) {
    p.k.emplace_back(ctx_, layer_bytes, vk::MemoryUsage::Readback);
    p.v.emplace_back(ctx_, layer_bytes, vk::MemoryUsage::Readback);
    copy_layer(seq, *kv_, l, true, p.k.back(), c_.n_head_kv, n, true);
    copy_layer(seq, *kv_, l, false, p.v.back(), c_.n_head_kv, n, true);
  }
  seq.end();
  seq.run();
  return p;
}

void GpuModel::restore_prefix(const KvPrefix& p) {
  refuse_rings(*kv_, c_.n_layer, "restore_prefix");
  if (p.type != kv_->type() || p.n_layer != c_.n_layer || p.n_kv_heads != c_.n_head_kv || p.head_dim != c_.head_dim)
    throw std::invalid_argument("restore_prefix: the copy is of another model or KV cache type");
  if (p.tokens > options_.n_ctx)
    throw std::invalid_argument("restore_prefix: the copy holds " + std::to_string(p.tokens) +
                                " positions, the context " + std::to_string(options_.n_ctx));
  if (p.tokens > 0) {
    vk::Sequence seq(ctx_);
    seq.begin();
    for (int l = 0; l < c_.n_layer; ++l) {
      copy_layer(seq, *kv_, l, true, p.k[size_t(l)], c_.n_head_kv, p.tokens, false);
      copy_layer(seq, *kv_, l, false, p.v[size_t(l)], c_.n_head_kv, p.tokens, false);
    }
    seq.end();
    seq.run();
  }
  n_past_ = p.tokens;
}

}  // namespace mrrope
