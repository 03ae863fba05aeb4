#pragma once
// The decoder's view of a model file: architecture, shapes, and every weight
// tensor bound by llama.cpp's names with its shape checked. Supported:
// `llama` (Llama 2/3/3.1/3.2, Mistral; grouped-query attention; tied or
// separate output) and `qwen2` (q/k/v biases, NeoX pair layout).
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

enum class Architecture { Llama, Qwen2 };

struct ModelConfig {
  Architecture arch = Architecture::Llama;
  std::string arch_name;
  int n_vocab = 0, n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, head_dim = 0, n_ff = 0;
  int n_ctx_train = 0;
  float rms_eps = 1e-5f;
  bool neox = false;      // rotary pair layout (i, i + D/2)
  bool qkv_bias = false;  // qwen2
  bool tied_output = false;
  RopeModelParams rope;   // what the file says about its rotary embedding

  int q_dim() const { return n_head * head_dim; }
  int kv_dim() const { return n_head_kv * head_dim; }

  // Throws ModelError naming the architecture when it is not supported.
  static ModelConfig from_gguf(const GgufFile& file);
};

// One weight tensor inside the (memory-mapped) file.
struct TensorView {
  const GgufTensorInfo* info = nullptr;
  std::span<const uint8_t> data;
  explicit operator bool() const { return info != nullptr; }
  GgmlType type() const { return info->type; }
  int64_t cols() const { return info->ne[0]; }
  int64_t rows() const { return info->rows(); }
};

struct LayerTensors {
  TensorView attn_norm, wq, wk, wv, wo, bq, bk, bv, ffn_norm, w_gate, w_up, w_down;
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

// Frequencies of a schedule, per pair: theta_i / (f_i * s_i), in double.
std::vector<double> rope_frequencies(const RopeModelParams& model, const RopeTable& table);

}  // namespace mrrope
