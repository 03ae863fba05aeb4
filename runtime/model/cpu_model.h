#pragma once
// The reference forward pass: plain float on the CPU, clear rather than fast,
// used by tests to check the Vulkan decoder. All weights are dequantized at
// load, so only use it with small models.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "model/model_config.h"
#include "ops/kv_cache_type.h"

namespace mrrope {

class CpuModel {
 public:
  // kv_rounding stores keys and values at the precision of the GPU's cache
  // (F16, or Q8_0 quantized and dequantized with the GGUF writer's quantizer),
  // so comparisons measure the kernels rather than the cache format; nullopt
  // keeps them in float.
  CpuModel(const GgufFile& file, const ModelConfig& config,
           std::optional<KvCacheType> kv_rounding = KvCacheType::F16);

  // The rotary schedule: per-pair frequencies (RopeTable::freq) and m. Local
  // (sliding-window) layers keep their own plain RoPE (ModelConfig::local_rope_freq).
  void set_rope(const RopeTable& table) { set_rope(table.freq, table.attn_factor); }
  void set_rope(std::vector<double> freq, float attn_factor);

  // Runs `tokens` at positions n_past() .. n_past() + n - 1, appending to the
  // KV cache; returns logits [n x n_vocab].
  std::vector<float> forward(std::span<const int32_t> tokens);
  int n_past() const { return n_past_; }
  void reset() { n_past_ = 0; k_cache_.assign(k_cache_.size(), {}); v_cache_.assign(v_cache_.size(), {}); }

  // Attention probabilities of the last forward for one layer and head:
  // [n_new x n_past()], row t holding the distribution of token t (zeros past it).
  // Only recorded for the layer/head chosen with record_attention().
  void record_attention(int layer, int head) { probe_layer_ = layer, probe_head_ = head; }
  const std::vector<float>& recorded_attention() const { return probe_; }
  // The same layout with the scores that enter the softmax: q . k * query_scale(),
  // soft-capped where the model caps them (gemma2); zeros past each token and,
  // in a local layer, before its window.
  const std::vector<float>& recorded_scores() const { return probe_scores_; }

  const ModelConfig& config() const { return c_; }

 private:
  struct Layer {
    std::vector<float> attn_norm, wq, wk, wv, wo, bq, bk, bv, q_norm, k_norm, ffn_norm, w_gate, w_up, w_down;
    std::vector<float> attn_post_norm, ffn_post_norm;
  };
  void attention(int layer, const std::vector<float>& q, int n, std::vector<float>& out);

  ModelConfig c_;
  std::vector<float> tok_embd_, output_norm_, output_;
  std::vector<Layer> layers_;
  std::vector<double> freq_, local_freq_;
  float attn_factor_ = 1.0f;
  std::optional<KvCacheType> kv_rounding_;
  int n_past_ = 0;
  std::vector<std::vector<float>> k_cache_, v_cache_;  // per layer: [pos][kv_dim]
  int probe_layer_ = -1, probe_head_ = -1;
  std::vector<float> probe_, probe_scores_;
};

}  // namespace mrrope
