#include "vulkan/vk_api.h"

#include <dlfcn.h>

#include <mutex>

namespace mrrope::vk {

#define MRROPE_VK_DEFINE(name) PFN_##name name = nullptr;
MRROPE_VK_GLOBAL_FUNCTIONS(MRROPE_VK_DEFINE)
MRROPE_VK_INSTANCE_FUNCTIONS(MRROPE_VK_DEFINE)
#undef MRROPE_VK_DEFINE
namespace {

PFN_vkGetInstanceProcAddr g_get_instance_proc_addr = nullptr;

}  // namespace

bool load_vulkan_loader(std::string* error) {
  static std::once_flag once;
  static std::string load_error;
  std::call_once(once, [] {
    void* lib = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libvulkan.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      load_error = "the Vulkan loader (libvulkan.so.1) is not installed; install libvulkan1 and a driver "
                   "(e.g. mesa-vulkan-drivers)";
      return;
    }
    g_get_instance_proc_addr = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(lib, "vkGetInstanceProcAddr"));
    if (!g_get_instance_proc_addr) {
      load_error = "the Vulkan loader does not export vkGetInstanceProcAddr";
      return;
    }
#define MRROPE_VK_LOAD_GLOBAL(name) name = reinterpret_cast<PFN_##name>(g_get_instance_proc_addr(nullptr, #name));
    MRROPE_VK_GLOBAL_FUNCTIONS(MRROPE_VK_LOAD_GLOBAL)
#undef MRROPE_VK_LOAD_GLOBAL
    if (!vkCreateInstance) load_error = "the Vulkan loader does not provide vkCreateInstance";
  });
  if (!load_error.empty() && error) *error = load_error;
  return load_error.empty();
}

void load_instance_functions(VkInstance instance) {
#define MRROPE_VK_LOAD_INSTANCE(name) name = reinterpret_cast<PFN_##name>(g_get_instance_proc_addr(instance, #name));
  MRROPE_VK_INSTANCE_FUNCTIONS(MRROPE_VK_LOAD_INSTANCE)
#undef MRROPE_VK_LOAD_INSTANCE
}

PFN_vkGetInstanceProcAddr instance_proc_addr() { return g_get_instance_proc_addr; }

}  // namespace mrrope::vk
