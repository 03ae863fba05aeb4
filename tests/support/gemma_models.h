#pragma once
// Small gemma2 and gemma3 files shared by their config and decoder tests; each
// test adds what its architecture differs in.
#include <string>

#include "model/model_config.h"
#include "support/model_files.h"

namespace mrrope::test {

// The config tests' model: 4 layers of 4 heads (2 KV heads) of 32, tied output.
inline SyntheticModelSpec gemma_config_spec(const std::string& arch) {
  SyntheticModelSpec spec;
  spec.arch = arch;
  spec.n_layer = 4;
  spec.n_head = 4;
  spec.n_head_kv = 2;
  spec.head_dim = 32;
  spec.tied_output = true;
  return spec;
}

// The query scale of spec with n_layer layers (the 27B models are known by
// their count), shaped so that n_embd / n_head (32) differs from head_dim (64).
inline double query_scale_with_layers(SyntheticModelSpec spec, int n_layer) {
  spec.n_layer = n_layer;
  spec.n_embd = 128;
  spec.n_ff = 32;
  spec.n_vocab = 32;
  spec.head_dim = 64;
  return ModelConfig::from_gguf(synthetic_gguf(spec)).query_scale();
}

// The decoder tests' model (small_decoder_spec) with a window of 20 on the
// local layers, shorter than the tests' contexts, and final-logit capping at 8.
inline SyntheticModelSpec gemma_decoder_spec(const std::string& arch, GgmlType type) {
  SyntheticModelSpec spec = small_decoder_spec(arch, type);
  spec.swa_window = 20;
  spec.tied_output = true;
  spec.final_logit_softcap = 8;
  return spec;
}

// The window-sized KV tests' model (issue 14): 4 layers of 4 heads (2 KV
// heads) of 64, a window of 20; gemma3's layers local, local, global, local,
// gemma2's alternating (with attention-logit capping at 2).
inline SyntheticModelSpec gemma_window_spec(const std::string& arch) {
  SyntheticModelSpec spec;
  spec.arch = arch;
  spec.n_embd = 256;
  spec.n_ff = 256;
  spec.n_head = 4;
  spec.n_head_kv = 2;
  spec.head_dim = 64;
  spec.n_layer = 4;
  spec.swa_window = 20;
  spec.swa_pattern = arch == "gemma3" ? 3 : 2;
  spec.tied_output = true;
  spec.freq_base = 10000;
  if (arch == "gemma2") spec.attn_logit_softcap = 2;
  return spec;
}

}  // namespace mrrope::test
