#pragma once
// The Vulkan instance, the chosen device and its compute queue. Everything
// else in runtime/vulkan hangs off a Context. It knows nothing about models.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "vulkan/device_info.h"
#include "vulkan/vk_api.h"
#include "vulkan/vk_error.h"

namespace mrrope::vk {

class Kernel;
struct KernelDesc;

// Thrown by Context::kernel for a kernel not yet built once the cancel flag of
// a CancelBuildsOn alive on the calling thread is true.
class BuildCancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// While alive, kernel requests from this thread that would build a new
// pipeline throw BuildCancelled once `*cancel` is true. A CPU device (lavapipe)
// takes up to seconds a pipeline and a first prefill chunk builds dozens, so a
// check between chunks alone left a cancel waiting half a minute. Nests.
class CancelBuildsOn {
 public:
  explicit CancelBuildsOn(const std::atomic<bool>* cancel);
  ~CancelBuildsOn();
  CancelBuildsOn(const CancelBuildsOn&) = delete;
  CancelBuildsOn& operator=(const CancelBuildsOn&) = delete;

 private:
  const std::atomic<bool>* previous_;
};

enum class Validation {
  Off,          // no layers
  IfAvailable,  // enable the Khronos validation layer when installed
  Required,     // fail when the layer is missing
};

struct ContextOptions {
  // Picks a device by index ("1") or by part of its name ("llvmpipe"); empty
  // means the MRROPE_DEVICE environment variable, else the most capable device.
  std::string device;
  // MRROPE_VALIDATION=off|on|require overrides this.
  Validation validation =
#ifdef NDEBUG
      Validation::Off;
#else
      Validation::IfAvailable;
#endif
  // Upper bound on one buffer (and one tensor slice), below the device limits;
  // 0 means the device's own. Tests use it to exercise splitting.
  uint64_t max_buffer_bytes = 0;
  // For a windowed app sharing the device: extra instance extensions (the
  // window system's surface), device extensions (swapchain), and a test a
  // device's queue family must pass as well (presentation). A device whose
  // families all fail it, or that lacks a device extension, is not usable.
  std::vector<std::string> instance_extensions;
  std::vector<std::string> device_extensions;
  std::function<bool(VkInstance, VkPhysicalDevice, uint32_t queue_family)> queue_family_ok;
};

class Context {
 public:
  explicit Context(const ContextOptions& options = {});
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Every physical device with its limits. Throws VulkanError when Vulkan is unavailable.
  static std::vector<DeviceInfo> list_devices();

  VkInstance instance() const { return instance_; }
  VkPhysicalDevice physical_device() const { return physical_device_; }
  VkDevice device() const { return device_; }
  VkQueue queue() const { return queue_; }
  uint32_t queue_family() const { return queue_family_; }
  const DeviceInfo& info() const { return info_; }
  bool validation_enabled() const { return messenger_ != VK_NULL_HANDLE; }
  // MRROPE_VALIDATION=require (or the options) asked for validation: a test run.
  bool validation_required() const { return validation_required_; }

  // The largest buffer the runtime creates: min(maxStorageBufferRange,
  // maxMemoryAllocationSize, 1 GiB so shader byte offsets fit in 32 bits, option).
  uint64_t max_buffer_bytes() const { return max_buffer_bytes_; }

  // A memory type index with all `required` flags, preferring ones that also
  // have `preferred`. Throws when none fits.
  uint32_t find_memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                            VkMemoryPropertyFlags preferred = 0) const;
  const VkPhysicalDeviceMemoryProperties& memory_properties() const { return memory_properties_; }

  // Compiled pipelines persist across runs in ~/.cache/mrrope (or
  // $XDG_CACHE_HOME/mrrope); MRROPE_PIPELINE_CACHE=off disables it.
  VkPipelineCache pipeline_cache() const { return pipeline_cache_; }

  // MRROPE_PIPELINE_STATS=1 on a device with VK_KHR_pipeline_executable_properties:
  // every new pipeline prints the driver's statistics (registers, spills,
  // shared memory) to stderr, for kernel tuning.
  bool pipeline_stats() const { return pipeline_stats_; }

  // A compute pipeline for `desc`, created once and cached.
  Kernel& kernel(const KernelDesc& desc);

  // Records with `record` into a one-time command buffer, submits and waits.
  template <class F>
  void run_once(F&& record) {
    std::lock_guard lock(one_time_mutex_);
    VkCommandBuffer cb = begin_one_time();
    record(cb);
    end_one_time(cb);
  }

  // Submits to the queue; safe from several threads.
  void submit(const VkSubmitInfo& info, VkFence fence);
  // The lock submit() takes: hold it around any other use of queue() (an
  // app's vkQueuePresentKHR, vkQueueSubmit or vkDeviceWaitIdle).
  std::mutex& queue_mutex() { return queue_mutex_; }

  // Validation messages (warnings and errors) seen since the last take.
  std::vector<std::string> take_validation_messages();
  size_t validation_message_count() const { return validation_count_.load(); }

  // A yes/no fact about the device that a probe dispatch measures (for example
  // ops::accumulator_rows_in_quads): `probe` runs once per name, later calls
  // return its first answer.
  template <class F>
  bool probed_fact(const std::string& name, F&& probe) {
    std::lock_guard lock(probe_mutex_);
    auto it = probed_facts_.find(name);
    if (it == probed_facts_.end()) it = probed_facts_.emplace(name, probe()).first;
    return it->second;
  }

  // Bytes currently allocated on the device by this context's buffers.
  uint64_t allocated_bytes() const { return allocated_bytes_.load(); }
  void note_allocation(int64_t delta) { allocated_bytes_ += delta; }

 private:
  void destroy();
  void open_pipeline_cache();
  void save_pipeline_cache();
  VkCommandBuffer begin_one_time();
  void end_one_time(VkCommandBuffer cb);
  static VkBool32 VKAPI_PTR on_validation_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                  VkDebugUtilsMessageTypeFlagsEXT types,
                                                  const VkDebugUtilsMessengerCallbackDataEXT* data, void* user);

  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  // Taken from this context's instance: the shared function pointers are
  // reloaded by every new instance, and one without validation leaves the
  // debug-utils ones null.
  PFN_vkDestroyDebugUtilsMessengerEXT destroy_messenger_ = nullptr;
  VkPhysicalDevice physical_device_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  VkCommandPool one_time_pool_ = VK_NULL_HANDLE;
  VkFence one_time_fence_ = VK_NULL_HANDLE;
  VkPipelineCache pipeline_cache_ = VK_NULL_HANDLE;
  bool pipeline_stats_ = false;
  std::string pipeline_cache_path_;
  DeviceInfo info_;
  VkPhysicalDeviceMemoryProperties memory_properties_{};
  uint64_t max_buffer_bytes_ = 0;

  std::mutex mutex_;  // guards the kernel cache and the messages
  std::mutex one_time_mutex_;
  std::mutex queue_mutex_;
  std::map<std::string, std::unique_ptr<Kernel>> kernels_;
  std::mutex probe_mutex_;  // held while a probe runs; probes may create kernels
  std::map<std::string, bool> probed_facts_;
  std::vector<std::string> validation_messages_;
  std::atomic<size_t> validation_count_{0};
  bool validation_required_ = false;
  std::atomic<int64_t> allocated_bytes_{0};
};

}  // namespace mrrope::vk
