#pragma once
// The decoder on Vulkan: weights uploaded once, an F16 (or Q8_0) KV cache, and a forward
// pass recorded as one sequence of dispatches per call (a prefill chunk or one
// decoded token). The rotary schedule is a per-pair table, so every RoPE
// method runs through the same kernels.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/attention_probe.h"
#include "ops/stacked_weights.h"
#include "model/gpu_attention_probe.h"
#include "model/kv_prefix.h"
#include "model/model_config.h"
#include "ops/attention_ops.h"
#include "ops/kv_cache.h"
#include "vulkan/device_info.h"
#include "vulkan/device_tensor.h"
#include "vulkan/sequence.h"

namespace mrrope {

struct GpuModelOptions {
  int n_ctx = 0;          // KV cache capacity; 0 = the model's training context
  // Tokens per forward call (prefill chunk); 0 picks it from the device's
  // memory (auto_prefill_chunk), so long documents are not bound by per-chunk overhead.
  int max_batch = 0;
  int max_logit_rows = 0; // rows of logits one call can return; 0 = min(max_batch, 512)
  bool profile = false;   // GPU timestamps per dispatch (last_timings())
  // K and V storage: Q8_0 takes 34 bytes per 32 values instead of 64, for
  // long contexts (head sizes must be multiples of 32).
  KvCacheType kv_type = KvCacheType::F16;
  // Sliding-window layers (gemma2/gemma3's local ones) keep their K and V in a
  // ring of window + max_batch - 1 rows instead of n_ctx (they never read
  // further back), so a long context allocates full-length K/V for the global
  // layers only. truncate() then cannot go back further than the rings still
  // hold (it throws; can_truncate() says beforehand, rewind() falls back), and
  // save_prefix copies the rows the rings hold (model/kv_prefix.h).
  bool window_kv_cache = false;
  // Submissions per prefill chunk (layers split among them) that prefill()
  // starts with when given a cancel flag; it then sizes chunks and parts from
  // their measured time (model/prefill_plan.h).
  int prefill_parts = 1;
};

// Rows of each layer's KV cache for these options (resolved: n_ctx, or a
// ring's size for a sliding-window layer with window_kv_cache).
std::vector<int> kv_layer_rows(const ModelConfig& config, const GpuModelOptions& options);

// Device memory the decoder would use, for the check before loading.
struct MemoryEstimate {
  uint64_t weights = 0, kv_cache = 0, scratch = 0;
  uint64_t total() const { return weights + kv_cache + scratch; }
};
// options.max_batch 0 counts as kMinAutoChunk tokens here.
MemoryEstimate estimate_memory(const ModelConfig& config, const ModelTensors& tensors, const GpuModelOptions& options);

// The prefill chunk for options.max_batch == 0: CPU devices take kMinAutoChunk
// (progress and cancel stay fine-grained); GPUs the largest power of two up to
// kMaxAutoChunk whose scratch fits in a quarter of the memory left after
// weights and KV cache, and at most the context.
constexpr int kMinAutoChunk = 512, kMaxAutoChunk = 4096;
int auto_prefill_chunk(const vk::DeviceInfo& device, const ModelConfig& config, const ModelTensors& tensors,
                       const GpuModelOptions& options);

class GpuModel {
 public:
  // Uploads the weights. Throws ModelError when the context cannot fit in
  // device memory, saying how much is needed and available.
  GpuModel(vk::Context& ctx, const GgufFile& file, const ModelConfig& config, const GpuModelOptions& options);

  // The rotary schedule: a method's table (build_rope_table), or per-pair
  // frequencies and m directly. It applies to global layers only: local
  // (sliding-window) layers keep ModelConfig::local_rope_freq.
  void set_rope(const RopeTable& table) { set_rope(table.freq, table.attn_factor); }
  void set_rope(std::span<const double> freq, float attn_factor);

  // Runs tokens at positions n_past() ...; at most max_batch tokens. Returns
  // logits of every token when all_logits, else of the last one only.
  std::vector<float> forward(std::span<const int32_t> tokens, bool all_logits = false);

  // Runs tokens like forward() and returns, per token, the negative
  // log-likelihood of targets[i] (the next token), computed on the GPU.
  std::vector<float> forward_nll(std::span<const int32_t> tokens, std::span<const int32_t> targets);
  // The same in `parts` submissions of consecutive layers, checking `cancel`
  // between them: nothing (and n_past() unchanged) when cancelled.
  std::optional<std::vector<float>> forward_nll(std::span<const int32_t> tokens, std::span<const int32_t> targets,
                                                int parts, const std::atomic<bool>* cancel);

