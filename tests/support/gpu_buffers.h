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

template <class T = float>
std::vector<T> read_back(const vk::Buffer& b, size_t count) {
  std::vector<T> v(count);
  b.read(v.data(), count * sizeof(T));
  return v;
}

}  // namespace mrrope::test
