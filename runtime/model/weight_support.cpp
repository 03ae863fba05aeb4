#include "model/weight_support.h"

#include <algorithm>
#include <map>

#include "gguf/model_hparams.h"
#include "model/model_config.h"
#include "ops/weight_types.h"
#include "quant/quantize.h"

namespace mrrope {

bool decoder_reads_weight_type(GgmlType type) { return ops::is_gpu_weight_type(type) && can_dequantize(type); }

std::vector<WeightTypeUse> weight_type_uses(const GgufFile& file) {
  std::map<GgmlType, WeightTypeUse> by_type;
  for (const GgufTensorInfo& t : file.tensors()) {
    WeightTypeUse& use = by_type[t.type];
    if (use.tensors == 0) {
      use.type = t.type;
      use.first_tensor = t.name;
      use.supported = decoder_reads_weight_type(t.type);
    }
    ++use.tensors;
    use.bytes += t.bytes;
  }
  std::vector<WeightTypeUse> out;
  for (auto& [type, use] : by_type) out.push_back(use);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.tensors > b.tensors; });
  return out;
}

std::string decoder_refusal(const GgufFile& file) {
  try {
    ModelTensors::bind(file, ModelConfig::from_gguf(file));
  } catch (const ModelError& e) {
    return e.what();
  } catch (const GgufError& e) {  // metadata the architecture needs
    return e.what();
  }
  return "";
}

}  // namespace mrrope
