#include "vulkan/vk_error.h"

namespace mrrope::vk {

const char* result_name(VkResult r) {
  switch (r) {
#define CASE(x) case x: return #x;
    CASE(VK_SUCCESS) CASE(VK_NOT_READY) CASE(VK_TIMEOUT) CASE(VK_INCOMPLETE)
    CASE(VK_ERROR_OUT_OF_HOST_MEMORY) CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    CASE(VK_ERROR_INITIALIZATION_FAILED) CASE(VK_ERROR_DEVICE_LOST) CASE(VK_ERROR_MEMORY_MAP_FAILED)
    CASE(VK_ERROR_LAYER_NOT_PRESENT) CASE(VK_ERROR_EXTENSION_NOT_PRESENT) CASE(VK_ERROR_FEATURE_NOT_PRESENT)
    CASE(VK_ERROR_INCOMPATIBLE_DRIVER) CASE(VK_ERROR_TOO_MANY_OBJECTS) CASE(VK_ERROR_FORMAT_NOT_SUPPORTED)
    CASE(VK_ERROR_FRAGMENTED_POOL) CASE(VK_ERROR_OUT_OF_POOL_MEMORY) CASE(VK_ERROR_UNKNOWN)
#undef CASE
    default: return "VK_ERROR_(unrecognized)";
  }
}

void check(VkResult r, const char* what) {
  if (r != VK_SUCCESS) throw VulkanError(std::string(what) + ": " + result_name(r), r);
}

}  // namespace mrrope::vk
