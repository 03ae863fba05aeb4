#pragma once
// GGUF files with random weights in a chosen architecture and weight type,
// written through the project's GGUF writer. Tests use small ones to compare
// the Vulkan decoder with the CPU reference; benchmarks use full-size shapes.
#include <cstdint>
#include <string>
#include <vector>

#include "gguf/gguf_writer.h"
#include "quant/ggml_type.h"

namespace mrrope {

struct SyntheticModelSpec {
  // "llama", "qwen2" (q/k/v biases), "qwen3" (per-head q/k norms), "phi3"
  // (fused gate-up; fused QKV by default), "gemma3" (q/k norms, post norms) or
  // "gemma2" (post norms)
  std::string arch = "llama";
  bool fused_qkv = false;                // attn_qkv.weight instead of attn_q/k/v (always for phi3)
  int n_vocab = 256, n_embd = 128, n_layer = 2, n_head = 2, n_head_kv = 1, n_ff = 256, n_ctx_train = 512;
  int head_dim = 64;
  double freq_base = 10000;
  GgmlType weight_type = GgmlType::F16;  // matrices and token embedding
  bool tied_output = false;
  std::vector<float> rope_freqs;         // rope_freqs.weight when not empty
  std::string native_scaling;            // ARCH.rope.scaling.type when not empty
  double native_factor = 0;
  int native_orig_ctx = 0;
  float attn_factor = 0;                 // ARCH.rope.scaling.attn_factor when not 0
  // LongRoPE: rope_factors_long.weight / rope_factors_short.weight when not empty (D/2 each).
  std::vector<float> longrope_long, longrope_short;
  // gemma2/3: ARCH.attention.sliding_window / sliding_window_pattern, rope.freq_base_swa,
  // final_logit_softcapping and attn_logit_softcapping, each written when not 0.
  int swa_window = 0, swa_pattern = 0;
  double swa_freq_base = 0;
  float final_logit_softcap = 0;
  float attn_logit_softcap = 0;
  uint32_t seed = 1;
  float weight_scale = 0.08f;  // uniform in [-scale, scale]
  // Benchmark mode: fill quantized blocks with random bytes and small scales
  // instead of quantizing floats, so full-size models are made in seconds.
  bool random_blocks = false;
  // Q4_K_M's mix (llama.cpp): Q6_K for attn_v, ffn_down and output when
  // weight_type is Q4_K.
  bool q4_k_m_mix = false;
};

// Shapes of Llama-3-8B (vocabulary 128256, 32 layers, GQA 32/8, FFN 14336).
SyntheticModelSpec llama3_8b_shapes(GgmlType type);

GgufWriter make_synthetic_model(const SyntheticModelSpec& spec);

}  // namespace mrrope
