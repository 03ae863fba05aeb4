// Copies of the KV cache's first positions (model/kv_prefix.h): one sequence of
// buffer copies, a head's rows at a time (a head's positions are contiguous in
// the cache, so each head is one copy, two where a ring wraps; Q8_0's scales
// another).
#include "model/kv_prefix.h"

#include <algorithm>
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

// Positions [from, to) of one layer's K (or V) between the cache's group
// buffers and a copy's packed buffer that holds [first, tokens) a head:
// to_copy true copies out, false writes back. A full-length layer keeps
// position p in row p, a ring in row p % rows, so a range is one or two runs
// of rows.
void copy_layer(vk::Sequence& seq, const ops::KvCache& cache, int layer, bool keys, const vk::Buffer& packed,
                int n_kv_heads, int first, int tokens, int from, int to, bool to_copy) {
  if (from >= to) return;
  const RowBytes rb = row_bytes(cache);
  const uint64_t t = uint64_t(tokens - first);
  for (const ops::KvCache::Group& g : cache.layer(layer)) {
    const vk::Buffer& buf = keys ? g.k : g.v;
    const uint64_t rows = g.rows;
    for (uint32_t i = 0; i < g.heads; ++i) {
      const uint64_t head = g.head_begin + i;
      for (int p = from; p < to;) {
        const uint64_t slot = uint64_t(p) % rows, len = std::min<uint64_t>(uint64_t(to - p), rows - slot);
        const uint64_t at = uint64_t(p - first);  // position within the copy
        const uint64_t cache_row = (i * rows + slot) * rb.row, packed_row = (head * t + at) * rb.row;
        if (to_copy) seq.copy(buf, cache_row, packed, packed_row, len * rb.row);
        else seq.copy(packed, packed_row, buf, cache_row, len * rb.row);
        if (rb.scales != 0) {
          const uint64_t cache_scales = uint64_t(cache.scale_offset_words(g)) * 4 + (i * rows + slot) * rb.scales;
          const uint64_t packed_scales = uint64_t(n_kv_heads) * t * rb.row + (head * t + at) * rb.scales;
          if (to_copy) seq.copy(buf, cache_scales, packed, packed_scales, len * rb.scales);
          else seq.copy(packed, packed_scales, buf, cache_scales, len * rb.scales);
        }
        p += static_cast<int>(len);
      }
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

KvPrefix GpuModel::save_prefix(int n) const {
  if (n < 0 || n > n_past_)
    throw std::invalid_argument("save_prefix: " + std::to_string(n) + " positions asked, the cache holds " +
                                std::to_string(n_past_));
  if (n > 0 && !holds_window_before(n))
    throw std::invalid_argument("save_prefix: the window-sized KV cache no longer holds the keys before position " +
                                std::to_string(n) + " (reset and prefill again)");
  return copy_out(n, /*windows_only=*/false);
}

// A full-length layer from 0; a sliding-window layer from the first position it
// holds (a ring's reach): what a later truncate() may still go back to. The
// checkpoint keeps only the window before n of the sliding-window layers.
KvPrefix GpuModel::copy_out(int n, bool windows_only) const {
  KvPrefix p;
  p.tokens = n;
  p.type = kv_->type();
  p.n_layer = c_.n_layer, p.n_kv_heads = c_.n_head_kv, p.head_dim = c_.head_dim;
  p.windows_only = windows_only;
  p.first.assign(size_t(c_.n_layer), 0);
  for (int l = 0; l < c_.n_layer; ++l) {
    if (!c_.is_local(l)) p.first[size_t(l)] = windows_only ? n : 0;
    else if (windows_only) p.first[size_t(l)] = std::min(n, std::max(held_from(l), n - c_.swa_window + 1));
    else p.first[size_t(l)] = std::min(n, held_from(l));
  }
  if (n == 0) return p;
  vk::Sequence seq(ctx_);
  seq.begin();
  for (int l = 0; l < c_.n_layer; ++l) {
    const int first = p.first[size_t(l)];
    const uint64_t layer_bytes = kv_prefix_bytes(*kv_, 1, c_.n_head_kv, n - first) / 2;
    if (layer_bytes == 0) {
      p.k.emplace_back();
      p.v.emplace_back();
      continue;
    }
    p.k.emplace_back(ctx_, layer_bytes, vk::MemoryUsage::Readback);
    p.v.emplace_back(ctx_, layer_bytes, vk::MemoryUsage::Readback);
    copy_layer(seq, *kv_, l, true, p.k.back(), c_.n_head_kv, first, n, first, n, true);
    copy_layer(seq, *kv_, l, false, p.v.back(), c_.n_head_kv, first, n, first, n, true);
  }
  seq.end();
  seq.run();
  return p;
}

void GpuModel::restore_prefix(const KvPrefix& p) {
  if (p.type != kv_->type() || p.n_layer != c_.n_layer || p.n_kv_heads != c_.n_head_kv || p.head_dim != c_.head_dim ||
      p.first.size() != size_t(c_.n_layer))
    throw std::invalid_argument("restore_prefix: the copy is of another model or KV cache type");
  if (p.windows_only)
    throw std::invalid_argument("restore_prefix: a window checkpoint is not a prefix (GpuModel::rewind uses it)");
  if (p.tokens > options_.n_ctx)
    throw std::invalid_argument("restore_prefix: the copy holds " + std::to_string(p.tokens) +
                                " positions, the context " + std::to_string(options_.n_ctx));
  for (int l = 0; l < c_.n_layer; ++l)
    if (p.first[size_t(l)] > 0 && !kv_->is_ring(l))
      throw std::invalid_argument("restore_prefix: the copy was taken out of a window-sized KV cache (layer " +
                                  std::to_string(l) + " holds positions from " + std::to_string(p.first[size_t(l)]) +
                                  " on) and this cache's layer is full-length");
  checkpoint_.reset();  // the positions before it are written again
  write_back(p);
}

// Each layer gets the positions it can hold: a ring the copy's last rows()
// (the copy holds at least the window before its end, which fits), a
// full-length layer all of them. Then the sliding-window layers hold nothing
// before the latest first position written.
void GpuModel::write_back(const KvPrefix& p) {
  int floor = 0;
  if (p.tokens > 0) {
    vk::Sequence seq(ctx_);
    seq.begin();
    for (int l = 0; l < c_.n_layer; ++l) {
      const int first = p.first[size_t(l)];
      if (first >= p.tokens) continue;  // a checkpoint's full-length layer: kept in the cache
      const int from = std::max(first, p.tokens - kv_->rows(l));
      if (c_.is_local(l)) floor = std::max(floor, from);
      copy_layer(seq, *kv_, l, true, p.k[size_t(l)], c_.n_head_kv, first, p.tokens, from, p.tokens, false);
      copy_layer(seq, *kv_, l, false, p.v[size_t(l)], c_.n_head_kv, first, p.tokens, from, p.tokens, false);
    }
    seq.end();
    seq.run();
  }
  n_past_ = p.tokens;
  local_floor_ = floor;
}

}  // namespace mrrope
