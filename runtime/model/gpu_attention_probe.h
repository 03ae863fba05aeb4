#pragma once
// The attention probe on the GPU for GpuModel: its buffers, its dispatch
// (attention_probe.comp) after the probed layer's attention, and the host
// sums its results are read from. The config and result types and the CPU
// reference stay in attention_probe.h, which the UI includes without Vulkan.
#include <cstdint>
#include <vector>

#include "model/attention_probe.h"
#include "model/model_config.h"
#include "ops/attention_ops.h"
#include "ops/kv_cache.h"
#include "vulkan/buffer.h"
#include "vulkan/sequence.h"

namespace mrrope {

class GpuAttentionProbe {
 public:
  // Throws ModelError for a layer, head, band or grid the model does not
  // have. Buffers hold max_batch query tokens and n_ctx keys.
  GpuAttentionProbe(vk::Context& ctx, const ModelConfig& model, const AttentionProbeConfig& config, int n_ctx,
                    int max_batch);

  // The config with its defaults resolved (band_end, span).
  const AttentionProbeConfig& config() const { return p_; }
  int layer() const { return p_.layer; }

  // After the probed layer's attention: `q` holds its rotated queries; `args`
  // are its attention arguments (tokens, positions, window, scale, cap).
  void record(vk::Sequence& seq, const ops::KvCache& kv, const vk::Buffer& q, const ops::AttentionArgs& args);
  // After the forward pass has run: adds the n tokens at pos0.. to the sums.
  void gather(uint32_t n, uint32_t pos0);
  AttentionProbeResult result() const;

 private:
  vk::Context& ctx_;
  ModelConfig c_;  // a copy: no reference into a GpuModel that may move
  AttentionProbeConfig p_;
  int n_ctx_;
  int block_ = 1, heads_ = 0;
  vk::Buffer row_sums_, dist_sums_, last_row_;  // GPU outputs of the last forward
  std::vector<double> map_, dist_;
  std::vector<double> queries_;  // query tokens seen per row block
  std::vector<float> last_;
  int tokens_ = 0;
};

}  // namespace mrrope
