#pragma once
// The decoder's view of a model file: architecture, shapes, and every weight
// tensor bound by llama.cpp's names with its shape checked. Supported:
// `llama` (Llama 2/3/3.1/3.2, Mistral; grouped-query attention; tied or
// separate output), `qwen2` (q/k/v biases, NeoX pair layout), `qwen3`
// (per-head RMSNorm of q and k before RoPE) and `phi3` (Phi-3, Phi-3.5,
// Phi-4-mini: fused gate-up, LongRoPE factors), `gemma3` (embeddings
// scaled by sqrt(n_embd), per-head q/k norms, post-attention and post-FFN
// norms, GeGLU, interleaved sliding-window layers with their own RoPE base)
// and `gemma2` (as gemma3 without q/k norms, with attention-logit and final
// soft-capping, local and global layers alternating).
// A fused attn_qkv tensor is accepted for every architecture and bound as
// three row ranges.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/model_hparams.h"
#include "rope/rope_schedule.h"

namespace mrrope {

class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Architecture { Llama, Qwen2, Qwen3, Phi3, Gemma2, Gemma3 };

struct ModelConfig {
  Architecture arch = Architecture::Llama;
  std::string arch_name;
  int n_vocab = 0, n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, head_dim = 0, n_ff = 0;
  int n_ctx_train = 0;
  float rms_eps = 1e-5f;
  bool neox = false;      // rotary pair layout (i, i + D/2)
  bool qkv_bias = false;  // qwen2
  bool qk_norm = false;   // qwen3: RMSNorm over each head of q and k (weights of head_dim)
  bool fused_gate_up = false;  // phi3: ffn_up holds gate rows then up rows
  bool tied_output = false;
  RopeModelParams rope;   // what the file says about its rotary embedding (global layers)

  // Gemma 2 and 3 (defaults leave every other architecture as it was).
  float embd_scale = 1.0f;       // token embeddings are multiplied by it: sqrt(n_embd)
  bool post_norms = false;       // attn_post_norm on the attention output, ffn_post_norm on the FFN's
  bool gelu_ffn = false;         // GeGLU: gelu_tanh(gate) * up instead of silu(gate) * up
  double attn_scale = 0;         // q . k multiplier; 0 = 1 / sqrt(head_dim)
  float final_logit_softcap = 0; // logits = c * tanh(logits / c) when > 0
  float attn_logit_softcap = 0;  // gemma2: scores (q . k * query_scale()) = c * tanh(score / c) before softmax when > 0
  // Sliding-window (local) layers: they see the last swa_window keys, rotate
  // with plain RoPE of base swa_freq_base and are not extended by any method.
  int swa_window = 0;
  std::vector<bool> swa_layers;  // per layer; empty = every layer global
  double swa_freq_base = 10000;

  int q_dim() const { return n_head * head_dim; }
  int kv_dim() const { return n_head_kv * head_dim; }
  bool is_local(int layer) const { return !swa_layers.empty() && swa_layers[layer]; }
  bool has_local_layers() const;
  // The attention scale the decoder applies: attn_scale, or 1 / sqrt(head_dim).
  double query_scale() const;
  // Plain RoPE frequencies of the local layers: swa_freq_base^(-2i / n_rot).
  std::vector<double> local_rope_freq() const;
  // One line for the method panel and `mrrope-cli info` when some layers are
  // not extended by the RoPE method (gemma3's sliding-window layers); "" otherwise.
  std::string rope_extension_note() const;

  // Throws ModelError naming the architecture when it is not supported.
  static ModelConfig from_gguf(const GgufFile& file);
};

// One weight tensor inside the (memory-mapped) file, or a range of its rows
// (a part of a fused tensor): data, cols and rows describe that part.
struct TensorView {
  const GgufTensorInfo* info = nullptr;
  std::span<const uint8_t> data;
  int64_t n_cols = 0, n_rows = 0;
  explicit operator bool() const { return info != nullptr; }
  GgmlType type() const { return info->type; }
  int64_t cols() const { return n_cols; }
  int64_t rows() const { return n_rows; }
  // Rows [begin, begin + count) of a matrix, or elements of a vector (rows 1).
  TensorView part(int64_t begin, int64_t count) const;
};

struct LayerTensors {
  TensorView attn_norm, wq, wk, wv, wo, bq, bk, bv, q_norm, k_norm, ffn_norm, w_gate, w_up, w_down;
  TensorView attn_post_norm, ffn_post_norm;  // gemma3
  // Every view, for sums over a layer (unset ones are empty).
  std::vector<const TensorView*> all() const {
    return {&attn_norm, &wq, &wk, &wv, &wo, &bq, &bk, &bv, &q_norm, &k_norm, &ffn_norm, &w_gate, &w_up, &w_down,
            &attn_post_norm, &ffn_post_norm};
  }
};

struct ModelTensors {
  TensorView tok_embd, output_norm, output;  // output is tok_embd when tied
  std::vector<LayerTensors> layers;

  // Binds every tensor the config needs, checking its shape and type; a
  // missing or misshapen tensor is a ModelError naming it.
  static ModelTensors bind(const GgufFile& file, const ModelConfig& config);
};

// The RoPE parameters of a file, for the schedule module.
RopeModelParams rope_model_params(const GgufFile& file, const ModelHParams& hp, bool neox);

// Gemma 3's keys (model/gemma3_config.cpp): sliding window and its layer
// pattern, the local RoPE base, the attention scale and logit soft-capping.
void read_gemma3_config(const GgufFile& file, ModelConfig& config);
// Gemma 2's (same file): the same keys with Gemma 2's defaults (window 4096,
// period 2, local base = the global one, final cap 30) and attention-logit
// soft-capping (default 50).
void read_gemma2_config(const GgufFile& file, ModelConfig& config);

}  // namespace mrrope
