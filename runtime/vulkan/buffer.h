#pragma once
// A VkBuffer with its own memory. Device buffers live in device-local memory
// (mappable on unified-memory devices such as lavapipe); staging buffers in
// host-visible memory. Move-only, freed on destruction.
#include <cstdint>
#include <span>

#include "vulkan/vk_api.h"

namespace mrrope::vk {

class Context;

enum class MemoryUsage {
  Device,    // GPU-resident; mapped too when the device has unified memory
  Upload,    // host-visible, write-combined: host writes, GPU reads
  Readback,  // host-visible, cached when possible: GPU writes, host reads
};

class Buffer {
 public:
  Buffer() = default;
  // Throws VulkanError when `bytes` exceeds Context::max_buffer_bytes() or memory runs out.
  Buffer(Context& ctx, uint64_t bytes, MemoryUsage usage);
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  VkBuffer handle() const { return buffer_; }
  uint64_t size() const { return size_; }
  bool valid() const { return buffer_ != VK_NULL_HANDLE; }
  // Host pointer to the contents, or nullptr when the memory is not host-visible.
  void* mapped() const { return mapped_; }

  // Copies host data in or out, through a staging buffer when not mapped.
  void write(const void* data, uint64_t bytes, uint64_t offset = 0);
  void read(void* data, uint64_t bytes, uint64_t offset = 0) const;
  template <class T>
  void write(std::span<const T> data, uint64_t offset = 0) { write(data.data(), data.size_bytes(), offset); }

 private:
  void release();
  Context* ctx_ = nullptr;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  uint64_t size_ = 0;
  uint64_t allocation_size_ = 0;
  void* mapped_ = nullptr;
  bool coherent_ = true;
};

}  // namespace mrrope::vk
