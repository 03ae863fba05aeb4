#include "ops/kv_cache_type.h"

#include <stdexcept>

namespace mrrope {

std::optional<KvCacheType> kv_cache_type_from_name(const std::string& name) {
  if (name == "f16") return KvCacheType::F16;
  if (name == "q8_0") return KvCacheType::Q8_0;
  return std::nullopt;
}

KvCacheType parse_kv_cache_type(const std::string& name) {
  const auto type = kv_cache_type_from_name(name);
  if (!type) throw std::invalid_argument("unknown KV cache type '" + name + "' (expected f16 or q8_0)");
  return *type;
}

const char* kv_cache_type_name(KvCacheType type) { return type == KvCacheType::Q8_0 ? "q8_0" : "f16"; }

}  // namespace mrrope
