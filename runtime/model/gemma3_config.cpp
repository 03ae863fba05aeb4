// Gemma 3's and Gemma 2's hyperparameters, read as llama.cpp reads them
// (src/models/gemma3.cpp and gemma2.cpp at d32676d7): the facts, in this
// project's own code.
#include <cmath>
#include <cstdio>

#include "model/model_config.h"

namespace mrrope {
namespace {

[[noreturn]] void fail(const GgufFile& f, const std::string& what) { throw ModelError(f.path() + ": " + what); }

// An optional non-negative integer key; a per-layer array is refused (llama.cpp
// reads these as scalars).
std::optional<int64_t> scalar_int(const GgufFile& f, const std::string& key) {
  const GgufValue* v = f.find(key);
  if (!v) return std::nullopt;
  if (!v->is_integer()) fail(f, "metadata key '" + key + "' must be one integer (a per-layer array is not supported)");
  if (v->as_int() < 0) fail(f, "metadata key '" + key + "' is negative");
  return v->as_int();
}

std::optional<double> finite_float(const GgufFile& f, const std::string& key) {
  const std::optional<double> v = f.get_float(key);
  if (v && !std::isfinite(*v)) fail(f, "metadata key '" + key + "' is not a finite number");
  return v;
}

// The keys Gemma 2 and 3 share, with each one's defaults.
struct GemmaDefaults {
  int64_t window;         // attention.sliding_window when absent (0: every layer global)
  int64_t period;         // attention.sliding_window_pattern when absent
  bool local_base_global; // rope.freq_base_swa defaults to the global base (else 10000)
  double final_cap;       // final_logit_softcapping when absent
  int big_layers;         // the layer count of the model that scales queries by 1 / sqrt(n_embd / n_head)
};

void read_gemma_config(const GgufFile& f, ModelConfig& c, const GemmaDefaults& d) {
  const std::string a = c.arch_name + ".";
  c.embd_scale = std::sqrt(static_cast<float>(c.n_embd));
  c.post_norms = true;
  c.gelu_ffn = true;
  c.neox = true;

  // Without a window every layer is global, as llama.cpp runs such a file.
  const int64_t window = scalar_int(f, a + "attention.sliding_window").value_or(d.window);
  if (window > 0) {
    c.swa_window = static_cast<int>(std::min<int64_t>(window, 1 << 30));
    // Every period-th layer is global (the last of each period), the rest local;
    // a period of 0 makes every layer local.
    const int64_t period = scalar_int(f, a + "attention.sliding_window_pattern").value_or(d.period);
    c.swa_layers.resize(c.n_layer);
    for (int il = 0; il < c.n_layer; ++il) c.swa_layers[il] = period == 0 || il % period < period - 1;
    // (c.rope is read after this: the global base is the file's key, 10000 without it.)
    const double base = d.local_base_global ? finite_float(f, a + "rope.freq_base").value_or(10000.0) : 10000.0;
    c.swa_freq_base = finite_float(f, a + "rope.freq_base_swa").value_or(base);
    if (c.swa_freq_base <= 0) fail(f, "metadata key '" + a + "rope.freq_base_swa' must be positive");
  }

  // The largest model (Gemma 2 27B: 46 layers, Gemma 3 27B: 62) scales queries
  // by 1 / sqrt(n_embd / n_head), the others by 1 / sqrt(head_dim) (Gemma's
  // query_pre_attn_scalar, which the converter does not write).
  c.attn_scale = c.n_layer == d.big_layers ? 1.0 / std::sqrt(double(c.n_embd / c.n_head))
                                           : 1.0 / std::sqrt(double(c.head_dim));

  const double cap = finite_float(f, a + "final_logit_softcapping").value_or(d.final_cap);
  if (cap < 0) fail(f, "metadata key '" + a + "final_logit_softcapping' is negative");
  c.final_logit_softcap = static_cast<float>(cap);
}

}  // namespace

void read_gemma3_config(const GgufFile& f, ModelConfig& c) {
  c.qk_norm = true;
  read_gemma_config(f, c, {0, 6, false, 0.0, 62});
  // gemma3.attn_logit_softcapping, if a file has it, is ignored as llama.cpp
  // ignores it for this architecture (Gemma 3 dropped attention soft-capping).
}

// Gemma 2 (llama.cpp's src/models/gemma2.cpp): no q/k norms; a window of 4096
// on every other layer (period 2: even layers local) with the global RoPE
// base unless the file says otherwise; scores soft-capped at 50 and logits at
// 30 unless the file gives other caps (a cap of 0 turns it off).
void read_gemma2_config(const GgufFile& f, ModelConfig& c) {
  read_gemma_config(f, c, {4096, 2, true, 30.0, 46});
  const std::string key = c.arch_name + ".attn_logit_softcapping";
  const double cap = finite_float(f, key).value_or(50.0);
  if (cap < 0) fail(f, "metadata key '" + key + "' is negative");
  c.attn_logit_softcap = static_cast<float>(cap);
}

bool ModelConfig::has_local_layers() const {
  for (bool local : swa_layers)
    if (local) return true;
  return false;
}

double ModelConfig::query_scale() const { return attn_scale > 0 ? attn_scale : 1.0 / std::sqrt(double(head_dim)); }

std::vector<double> ModelConfig::local_rope_freq() const {
  std::vector<double> freq(rope.n_rot / 2);
  for (size_t i = 0; i < freq.size(); ++i) freq[i] = std::pow(swa_freq_base, -2.0 * double(i) / rope.n_rot);
  return freq;
}

std::string ModelConfig::rope_extension_note() const {
  if (!has_local_layers()) return "";
  int local = 0;
  for (bool l : swa_layers) local += l ? 1 : 0;
  const int global = n_layer - local;
  char base[32];
  std::snprintf(base, sizeof base, "%g", swa_freq_base);
  return arch_name + ": the RoPE method extends only the " + std::to_string(global) + " global layer" +
         (global == 1 ? "" : "s") + " of " + std::to_string(n_layer) + "; the " + std::to_string(local) +
         " sliding-window layer" + (local == 1 ? "" : "s") + " (window " + std::to_string(swa_window) +
         ") keep plain RoPE of base " + base;
}

}  // namespace mrrope
