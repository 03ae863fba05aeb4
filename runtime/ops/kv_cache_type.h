#pragma once
// The storage type of the KV cache, shared by the GPU cache (ops/kv_cache.h),
// the CPU reference (which rounds to it) and the flags that choose it
// (engine/engine_flags.h).
#include <optional>
#include <string>

namespace mrrope {

enum class KvCacheType { F16, Q8_0 };

// "f16" / "q8_0" (llama.cpp's --cache-type-k spelling); nullopt when unknown.
std::optional<KvCacheType> kv_cache_type_from_name(const std::string& name);
// The same, throwing std::invalid_argument "unknown KV cache type 'x' (expected f16 or q8_0)".
KvCacheType parse_kv_cache_type(const std::string& name);
const char* kv_cache_type_name(KvCacheType type);

}  // namespace mrrope
