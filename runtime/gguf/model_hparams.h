#pragma once
// Model hyperparameters read from GGUF metadata with llama.cpp's key names
// (llama-arch.cpp: "%s.context_length", ...) and llama.cpp's defaults.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "gguf/gguf_file.h"

namespace mrrope {

enum class RopeScalingType { None, Linear, Yarn, LongRope };
const char* rope_scaling_name(RopeScalingType t);

struct RopeHParams {
  int64_t n_rot = 0;          // ARCH.rope.dimension_count, default head_dim
  double freq_base = 10000.0;  // ARCH.rope.freq_base
  // ARCH.rope.scaling.type. When absent llama.cpp assumes "linear"; a factor of
  // 1 is then no scaling at all, which we report as None.
  RopeScalingType scaling_type = RopeScalingType::None;
  double scaling_factor = 1.0;        // ARCH.rope.scaling.factor, else ARCH.rope.scale_linear; 0 means 1
  int64_t original_ctx = 0;           // ARCH.rope.scaling.original_context_length, default n_ctx_train
  double attn_factor = 1.0;           // ARCH.rope.scaling.attn_factor
  bool finetuned = false;             // ARCH.rope.scaling.finetuned
  // YaRN parameters, only when the file stores them (llama.cpp's context
  // parameters supply defaults otherwise).
  std::optional<double> yarn_ext_factor;   // ARCH.rope.scaling.yarn_ext_factor
  std::optional<double> yarn_attn_factor;  // ARCH.rope.scaling.yarn_attn_factor
  std::optional<double> yarn_beta_fast;    // ARCH.rope.scaling.yarn_beta_fast
  std::optional<double> yarn_beta_slow;    // ARCH.rope.scaling.yarn_beta_slow
  bool has_rope_freqs = false;             // a rope_freqs.weight tensor (per-dimension factors, Llama 3.1)
};

struct ModelHParams {
  std::string architecture;  // general.architecture
  std::string name;          // general.name
  int64_t n_vocab = 0;       // tokenizer.ggml.tokens length, else ARCH.vocab_size
  int64_t n_ctx_train = 0;   // ARCH.context_length
  int64_t n_embd = 0;        // ARCH.embedding_length
  int64_t n_layer = 0;       // ARCH.block_count
  int64_t n_ff = 0;          // ARCH.feed_forward_length (largest, when per layer)
  int64_t n_head = 0;        // ARCH.attention.head_count (largest, when per layer)
  int64_t n_head_kv = 0;     // ARCH.attention.head_count_kv, default n_head
  int64_t head_dim = 0;      // ARCH.attention.key_length, default n_embd / n_head
  int64_t head_dim_v = 0;    // ARCH.attention.value_length, default head_dim
  double rms_norm_eps = 1e-5;  // ARCH.attention.layer_norm_rms_epsilon
  RopeHParams rope;

  std::optional<int64_t> file_type;     // general.file_type (llama_ftype)
  std::string file_type_name;           // "Q4_0", "MOSTLY_F16"...; empty when absent
  std::map<GgmlType, int> weight_types;  // tensor type -> count, over *.weight tensors of 2+ dims
  std::string quantization;             // most common of weight_types ("" without tensors)
  int64_t n_params = 0;                 // total elements of all tensors
  uint64_t n_bytes = 0;                 // total tensor data bytes

  // Reads everything above. For llama, qwen2, qwen3, phi3, gemma2 and gemma3 the keys those models need are
  // required (GgufError naming the key otherwise); other architectures are read
  // as far as their keys go.
  static ModelHParams from_gguf(const GgufFile& file);
};

// llama.cpp's name for a general.file_type value ("MOSTLY_Q4_K_M"), or "unknown (N)".
std::string llama_ftype_name(int64_t ftype);

}  // namespace mrrope
