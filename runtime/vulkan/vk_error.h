#pragma once
#include <stdexcept>
#include <string>

#include "vulkan/vk_api.h"

namespace mrrope::vk {

// Any Vulkan failure. `result` is VK_SUCCESS for errors found by our own checks.
class VulkanError : public std::runtime_error {
 public:
  VulkanError(const std::string& what, VkResult result = VK_SUCCESS)
      : std::runtime_error(what), result_(result) {}
  VkResult result() const { return result_; }

 private:
  VkResult result_;
};

const char* result_name(VkResult r);

// Throws VulkanError("<what>: <result name>") unless r is VK_SUCCESS.
void check(VkResult r, const char* what);

}  // namespace mrrope::vk
