#include "ops/kv_cache_type.h"

#include <stdexcept>

#include "engine/cli_flags.h"

namespace mrrope {

std::optional<KvCacheType> kv_cache_type_from_name(const std::string& name) {
  if (name == "f16") return KvCacheType::F16;
  if (name == "q8_0") return KvCacheType::Q8_0;
  return std::nullopt;
}

const char* kv_cache_type_name(KvCacheType type) { return type == KvCacheType::Q8_0 ? "q8_0" : "f16"; }

KvCacheType parse_kv_cache_flags(std::vector<std::string>& args, KvCacheType defaults) {
  std::optional<KvCacheType> k, v;
  for (const TakenFlag& f : take_flags(args, {"--cache-type-k", "-ctk", "--cache-type-v", "-ctv"})) {
    if (!f.value) throw std::invalid_argument(f.flag + " needs a value (f16 or q8_0)");
    const auto type = kv_cache_type_from_name(*f.value);
    if (!type) throw std::invalid_argument(f.flag + ": unknown KV cache type '" + *f.value + "' (expected f16 or q8_0)");
    (f.flag == "--cache-type-k" || f.flag == "-ctk" ? k : v) = type;
  }
  const KvCacheType kt = k.value_or(defaults), vt = v.value_or(defaults);
  // Mixed types would need a kernel per pair; llama.cpp users set both anyway.
  if (kt != vt)
    throw std::invalid_argument(std::string("--cache-type-k is ") + kv_cache_type_name(kt) +
                                " but --cache-type-v is " + kv_cache_type_name(vt) +
                                ": K and V must have the same type (give both flags the same value)");
  return kt;
}

const char* kv_cache_flags_usage() {
  return "  -ctk, --cache-type-k T  KV cache type for K: f16 (default) or q8_0 (about half the memory)\n"
         "  -ctv, --cache-type-v T  the same for V; K and V must have the same type\n";
}

}  // namespace mrrope
