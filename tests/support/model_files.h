#pragma once
// Synthetic model files in memory, the binding error of one, and the rope
// schedule for a method.
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "model/model_config.h"
#include "model/synthetic_model.h"
#include "rope/rope_schedule.h"

namespace mrrope::test {

// What binding the file written by `w` (as m.gguf) refuses with; "" when it binds.
inline std::string bind_error(const GgufWriter& w) {
  const GgufFile f = GgufFile::parse(w.to_bytes(), "m.gguf");
  try {
    ModelTensors::bind(f, ModelConfig::from_gguf(f));
  } catch (const ModelError& e) {
    return e.what();
  }
  return "";
}

// A small tied-output llama whose output.weight is Q8_K (ggml's intermediate
// for dot products, a type no preset writes), which the decoder does not read.
inline GgufWriter model_with_unsupported_output() {
  SyntheticModelSpec spec;
  spec.n_embd = 256;
  spec.tied_output = true;
  GgufWriter w = make_synthetic_model(spec);
  const std::vector<uint8_t> blocks(size_t(292) * spec.n_vocab, 0);  // Q8_K: 292 bytes per 256 elements
  w.add_tensor("output.weight", GgmlType::Q8_K, {spec.n_embd, spec.n_vocab}, blocks);
  return w;
}

// The decoder tests' small model: 256 wide (a multiple of every block size),
// an FFN of 512, 4 query heads sharing 2 KV heads.
inline SyntheticModelSpec small_decoder_spec(const std::string& arch = "llama", GgmlType type = GgmlType::F16) {
  SyntheticModelSpec spec;
  spec.arch = arch;
  spec.weight_type = type;
  spec.n_embd = 256;
  spec.n_ff = 512;
  spec.n_head = 4;
  spec.n_head_kv = 2;
  return spec;
}

// spec's file claiming to be an `arch` model: its keys renamed to arch's, its
// tensors as spec.arch writes them (for refusals of missing or unused tensors).
inline GgufWriter relabelled(const SyntheticModelSpec& spec, const std::string& arch) {
  GgufWriter w = make_synthetic_model(spec);
  const std::string from = spec.arch + ".";
  const auto keys = w.metadata();
  for (const auto& [key, value] : keys)
    if (key.rfind(from, 0) == 0) w.remove(key), w.set(arch + "." + key.substr(from.size()), value);
  w.set_string("general.architecture", arch);
  return w;
}

inline GgufFile synthetic_gguf(const SyntheticModelSpec& spec) {
  const auto bytes = make_synthetic_model(spec).to_bytes();
  return GgufFile::parse(bytes, "synthetic-" + spec.arch + ".gguf");
}

inline RopeTable schedule(const ModelConfig& c, const std::string& method, double scale) {
  RopeParams p;
  p.method = parse_rope_method(method);
  p.scale = scale;
  return build_rope_table(c.rope, p, 0);
}

}  // namespace mrrope::test
