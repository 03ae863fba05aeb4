#pragma once
// Which weight types a file's tensors use, and whether the decoder reads each
// one, known before anything is loaded: for `mrrope-cli info` and the app's
// model panel. The loader (ModelTensors::bind) refuses with the same test.
#include <cstdint>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"

namespace mrrope {

struct WeightTypeUse {
  GgmlType type = GgmlType::F32;
  int tensors = 0;
  uint64_t bytes = 0;
  bool supported = false;    // the CPU reference and the GPU kernels both read it
  std::string first_tensor;  // one tensor of this type, for messages
};

// Whether the decoder reads a weight type: one of the GPU's types
// (ops/weight_kernels.def, through ops/weight_types.h) that the CPU reference
// dequantizes too. The loader's check (ModelTensors::bind) and the list below.
bool decoder_reads_weight_type(GgmlType type);

// One entry per type present, most tensors first (ties: the type's id).
std::vector<WeightTypeUse> weight_type_uses(const GgufFile& file);

// Whether the decoder would take this file: "" when it binds, else the
// loader's refusal (architecture, missing or misshapen tensor, type).
std::string decoder_refusal(const GgufFile& file);

}  // namespace mrrope
