#pragma once
// Synthetic model files in memory, and the rope schedule for a method.
#include <string>

#include "gguf/gguf_file.h"
#include "model/model_config.h"
#include "model/synthetic_model.h"
#include "rope/rope_schedule.h"

namespace mrrope::test {

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
