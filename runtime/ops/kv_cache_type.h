#pragma once
// The storage type of the KV cache, shared by the GPU cache (ops/kv_cache.h),
// the CPU reference (which rounds to it) and the flags that choose it.
#include <optional>
#include <string>
#include <vector>

namespace mrrope {

enum class KvCacheType { F16, Q8_0 };

// "f16" / "q8_0" (llama.cpp's --cache-type-k spelling); nullopt when unknown.
std::optional<KvCacheType> kv_cache_type_from_name(const std::string& name);
const char* kv_cache_type_name(KvCacheType type);

// Removes llama.cpp's --cache-type-k/-ctk and --cache-type-v/-ctv (values
// f16|q8_0, "--flag value" or "--flag=value") from `args`, keeping the rest in
// order, and returns the type. K and V must have the same type. Throws
// std::invalid_argument naming the flag on a missing or unknown value, or
// when the two differ.
KvCacheType parse_kv_cache_flags(std::vector<std::string>& args, KvCacheType defaults = KvCacheType::F16);

// One line per flag, for --help.
const char* kv_cache_flags_usage();

}  // namespace mrrope
