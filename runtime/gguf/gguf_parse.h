#pragma once
// Internal: the GGUF byte-level parser behind GgufFile. It reads a complete
// file image that the caller keeps alive and validates every field; it never
// reads outside [data, data + size).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gguf/gguf_file.h"

namespace mrrope::gguf_detail {

struct ParsedGguf {
  uint32_t version = 0;
  uint64_t alignment = kGgufDefaultAlignment;
  uint64_t data_offset = 0;
  std::vector<std::pair<std::string, GgufValue>> metadata;
  std::vector<GgufTensorInfo> tensors;
};

// `name` goes at the front of every error message.
ParsedGguf parse_gguf(const uint8_t* data, uint64_t size, const std::string& name);

}  // namespace mrrope::gguf_detail
