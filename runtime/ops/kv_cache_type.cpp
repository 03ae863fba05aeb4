#include "ops/kv_cache_type.h"

#include <stdexcept>

namespace mrrope {

std::optional<KvCacheType> kv_cache_type_from_name(const std::string& name) {
  if (name == "f16") return KvCacheType::F16;
  if (name == "q8_0") return KvCacheType::Q8_0;
  return std::nullopt;
}

const char* kv_cache_type_name(KvCacheType type) { return type == KvCacheType::Q8_0 ? "q8_0" : "f16"; }

KvCacheType parse_kv_cache_flags(std::vector<std::string>& args, KvCacheType defaults) {
  std::optional<KvCacheType> k, v;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const size_t eq = a.find('=');
    const std::string flag = a.substr(0, eq);
    const bool is_k = flag == "--cache-type-k" || flag == "-ctk";
    const bool is_v = flag == "--cache-type-v" || flag == "-ctv";
    if (!is_k && !is_v) {
      rest.push_back(a);
      continue;
    }
    std::string value;
    if (eq != std::string::npos) value = a.substr(eq + 1);
    else if (i + 1 < args.size()) value = args[++i];
    else throw std::invalid_argument(flag + " needs a value (f16 or q8_0)");
    const auto type = kv_cache_type_from_name(value);
    if (!type) throw std::invalid_argument(flag + ": unknown KV cache type '" + value + "' (expected f16 or q8_0)");
    (is_k ? k : v) = type;
  }
  const KvCacheType kt = k.value_or(defaults), vt = v.value_or(defaults);
  // Mixed types would need a kernel per pair; llama.cpp users set both anyway.
  if (kt != vt)
    throw std::invalid_argument(std::string("--cache-type-k is ") + kv_cache_type_name(kt) +
                                " but --cache-type-v is " + kv_cache_type_name(vt) +
                                ": K and V must have the same type (give both flags the same value)");
  args = rest;
  return kt;
}

const char* kv_cache_flags_usage() {
  return "  -ctk, --cache-type-k T  KV cache type for K: f16 (default) or q8_0 (about half the memory)\n"
         "  -ctv, --cache-type-v T  the same for V; K and V must have the same type\n";
}

}  // namespace mrrope
