#pragma once
// A compute pipeline built from one embedded shader: its storage-buffer
// bindings (with how each is accessed, for barrier placement), its push
// constant size and its specialization constants (constant_id = position).
#include <cstdint>
#include <string>
#include <vector>

#include "vulkan/vk_api.h"

namespace mrrope::vk {

class Context;

enum class Access : uint8_t { Read, Write, ReadWrite };

struct KernelDesc {
  std::string shader;              // name registered in shaders/shader_variants.cmake
  std::vector<Access> bindings;    // binding i of set 0 is a storage buffer
  uint32_t push_constant_bytes = 0;
  std::vector<uint32_t> spec_constants;  // constant_id i gets spec_constants[i]

  std::string cache_key() const;
};

class Kernel {
 public:
  Kernel(Context& ctx, const KernelDesc& desc);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  const KernelDesc& desc() const { return desc_; }
  VkPipeline pipeline() const { return pipeline_; }
  VkPipelineLayout layout() const { return layout_; }
  VkDescriptorSetLayout set_layout() const { return set_layout_; }

 private:
  Context& ctx_;
  KernelDesc desc_;
  VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
};

}  // namespace mrrope::vk