  // Prefill of any length in chunks of max_batch, reporting progress
  // (tokens done, total) and stopping early when `cancel` becomes true.
  // With `cancel`, chunks start at kMinCancellableChunk tokens and are sized
  // from their measured speed, split into submissions of a few layers each
  // when even the smallest are slow, so a cancel is answered within about
  // kCancelCheckSeconds plus one submission (model/prefill_plan.h).
  // Returns the logits of the last token (empty if cancelled).
  std::vector<float> prefill(std::span<const int32_t> tokens, const std::function<void(int, int)>& progress = {},
                             const std::atomic<bool>* cancel = nullptr);

  // Watches one layer (and head, or all heads) from the next forward on;
  // clears what was gathered. nullopt switches the probe off.
  void set_probe(const std::optional<AttentionProbeConfig>& config);
  // What the probe has gathered since set_probe() (or the last reset()).
  AttentionProbeResult read_probe() const;

  int n_past() const { return n_past_; }
  int n_ctx() const { return options_.n_ctx; }
  int max_batch() const { return options_.max_batch; }
  KvCacheType kv_type() const { return options_.kv_type; }
  bool window_kv_cache() const { return options_.window_kv_cache; }
  // Whether some layer keeps its K/V in a window-sized ring (window_kv_cache on
  // a model with sliding-window layers shorter than the context).
  bool has_kv_rings() const;
  // The most submissions a cancellable chunk may be split into: one per layer,
  // or 1 with rings (a part run past their window and then cancelled would
  // have overwritten keys still needed).
  int max_chunk_parts() const { return has_kv_rings() ? 1 : config().n_layer; }
  int kv_rows(int layer) const { return kv_->rows(layer); }  // positions its K/V hold: n_ctx or a ring's
  void reset();
  // Forgets everything after position n (keeps a shared prefix). With
  // window-sized rings (window_kv_cache) a local layer's keys before n may be
  // gone already: then it throws ModelError and keeps everything (reset and
  // prefill again). can_truncate(n) says which beforehand: always true without
  // rings, for n == 0, and for n >= n_past().
  bool can_truncate(int n) const;
  void truncate(int n);
  // Goes back to position n where truncate() can; else, with rings, to the
  // window checkpoint when it lies at or before n (mark_window_checkpoint);
  // else to 0. Returns the position it went back to (n_past(), at most n): the
  // caller prefills from there. Never keeps keys the rings lost.
  int rewind(int n);
  // With rings: the next prefill() that passes position n stops there and
  // copies the sliding-window layers' last window - 1 keys and values before it
  // to host memory (in F16 about 0.2 GiB for gemma2-2B's window of 4096, 0.7
  // for gemma2-9B's, 0.3-0.4 for gemma3 12B/27B's of 1024; the full-length
  // layers are not copied, they keep those positions), so rewind() can come
  // back to n after the rings moved on. One checkpoint at a time: the new one
  // replaces the old when taken. It is dropped when a position before it is
  // written again, and by reset(), set_rope() and restore_prefix(). Does
  // nothing without rings.
  void mark_window_checkpoint(int n);
  // The checkpoint's position, or -1 when there is none.
  int window_checkpoint() const { return checkpoint_ ? checkpoint_->tokens : -1; }
  // The cache's first n positions copied out, and written back (then n_past()
  // is the copy's length): a prompt's prefix kept while the cache serves
  // others (model/kv_prefix.cpp). A window-sized ring gives the rows it holds
  // (at least the window before n; save throws std::invalid_argument when it
  // no longer does, see can_truncate). restore throws std::invalid_argument
  // when the copy is of another model or cache type, longer than the context,
  // or out of rings into a full-length layer.
  KvPrefix save_prefix(int n) const;
  void restore_prefix(const KvPrefix& prefix);
  const ModelConfig& config() const { return c_; }
  const MemoryEstimate& memory() const { return memory_; }
  // Per-dispatch GPU times of the last forward call (options.profile).
  const std::vector<vk::DispatchTiming>& last_timings() const { return timings_; }
  // CPU time the last forward call spent recording and submitting its work,
  // in microseconds (excludes waiting for the GPU).
  double last_host_microseconds() const { return host_us_; }

