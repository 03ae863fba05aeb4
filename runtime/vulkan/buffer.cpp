#include "vulkan/buffer.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "vulkan/context.h"

namespace mrrope::vk {
namespace {

constexpr uint64_t kStagingChunk = 64ull << 20;

}  // namespace

Buffer::Buffer(Context& ctx, uint64_t bytes, MemoryUsage usage) : ctx_(&ctx), size_(bytes) {
  if (bytes == 0) throw VulkanError("cannot create an empty buffer");
  if (bytes > ctx.max_buffer_bytes())
    throw VulkanError("buffer of " + format_bytes(bytes) + " exceeds the per-buffer limit of " +
                      format_bytes(ctx.max_buffer_bytes()) + " on " + ctx.info().name + "; split it");
  VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bci.size = (bytes + 3) & ~uint64_t{3};  // shaders read whole 32-bit words
  bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  check(vkCreateBuffer(ctx.device(), &bci, nullptr, &buffer_), "vkCreateBuffer");

  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(ctx.device(), buffer_, &req);
  VkMemoryPropertyFlags required = 0, preferred = 0;
  switch (usage) {
    case MemoryUsage::Device:
      required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
      if (ctx.info().unified_memory)
        preferred = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      break;
    case MemoryUsage::Upload:
      required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      break;
    case MemoryUsage::Readback:
      required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
      preferred = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
      break;
  }
  const uint32_t type = ctx.find_memory_type(req.memoryTypeBits, required, preferred);
  const VkMemoryPropertyFlags flags = ctx.memory_properties().memoryTypes[type].propertyFlags;
  VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  ai.allocationSize = req.size;
  ai.memoryTypeIndex = type;
  const VkResult r = vkAllocateMemory(ctx.device(), &ai, nullptr, &memory_);
  if (r != VK_SUCCESS) {
    vkDestroyBuffer(ctx.device(), buffer_, nullptr);
    buffer_ = VK_NULL_HANDLE;
    throw VulkanError("out of memory allocating " + format_bytes(bytes) + " on " + ctx.info().name + " (" +
                          format_bytes(ctx.allocated_bytes()) + " already allocated)", r);
  }
  allocation_size_ = req.size;
  ctx.note_allocation(static_cast<int64_t>(allocation_size_));
  check(vkBindBufferMemory(ctx.device(), buffer_, memory_, 0), "vkBindBufferMemory");
  if (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
    check(vkMapMemory(ctx.device(), memory_, 0, VK_WHOLE_SIZE, 0, &mapped_), "vkMapMemory");
    coherent_ = flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  }
}

Buffer::~Buffer() { release(); }

Buffer::Buffer(Buffer&& o) noexcept { *this = std::move(o); }

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    release();
    ctx_ = std::exchange(o.ctx_, nullptr);
    buffer_ = std::exchange(o.buffer_, VK_NULL_HANDLE);
    memory_ = std::exchange(o.memory_, VK_NULL_HANDLE);
    size_ = std::exchange(o.size_, 0);
    allocation_size_ = std::exchange(o.allocation_size_, 0);
    mapped_ = std::exchange(o.mapped_, nullptr);
    coherent_ = o.coherent_;
  }
  return *this;
}

void Buffer::release() {
  if (!ctx_) return;
  if (buffer_) vkDestroyBuffer(ctx_->device(), buffer_, nullptr);
  if (memory_) {
    vkFreeMemory(ctx_->device(), memory_, nullptr);  // unmaps implicitly
    ctx_->note_allocation(-static_cast<int64_t>(allocation_size_));
  }
  buffer_ = VK_NULL_HANDLE;
  memory_ = VK_NULL_HANDLE;
  mapped_ = nullptr;
  ctx_ = nullptr;
}

void Buffer::write(const void* data, uint64_t bytes, uint64_t offset) {
  if (offset + bytes > size_) throw VulkanError("Buffer::write past the end of the buffer");
  if (bytes == 0) return;
  if (mapped_) {
    std::memcpy(static_cast<uint8_t*>(mapped_) + offset, data, bytes);
    if (!coherent_) {
      VkMappedMemoryRange range{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE, nullptr, memory_, 0, VK_WHOLE_SIZE};
      check(vkFlushMappedMemoryRanges(ctx_->device(), 1, &range), "vkFlushMappedMemoryRanges");
    }
    return;
  }
  Buffer staging(*ctx_, std::min(bytes, kStagingChunk), MemoryUsage::Upload);
  for (uint64_t done = 0; done < bytes;) {
    const uint64_t n = std::min(bytes - done, kStagingChunk);
    std::memcpy(staging.mapped(), static_cast<const uint8_t*>(data) + done, n);
    ctx_->run_once([&](VkCommandBuffer cb) {
      VkBufferCopy region{0, offset + done, n};
      vkCmdCopyBuffer(cb, staging.handle(), buffer_, 1, &region);
    });
    done += n;
  }
}

void Buffer::read(void* data, uint64_t bytes, uint64_t offset) const {
  if (offset + bytes > size_) throw VulkanError("Buffer::read past the end of the buffer");
  if (bytes == 0) return;
  if (mapped_) {
    if (!coherent_) {
      VkMappedMemoryRange range{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE, nullptr, memory_, 0, VK_WHOLE_SIZE};
      check(vkInvalidateMappedMemoryRanges(ctx_->device(), 1, &range), "vkInvalidateMappedMemoryRanges");
    }
    std::memcpy(data, static_cast<const uint8_t*>(mapped_) + offset, bytes);
    return;
  }
  Buffer staging(*ctx_, std::min(bytes, kStagingChunk), MemoryUsage::Readback);
  for (uint64_t done = 0; done < bytes;) {
    const uint64_t n = std::min(bytes - done, kStagingChunk);
    ctx_->run_once([&](VkCommandBuffer cb) {
      VkBufferCopy region{offset + done, 0, n};
      vkCmdCopyBuffer(cb, buffer_, staging.handle(), 1, &region);
      VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, nullptr, 0, nullptr);
    });
    staging.read(static_cast<uint8_t*>(data) + done, n);
    done += n;
  }
}

}  // namespace mrrope::vk
