#include "model/gpu_attention_probe.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "vulkan/context.h"

namespace mrrope {

GpuAttentionProbe::GpuAttentionProbe(vk::Context& ctx, const ModelConfig& model, const AttentionProbeConfig& config,
                                     int n_ctx, int max_batch)
    : ctx_(ctx), c_(model), p_(config), n_ctx_(n_ctx) {
  const int pairs = c_.head_dim / 2;
  if (p_.layer < 0 || p_.layer >= c_.n_layer) throw ModelError("probe layer out of range");
  if (p_.head < -1 || p_.head >= c_.n_head) throw ModelError("probe head out of range");
  if (p_.band_end < 0) p_.band_end = pairs;
  if (p_.band_begin < 0 || p_.band_begin >= p_.band_end || p_.band_end > pairs)
    throw ModelError("probe band must be a non-empty range of the head's " + std::to_string(pairs) + " pairs");
  if (p_.grid < 1 || p_.grid > 1024) throw ModelError("probe grid must be 1..1024 cells");
  if (p_.span <= 0) p_.span = n_ctx;
  block_ = (p_.span + p_.grid - 1) / p_.grid;
  heads_ = p_.head < 0 ? c_.n_head : 1;
  const uint64_t per_token = uint64_t(heads_) * p_.grid * 4;
  row_sums_ = vk::Buffer(ctx, uint64_t(max_batch) * per_token, vk::MemoryUsage::Device);
  dist_sums_ = vk::Buffer(ctx, uint64_t(max_batch) * per_token, vk::MemoryUsage::Device);
  last_row_ = vk::Buffer(ctx, uint64_t(heads_) * n_ctx * 4, vk::MemoryUsage::Device);
  map_.assign(size_t(p_.grid) * p_.grid, 0.0);
  dist_.assign(p_.grid, 0.0);
  queries_.assign(p_.grid, 0.0);
}

void GpuAttentionProbe::record(vk::Sequence& seq, const ops::KvCache& kv, const vk::Buffer& q,
                               const ops::AttentionArgs& args) {
  struct Push {
    uint32_t n_tokens, head_dim, q_stride, q_pos0, n_ctx, group, head_begin, kv_begin, out_head0, n_probed,
        band_begin, band_end, neox, block, grid;
    float scale;
    uint32_t scale_offset, window, kv_rows;
    float softcap;
  };
  const uint32_t n = args.n_tokens, pos0 = args.q_pos0;
  const bool q8 = kv.type() == KvCacheType::Q8_0;
  vk::Kernel& k = ctx_.kernel({q8 ? "attention_probe_q8_0" : "attention_probe",
                               {vk::Access::Read, vk::Access::Read, vk::Access::Write, vk::Access::Write,
                                vk::Access::Write},
                               sizeof(Push),
                               {}});
  const uint32_t group = c_.n_head / c_.n_head_kv;
  const int first = p_.head < 0 ? 0 : p_.head, last = p_.head < 0 ? c_.n_head : p_.head + 1;
  for (const auto& g : kv.layer(p_.layer)) {
    // Probed heads whose kv head lives in this buffer.
    const int lo = std::max<int>(first, g.head_begin * group), hi = std::min<int>(last, (g.head_begin + g.heads) * group);
    if (lo >= hi) continue;
    Push push{n, uint32_t(c_.head_dim), uint32_t(c_.q_dim()), pos0, uint32_t(n_ctx_), group, uint32_t(lo),
              g.head_begin, uint32_t(lo - first), uint32_t(heads_), uint32_t(p_.band_begin),
              uint32_t(p_.band_end), c_.neox ? 1u : 0u, uint32_t(block_), uint32_t(p_.grid),
              // The attention kernels' scale and soft-capping, so the probe's scores are theirs.
              args.scale, kv.scale_offset_words(g), args.window, g.rows, args.softcap};
    seq.dispatch(k, {q, g.k, row_sums_, dist_sums_, last_row_}, push, n, uint32_t(hi - lo), 1, "attention_probe");
  }
}

void GpuAttentionProbe::gather(uint32_t n, uint32_t pos0) {
  const int G = p_.grid, H = heads_;
  std::vector<float> rows(size_t(n) * H * G), dist(size_t(n) * H * G);
  row_sums_.read(rows.data(), rows.size() * 4);
  dist_sums_.read(dist.data(), dist.size() * 4);
  for (uint32_t t = 0; t < n; ++t) {
    const int r = static_cast<int>((pos0 + t) / block_);
    if (r >= G) continue;  // past the span the map covers
    queries_[r] += 1;
    for (int h = 0; h < H; ++h)
      for (int c = 0; c < G; ++c) {
        map_[size_t(r) * G + c] += rows[(size_t(t) * H + h) * G + c] / H;
        dist_[c] += dist[(size_t(t) * H + h) * G + c] / H;
      }
  }
  const uint32_t total = pos0 + n;
  std::vector<float> last(size_t(H) * total);
  for (int h = 0; h < H; ++h) last_row_.read(last.data() + size_t(h) * total, total * 4, uint64_t(h) * n_ctx_ * 4);
  last_.assign(total, 0.0f);
  for (int h = 0; h < H; ++h)
    for (uint32_t j = 0; j < total; ++j) last_[j] += last[size_t(h) * total + j] / H;
  tokens_ = static_cast<int>(total);
}

AttentionProbeResult GpuAttentionProbe::result() const {
  AttentionProbeResult r;
  const int G = p_.grid;
  r.grid = G;
  r.block = block_;
  r.tokens = tokens_;
  r.window = c_.is_local(p_.layer) ? c_.swa_window : 0;
  r.map.assign(size_t(G) * G, 0.0f);
  for (int row = 0; row < G; ++row)
    if (queries_[row] > 0)
      for (int c = 0; c < G; ++c)
        r.map[size_t(row) * G + c] = static_cast<float>(map_[size_t(row) * G + c] / (queries_[row] * block_));
  r.last_row = last_;
  // Pairs per distance bucket: a query at position p sees distances 0 .. v - 1 (v = p + 1,
  // at most the window of a local layer), min(block, v - b*block) of them in bucket b.
  const int window = r.window;
  r.score_by_distance.assign(G, NAN);
  for (int b = 0; b < G; ++b) {
    double pairs = 0;
    for (int pos = 0; pos < tokens_; ++pos)
      pairs += std::clamp((window > 0 ? std::min(pos + 1, window) : pos + 1) - b * block_, 0, block_);
    if (pairs > 0) r.score_by_distance[b] = static_cast<float>(dist_[b] / pairs);
  }
  return r;
}

}  // namespace mrrope
