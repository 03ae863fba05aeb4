#pragma once
// The Vulkan entry points the runtime uses, loaded at run time from the system
// loader (libvulkan.so.1) so that a machine without Vulkan gets a clear error
// rather than failing to start. Code calls them by their usual names.
#include <string>
#include <vulkan/vulkan.h>

#define MRROPE_VK_GLOBAL_FUNCTIONS(X)      \
  X(vkCreateInstance)                      \
  X(vkEnumerateInstanceExtensionProperties) \
  X(vkEnumerateInstanceLayerProperties)    \
  X(vkEnumerateInstanceVersion)

#define MRROPE_VK_INSTANCE_FUNCTIONS(X)        \
  X(vkDestroyInstance)                         \
  X(vkEnumeratePhysicalDevices)                \
  X(vkGetPhysicalDeviceProperties)             \
  X(vkGetPhysicalDeviceProperties2)            \
  X(vkGetPhysicalDeviceFeatures2)              \
  X(vkGetPhysicalDeviceMemoryProperties)       \
  X(vkGetPhysicalDeviceQueueFamilyProperties)  \
  X(vkEnumerateDeviceExtensionProperties)      \
  X(vkCreateDevice)                            \
  X(vkGetDeviceProcAddr)                       \
  X(vkCreateDebugUtilsMessengerEXT)            \
  X(vkDestroyDebugUtilsMessengerEXT)           \
  X(vkDestroyDevice)                           \
  X(vkGetDeviceQueue)                          \
  X(vkDeviceWaitIdle)                          \
  X(vkCreateBuffer)                            \
  X(vkDestroyBuffer)                           \
  X(vkGetBufferMemoryRequirements)             \
  X(vkAllocateMemory)                          \
  X(vkFreeMemory)                              \
  X(vkBindBufferMemory)                        \
  X(vkMapMemory)                               \
  X(vkUnmapMemory)                             \
  X(vkFlushMappedMemoryRanges)                 \
  X(vkInvalidateMappedMemoryRanges)            \
  X(vkCreateShaderModule)                      \
  X(vkDestroyShaderModule)                     \
  X(vkCreateDescriptorSetLayout)               \
  X(vkDestroyDescriptorSetLayout)              \
  X(vkCreatePipelineLayout)                    \
  X(vkDestroyPipelineLayout)                   \
  X(vkCreateComputePipelines)                  \
  X(vkDestroyPipeline)                         \
  X(vkCreateDescriptorPool)                    \
  X(vkDestroyDescriptorPool)                   \
  X(vkAllocateDescriptorSets)                  \
  X(vkUpdateDescriptorSets)                    \
  X(vkCreateCommandPool)                       \
  X(vkDestroyCommandPool)                      \
  X(vkAllocateCommandBuffers)                  \
  X(vkFreeCommandBuffers)                      \
  X(vkBeginCommandBuffer)                      \
  X(vkEndCommandBuffer)                        \
  X(vkResetCommandBuffer)                      \
  X(vkCmdBindPipeline)                         \
  X(vkCmdBindDescriptorSets)                   \
  X(vkCmdPushConstants)                        \
  X(vkCmdDispatch)                             \
  X(vkCmdPipelineBarrier)                      \
  X(vkCmdCopyBuffer)                           \
  X(vkCmdFillBuffer)                           \
  X(vkCmdWriteTimestamp)                       \
  X(vkCmdResetQueryPool)                       \
  X(vkCreateQueryPool)                         \
  X(vkDestroyQueryPool)                        \
  X(vkGetQueryPoolResults)                     \
  X(vkCreateFence)                             \
  X(vkDestroyFence)                            \
  X(vkWaitForFences)                           \
  X(vkResetFences)                             \
  X(vkGetFenceStatus)                          \
  X(vkQueueSubmit)                             \
  X(vkQueueWaitIdle)                           \
  X(vkResetDescriptorPool)                     \
  X(vkCreatePipelineCache)                     \
  X(vkDestroyPipelineCache)                    \
  X(vkGetPipelineCacheData)                    \
  X(vkGetPhysicalDeviceCooperativeMatrixPropertiesNV) \
  X(vkGetPipelineExecutablePropertiesKHR)            \
  X(vkGetPipelineExecutableStatisticsKHR)

namespace mrrope::vk {

// Function pointers with the usual names, inside this namespace so they never
// collide with the C symbols of libvulkan that other libraries (the ImGui
// Vulkan backend) link against.
#define MRROPE_VK_DECLARE(name) extern PFN_##name name;
MRROPE_VK_GLOBAL_FUNCTIONS(MRROPE_VK_DECLARE)
MRROPE_VK_INSTANCE_FUNCTIONS(MRROPE_VK_DECLARE)
#undef MRROPE_VK_DECLARE

// Opens the Vulkan loader once. Returns false and fills `error` with a
// one-line reason when no loader is installed.
bool load_vulkan_loader(std::string* error);

// Resolves the instance-level (and, through the loader's trampolines, device-level)
// entry points for `instance`. Missing optional ones (debug utils) stay null.
void load_instance_functions(VkInstance instance);

// The loader's vkGetInstanceProcAddr (for the ImGui backend and other users).
PFN_vkGetInstanceProcAddr instance_proc_addr();

}  // namespace mrrope::vk
