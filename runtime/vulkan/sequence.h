#pragma once
// A command buffer holding a whole sequence of dispatches (e.g. one forward
// pass), submitted at once. Barriers are placed automatically: a dispatch that
// reads or writes a buffer written since the last barrier, or writes one read
// since then, gets a compute-to-compute memory barrier first. A sequence can
// be recorded once and submitted many times.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "vulkan/buffer.h"
#include "vulkan/kernel.h"
#include "vulkan/vk_api.h"

namespace mrrope::vk {

class Context;

// A binding: a buffer or a byte range of one.
struct BufferRef {
  const Buffer* buffer = nullptr;
  uint64_t offset = 0;
  uint64_t size = VK_WHOLE_SIZE;
  BufferRef() = default;
  BufferRef(const Buffer& b) : buffer(&b) {}  // NOLINT: implicit on purpose
  BufferRef(const Buffer& b, uint64_t off, uint64_t sz) : buffer(&b), offset(off), size(sz) {}
};

struct SequenceOptions {
  bool timestamps = false;       // write a GPU timestamp after every dispatch
  uint32_t max_timestamps = 4096;
};

struct DispatchTiming {
  std::string label;
  double microseconds;
};

class Sequence {
 public:
  explicit Sequence(Context& ctx, const SequenceOptions& options = {});
  ~Sequence();
  Sequence(const Sequence&) = delete;
  Sequence& operator=(const Sequence&) = delete;

  // Starts (or restarts) recording; previous contents are discarded.
  void begin();
  void dispatch(Kernel& kernel, std::span<const BufferRef> bindings, const void* push, uint32_t push_bytes,
                uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1, const char* label = nullptr);
  void dispatch(Kernel& kernel, std::initializer_list<BufferRef> bindings, const void* push, uint32_t push_bytes,
                uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1, const char* label = nullptr) {
    dispatch(kernel, std::span<const BufferRef>(bindings.begin(), bindings.size()), push, push_bytes, groups_x,
             groups_y, groups_z, label);
  }
  template <class P>
  void dispatch(Kernel& kernel, std::initializer_list<BufferRef> bindings, const P& push, uint32_t gx,
                uint32_t gy = 1, uint32_t gz = 1, const char* label = nullptr) {
    // A pointer here would be pushed as itself (8 bytes): pass push bytes explicitly.
    static_assert(!std::is_pointer_v<P> && !std::is_null_pointer_v<P>, "push constants by value, or (ptr, bytes)");
    dispatch(kernel, bindings, &push, sizeof(P), gx, gy, gz, label);
  }
  void copy(const Buffer& src, uint64_t src_offset, const Buffer& dst, uint64_t dst_offset, uint64_t bytes);
  void fill(const Buffer& dst, uint64_t offset, uint64_t bytes, uint32_t value);
  // Makes all earlier writes visible to later commands (used rarely; barriers are automatic).
  void barrier();
  void end();

  // Submits and waits for completion. Throws VulkanError on device loss.
  void run();
  // Submits without waiting; poll with done() or block with wait().
  void submit();
  bool done() const;
  void wait();

  Context& context() const { return ctx_; }
  uint32_t dispatch_count() const { return dispatches_; }
  // Per-dispatch GPU times of the last completed run (needs timestamps).
  std::vector<DispatchTiming> timings() const;

 private:
  void hazard_check(const Kernel& kernel, std::span<const BufferRef> bindings);
  void hazard_check_transfer(VkBuffer src, VkBuffer dst);
  VkDescriptorSet allocate_set(VkDescriptorSetLayout layout);
  void write_timestamp(const char* label);

  Context& ctx_;
  SequenceOptions options_;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkCommandBuffer cb_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
  VkQueryPool queries_ = VK_NULL_HANDLE;
  std::vector<VkDescriptorPool> descriptor_pools_;
  size_t pools_used_ = 0;  // pools [0, pools_used_) hold this recording's sets
  uint32_t sets_in_last_pool_ = 0;
  bool recording_ = false, submitted_ = false;
  uint32_t dispatches_ = 0;
  std::vector<std::string> timestamp_labels_;
  std::unordered_set<VkBuffer> written_since_barrier_, read_since_barrier_;
};

}  // namespace mrrope::vk
