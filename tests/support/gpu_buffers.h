#pragma once
// Small helpers for moving test data to and from device buffers.
#include <cstdint>
#include <vector>

#include "vulkan/buffer.h"

namespace mrrope::test {

template <class T>
vk::Buffer device_buffer(vk::Context& ctx, const std::vector<T>& data) {
  vk::Buffer b(ctx, data.size() * sizeof(T), vk::MemoryUsage::Device);
  b.write(data.data(), data.size() * sizeof(T));
  return b;
}

inline vk::Buffer zero_buffer(vk::Context& ctx, size_t floats) {
  return device_buffer(ctx, std::vector<float>(floats, 0.0f));
}

// positions[t] = pos0 + t for n tokens, as GpuModel uploads them.
inline vk::Buffer positions_buffer(vk::Context& ctx, uint32_t n, uint32_t pos0) {
  std::vector<int32_t> pos(n);
  for (uint32_t t = 0; t < n; ++t) pos[t] = static_cast<int32_t>(pos0 + t);
  return device_buffer(ctx, pos);
}

template <class T = float>
std::vector<T> read_back(const vk::Buffer& b, size_t count) {
  std::vector<T> v(count);
  b.read(v.data(), count * sizeof(T));
  return v;
}

}  // namespace mrrope::test