 private:
  struct Layer {
    ops::StackedWeights qkv;      // attn_q, attn_k, attn_v
    ops::StackedWeights gate_up;  // ffn_gate, ffn_up
    vk::DeviceTensor wo, w_down;
    vk::Buffer attn_norm, ffn_norm, bq, bk, bv, q_norm, k_norm;
    vk::Buffer attn_post_norm, ffn_post_norm;  // gemma3
  };
  // Uploads ids and positions, begins `seq` and records embedding and layers.
  // Checks tokens and writes their ids and positions for the GPU to read.
  uint32_t stage_tokens(std::span<const int32_t> tokens);
  bool int8_products(uint32_t n) const;
  const vk::Buffer* f16_input() const { return xh_.size() ? &xh_ : nullptr; }  // see xh_
  void record_embedding(vk::Sequence& seq, uint32_t n);
  uint32_t begin_forward(vk::Sequence& seq, std::span<const int32_t> tokens);
  bool record_layers_in_parts(vk::Sequence& seq, uint32_t n, int parts, const std::atomic<bool>* cancel);
  std::optional<std::vector<float>> forward_in_parts(std::span<const int32_t> tokens, int parts,
                                                     const std::atomic<bool>& cancel);
  void record_output_head(vk::Sequence& seq, uint32_t n, bool all_logits);
  void finish_forward(vk::Sequence& seq, uint32_t n);
  std::vector<float> finish_with_logits(vk::Sequence& seq, uint32_t n, bool all_logits);
  void run_forward(vk::Sequence& seq, uint32_t n);
  std::vector<float> decode_step(std::span<const int32_t> token);
  // The recorded decode step and the KV bound its attention splits were planned for.
  std::unique_ptr<vk::Sequence> decode_seq_;
  uint32_t decode_bound_ = 0;
  vk::SequenceOptions sequence_options() const;
  vk::Sequence& sequence();
  std::unique_ptr<vk::Sequence> seq_;
  void record_layer(vk::Sequence& seq, const Layer& L, int layer, uint32_t n, uint32_t pos0);

  vk::Context& ctx_;
  std::string path_;  // the model file, for messages
  ModelConfig c_;
  GpuModelOptions options_;
  MemoryEstimate memory_;
  vk::DeviceTensor tok_embd_, output_;
  vk::Buffer output_norm_;
  std::vector<Layer> layers_;
  std::unique_ptr<ops::KvCache> kv_;
  std::unique_ptr<ops::AttentionScratch> attn_scratch_;
  // Activations for max_batch tokens.
  vk::Buffer logits_host_, nll_host_;
  // rope_turns_local_: the local (sliding-window) layers' own plain RoPE, fixed at load.
  vk::Buffer ids_, positions_, targets_, nll_, rope_turns_, rope_turns_local_, x_, xn_, q_, k_, v_, attn_, o_, gate_, up_, logits_;
  vk::Buffer xq_;  // a product input quantized to int8 (ops/matvec_int8.h)
  vk::Buffer xh_;  // a prefill product's input in f16, on devices whose products take it (ops::takes_f16_input)
  vk::Buffer first_bad_layer_;  // host-visible int32: the first layer with non-finite activations (ops::NonFiniteWatch)
  float attn_factor_ = 1.0f;
  std::vector<vk::DispatchTiming> timings_;
  double host_us_ = 0;
  std::chrono::steady_clock::time_point call_start_;

  std::unique_ptr<GpuAttentionProbe> probe_;  // null: no probe
  int n_past_ = 0;
  // The sliding-window layers hold no position before this one (raised by
  // truncate() and restore_prefix(); a ring also loses what n_past_ overwrote):
  // held_from(). 0 after reset().
  int local_floor_ = 0;
  int held_from(int layer) const;  // the first position `layer` still holds
  bool holds_window_before(int n) const;  // every sliding-window layer holds the window before n
  // The copy behind save_prefix and the checkpoint (windows_only: the
  // sliding-window layers' last window - 1 positions only), and its way back.
  KvPrefix copy_out(int n, bool windows_only) const;
  void write_back(const KvPrefix& prefix);
  void take_window_checkpoint();  // at the mark, from prefill()
  std::optional<KvPrefix> checkpoint_;
  int checkpoint_mark_ = -1;  // where the next prefill takes one; -1: none asked
};

}  // namespace mrrope
