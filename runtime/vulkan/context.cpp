#include "vulkan/context.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "vulkan/kernel.h"

namespace mrrope::vk {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";
constexpr uint64_t kShaderOffsetLimit = 1ull << 30;  // shaders index bytes with 32-bit unsigned ints

Validation validation_from_env(Validation fallback) {
  const char* v = std::getenv("MRROPE_VALIDATION");
  if (!v) return fallback;
  std::string s(v);
  if (s == "off" || s == "0") return Validation::Off;
  if (s == "on" || s == "1") return Validation::IfAvailable;
  if (s == "require" || s == "required") return Validation::Required;
  throw VulkanError("MRROPE_VALIDATION must be off, on or require (got '" + s + "')");
}

bool has_layer(const char* name) {
  uint32_t n = 0;
  vkEnumerateInstanceLayerProperties(&n, nullptr);
  std::vector<VkLayerProperties> layers(n);
  vkEnumerateInstanceLayerProperties(&n, layers.data());
  for (const auto& l : layers)
    if (std::strcmp(l.layerName, name) == 0) return true;
  return false;
}

bool has_instance_extension(const char* name) {
  uint32_t n = 0;
  vkEnumerateInstanceExtensionProperties(nullptr, &n, nullptr);
  std::vector<VkExtensionProperties> exts(n);
  vkEnumerateInstanceExtensionProperties(nullptr, &n, exts.data());
  for (const auto& e : exts)
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

VkInstance create_instance(bool validation, bool debug_utils, const std::vector<std::string>& extra_extensions = {}) {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "mrrope";
  app.pEngineName = "mrrope";
  app.apiVersion = VK_API_VERSION_1_2;

  std::vector<const char*> layers, extensions;
  if (validation) layers.push_back(kValidationLayer);
  if (debug_utils) extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  for (const auto& e : extra_extensions) {
    if (!has_instance_extension(e.c_str())) throw VulkanError("the Vulkan instance lacks the extension " + e);
    extensions.push_back(e.c_str());
  }
  VkInstanceCreateInfo ci{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  // Lets the loader list portability (e.g. MoltenVK) drivers too.
  if (has_instance_extension(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME)) {
    extensions.push_back(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
    ci.flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
  }
  ci.pApplicationInfo = &app;
  ci.enabledLayerCount = static_cast<uint32_t>(layers.size());
  ci.ppEnabledLayerNames = layers.data();
  ci.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  ci.ppEnabledExtensionNames = extensions.data();
  VkInstance instance = VK_NULL_HANDLE;
  check(vkCreateInstance(&ci, nullptr, &instance), "vkCreateInstance");
  load_instance_functions(instance);
  return instance;
}

void require_loader() {
  std::string error;
  if (!load_vulkan_loader(&error)) throw VulkanError(error);
}

const char* type_name(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "CPU";
    default: return "other";
  }
}

// The queue family the runtime uses: compute-capable, preferring one that can
// also draw (the app shares it with the swapchain) and has timestamps.
using QueueFamilyFilter = std::function<bool(VkPhysicalDevice, uint32_t)>;

int pick_queue_family(VkPhysicalDevice pd, uint32_t* timestamp_bits, const QueueFamilyFilter& ok = {}) {
  uint32_t n = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, nullptr);
  std::vector<VkQueueFamilyProperties> families(n);
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, families.data());
  int best = -1, best_score = -1;
  for (uint32_t i = 0; i < n; ++i) {
    if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)) continue;
    if (ok && !ok(pd, i)) continue;
    const int score = ((families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) ? 2 : 0) +
                      (families[i].timestampValidBits > 0 ? 1 : 0);
    if (score > best_score) best = static_cast<int>(i), best_score = score;
  }
  if (best >= 0) *timestamp_bits = families[best].timestampValidBits;
  return best;
}

bool has_device_extension(VkPhysicalDevice pd, const std::string& name) {
  uint32_t n = 0;
  vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, nullptr);
  std::vector<VkExtensionProperties> exts(n);
  vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, exts.data());
  for (const auto& e : exts)
    if (name == e.extensionName) return true;
  return false;
}

// The optional device features the kernels use when present: fp16 and int8
// arithmetic, 8/16-bit storage, packed integer dot products and NVIDIA's
// cooperative matrices. query() reads what the device has; the same chain,
// with unsupported bits left false, enables them at device creation.
struct OptionalFeatures {
  VkPhysicalDevice8BitStorageFeatures s8{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES};
  VkPhysicalDevice16BitStorageFeatures s16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
  VkPhysicalDeviceShaderFloat16Int8Features f16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
  VkPhysicalDeviceShaderIntegerDotProductFeatures dot{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES};
  VkPhysicalDeviceCooperativeMatrixFeaturesNV coopmat{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV};
  // glslang declares the Vulkan memory model in every cooperative-matrix shader.
  VkPhysicalDeviceVulkanMemoryModelFeatures memory_model{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_MEMORY_MODEL_FEATURES};
  VkPhysicalDevicePipelineExecutablePropertiesFeaturesKHR executables{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PIPELINE_EXECUTABLE_PROPERTIES_FEATURES_KHR};
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  bool has_dot = false, has_coopmat = false, has_executables = false;

  void chain(VkPhysicalDevice pd) {
    has_dot = has_device_extension(pd, VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
    has_coopmat = has_device_extension(pd, VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME);
    s8.pNext = &memory_model;
    s16.pNext = &s8;
    f16.pNext = &s16;
    void* head = &f16;
    if (has_dot) dot.pNext = head, head = &dot;
    if (has_coopmat) coopmat.pNext = head, head = &coopmat;
    // Only asked for: capturing statistics may slow pipeline creation.
    has_executables = std::getenv("MRROPE_PIPELINE_STATS") != nullptr &&
                      has_device_extension(pd, VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME);
    if (has_executables) executables.pNext = head, head = &executables;
    features.pNext = head;
  }
  void query(VkPhysicalDevice pd) {
    chain(pd);
    vkGetPhysicalDeviceFeatures2(pd, &features);
  }
  // Keeps only what the runtime uses, so no unneeded feature is switched on.
  void keep_used() {
    const VkPhysicalDeviceFeatures2 all = features;
    features.features = {};
    features.features.shaderInt16 = all.features.shaderInt16;
    s8.uniformAndStorageBuffer8BitAccess = s8.storagePushConstant8 = VK_FALSE;
    s16.uniformAndStorageBuffer16BitAccess = s16.storagePushConstant16 = s16.storageInputOutput16 = VK_FALSE;
    coopmat.cooperativeMatrixRobustBufferAccess = VK_FALSE;
    memory_model.vulkanMemoryModelAvailabilityVisibilityChains = VK_FALSE;
  }
  bool statistics() const { return has_executables && executables.pipelineExecutableInfo; }
  std::vector<const char*> extensions() const {
    std::vector<const char*> out;
    if (has_dot && dot.shaderIntegerDotProduct) out.push_back(VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
    if (has_coopmat && coopmat.cooperativeMatrix) out.push_back(VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME);
    if (statistics()) out.push_back(VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME);
    return out;
  }
};

DeviceInfo describe(VkPhysicalDevice pd, uint32_t index, const QueueFamilyFilter& family_ok = {},
                    const std::vector<std::string>& device_extensions = {}) {
  DeviceInfo d;
  d.index = index;
  VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES, &driver};
  VkPhysicalDeviceMaintenance3Properties maint3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES, &subgroup};
  VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &maint3};
  vkGetPhysicalDeviceProperties2(pd, &props);
  const VkPhysicalDeviceLimits& lim = props.properties.limits;
  d.name = props.properties.deviceName;
  d.type = type_name(props.properties.deviceType);
  d.vendor_id = props.properties.vendorID;
  d.device_id = props.properties.deviceID;
  d.api_version = props.properties.apiVersion;
  d.driver = std::string(driver.driverName) + " " + driver.driverInfo;
  d.max_storage_buffer_range = lim.maxStorageBufferRange;
  d.max_memory_allocation_size = maint3.maxMemoryAllocationSize;
  for (int i = 0; i < 3; ++i) {
    d.max_workgroup_count[i] = lim.maxComputeWorkGroupCount[i];
    d.max_workgroup_size[i] = lim.maxComputeWorkGroupSize[i];
  }
  d.max_workgroup_invocations = lim.maxComputeWorkGroupInvocations;
  d.max_shared_memory = lim.maxComputeSharedMemorySize;
  d.min_storage_buffer_offset_alignment = std::max<uint64_t>(1, lim.minStorageBufferOffsetAlignment);
  d.max_push_constants = lim.maxPushConstantsSize;
  d.subgroup_size = subgroup.subgroupSize;
  d.subgroup_arithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                          (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
  d.subgroup_shuffle = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                       (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT);

  VkPhysicalDeviceMemoryProperties mem;
  vkGetPhysicalDeviceMemoryProperties(pd, &mem);
  for (uint32_t h = 0; h < mem.memoryHeapCount; ++h)
    if (mem.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
      d.device_local_bytes = std::max<uint64_t>(d.device_local_bytes, mem.memoryHeaps[h].size);
  for (uint32_t t = 0; t < mem.memoryTypeCount; ++t) {
    const auto f = mem.memoryTypes[t].propertyFlags;
    if ((f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) && (f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) &&
        mem.memoryHeaps[mem.memoryTypes[t].heapIndex].size >= d.device_local_bytes)
      d.unified_memory = true;
  }

  OptionalFeatures f;
  f.query(pd);
  d.shader_float16 = f.f16.shaderFloat16;
  d.shader_int8 = f.f16.shaderInt8;
  d.storage_16bit = f.s16.storageBuffer16BitAccess;
  d.storage_8bit = f.s8.storageBuffer8BitAccess;
  d.integer_dot_product = f.has_dot && f.dot.shaderIntegerDotProduct;
  if (d.integer_dot_product) {
    VkPhysicalDeviceShaderIntegerDotProductProperties dp{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_PROPERTIES};
    VkPhysicalDeviceProperties2 p2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &dp};
    vkGetPhysicalDeviceProperties2(pd, &p2);
    d.integer_dot_accelerated = dp.integerDotProduct4x8BitPackedSignedAccelerated;
  }
  if (f.has_coopmat && f.coopmat.cooperativeMatrix && vkGetPhysicalDeviceCooperativeMatrixPropertiesNV &&
      d.shader_float16 && d.storage_16bit && f.memory_model.vulkanMemoryModel) {
    uint32_t n = 0;
    vkGetPhysicalDeviceCooperativeMatrixPropertiesNV(pd, &n, nullptr);
    std::vector<VkCooperativeMatrixPropertiesNV> shapes(n, {VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV});
    vkGetPhysicalDeviceCooperativeMatrixPropertiesNV(pd, &n, shapes.data());
    for (const auto& s : shapes)
      if (s.scope == VK_SCOPE_SUBGROUP_NV && s.AType == VK_COMPONENT_TYPE_FLOAT16_NV &&
          s.BType == VK_COMPONENT_TYPE_FLOAT16_NV && s.CType == VK_COMPONENT_TYPE_FLOAT32_NV &&
          s.DType == VK_COMPONENT_TYPE_FLOAT32_NV) {
        const bool m16k16 = s.MSize == 16 && s.KSize == 16;
        d.coopmat_16x16x16 |= m16k16 && s.NSize == 16;
        d.coopmat_16x8x16 |= m16k16 && s.NSize == 8;
        if (s.MSize * s.NSize * s.KSize > d.coopmat_m * d.coopmat_n * d.coopmat_k) {
          d.coopmat_m = s.MSize, d.coopmat_n = s.NSize, d.coopmat_k = s.KSize;
          d.coopmat_nv = true;
        }
      }
  }

  uint32_t timestamp_bits = 0;
  const int family = pick_queue_family(pd, &timestamp_bits, family_ok);
  d.timestamp_period_ns = timestamp_bits > 0 ? lim.timestampPeriod : 0.f;
  if (VK_API_VERSION_MINOR(d.api_version) < 2 && VK_API_VERSION_MAJOR(d.api_version) == 1)
    d.unusable_reason = "needs Vulkan 1.2, device has " + d.api_version_string();
  else if (family < 0)
    d.unusable_reason = family_ok ? "no compute queue that passes the queue family test (e.g. presentation)"
                                  : "no compute queue";
  for (const auto& e : device_extensions)
    if (d.unusable_reason.empty() && !has_device_extension(pd, e)) d.unusable_reason = "lacks the extension " + e;
  d.usable = d.unusable_reason.empty();
  return d;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Index into `devices` of the one to use, honouring a selector (index or name part).
size_t choose_device(const std::vector<DeviceInfo>& devices, const std::string& selector) {
  if (!selector.empty()) {
    const bool numeric = std::all_of(selector.begin(), selector.end(), [](char c) { return std::isdigit(c); });
    for (size_t i = 0; i < devices.size(); ++i) {
      const bool match = numeric ? std::to_string(devices[i].index) == selector
                                 : lower(devices[i].name).find(lower(selector)) != std::string::npos;
      if (!match) continue;
      if (!devices[i].usable)
        throw VulkanError("Vulkan device '" + devices[i].name + "' cannot be used: " + devices[i].unusable_reason);
      return i;
    }
    throw VulkanError("no Vulkan device matches '" + selector + "' (see `mrrope-cli devices`)");
  }
  size_t best = devices.size();
  for (size_t i = 0; i < devices.size(); ++i)
    if (devices[i].usable && (best == devices.size() || devices[i].preference_rank() < devices[best].preference_rank()))
      best = i;
  if (best == devices.size()) {
    std::string why = devices.empty() ? "no Vulkan device found (is a driver such as mesa-vulkan-drivers installed?)"
                                      : "no usable Vulkan device:";
    for (const auto& d : devices) why += " " + d.name + " (" + d.unusable_reason + ")";
    throw VulkanError(why);
  }
  return best;
}

std::vector<VkPhysicalDevice> physical_devices(VkInstance instance) {
  uint32_t n = 0;
  check(vkEnumeratePhysicalDevices(instance, &n, nullptr), "vkEnumeratePhysicalDevices");
  std::vector<VkPhysicalDevice> pds(n);
  check(vkEnumeratePhysicalDevices(instance, &n, pds.data()), "vkEnumeratePhysicalDevices");
  return pds;
}

}  // namespace

std::vector<DeviceInfo> Context::list_devices() {
  require_loader();
  VkInstance instance = create_instance(false, false);
  std::vector<DeviceInfo> out;
  const auto pds = physical_devices(instance);
  for (uint32_t i = 0; i < pds.size(); ++i) out.push_back(describe(pds[i], i));
  vkDestroyInstance(instance, nullptr);
  return out;
}

Context::Context(const ContextOptions& options) {
  require_loader();
  const Validation validation = validation_from_env(options.validation);
  const bool layer_present = validation != Validation::Off && has_layer(kValidationLayer);
  if (validation == Validation::Required && !layer_present)
    throw VulkanError("validation was required but VK_LAYER_KHRONOS_validation is not installed "
                      "(Debian package vulkan-validationlayers)");
  const bool use_validation = layer_present;
  validation_required_ = validation == Validation::Required;
  instance_ = create_instance(use_validation, use_validation, options.instance_extensions);
  QueueFamilyFilter family_ok;
  if (options.queue_family_ok)
    family_ok = [this, &options](VkPhysicalDevice pd, uint32_t family) { return options.queue_family_ok(instance_, pd, family); };

  try {
    if (use_validation) {
      VkDebugUtilsMessengerCreateInfoEXT mci{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
      mci.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
      mci.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                        VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
      mci.pfnUserCallback = &Context::on_validation_message;
      mci.pUserData = this;
      check(vkCreateDebugUtilsMessengerEXT(instance_, &mci, nullptr, &messenger_), "vkCreateDebugUtilsMessengerEXT");
      destroy_messenger_ = vkDestroyDebugUtilsMessengerEXT;
    }

    const auto pds = physical_devices(instance_);
    std::vector<DeviceInfo> devices;
    for (uint32_t i = 0; i < pds.size(); ++i) devices.push_back(describe(pds[i], i, family_ok, options.device_extensions));
    std::string selector = options.device;
    if (selector.empty())
      if (const char* env = std::getenv("MRROPE_DEVICE")) selector = env;
    const size_t chosen = choose_device(devices, selector);
    physical_device_ = pds[chosen];
    info_ = devices[chosen];
    vkGetPhysicalDeviceMemoryProperties(physical_device_, &memory_properties_);

    uint32_t timestamp_bits = 0;
    queue_family_ = static_cast<uint32_t>(pick_queue_family(physical_device_, &timestamp_bits, family_ok));
    const float priority = 1.0f;
    VkDeviceQueueCreateInfo qci{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    qci.queueFamilyIndex = queue_family_;
    qci.queueCount = 1;
    qci.pQueuePriorities = &priority;
    VkDeviceCreateInfo dci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    dci.queueCreateInfoCount = 1;
    dci.pQueueCreateInfos = &qci;
    OptionalFeatures features;
    features.query(physical_device_);
    features.keep_used();
    std::vector<const char*> device_extensions = features.extensions();
    for (const auto& e : options.device_extensions) device_extensions.push_back(e.c_str());
    dci.pNext = &features.features;
    dci.enabledExtensionCount = static_cast<uint32_t>(device_extensions.size());
    dci.ppEnabledExtensionNames = device_extensions.data();
    check(vkCreateDevice(physical_device_, &dci, nullptr, &device_), "vkCreateDevice");
    pipeline_stats_ = features.statistics() && vkGetPipelineExecutablePropertiesKHR &&
                      vkGetPipelineExecutableStatisticsKHR;
    vkGetDeviceQueue(device_, queue_family_, 0, &queue_);

    VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pci.queueFamilyIndex = queue_family_;
    check(vkCreateCommandPool(device_, &pci, nullptr, &one_time_pool_), "vkCreateCommandPool");
    VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    check(vkCreateFence(device_, &fci, nullptr, &one_time_fence_), "vkCreateFence");

    open_pipeline_cache();
    max_buffer_bytes_ = std::min({info_.max_storage_buffer_range, info_.max_memory_allocation_size, kShaderOffsetLimit});
    if (options.max_buffer_bytes) max_buffer_bytes_ = std::min(max_buffer_bytes_, options.max_buffer_bytes);
    max_buffer_bytes_ &= ~uint64_t{255};  // keep slices 256-byte aligned
  } catch (...) {
    destroy();
    throw;
  }
}

Context::~Context() { destroy(); }

void Context::submit(const VkSubmitInfo& info, VkFence fence) {
  std::lock_guard lock(queue_mutex_);
  check(vkQueueSubmit(queue_, 1, &info, fence), "vkQueueSubmit");
}

void Context::destroy() {
  if (device_) {
    vkDeviceWaitIdle(device_);
    kernels_.clear();
    if (pipeline_cache_) {
      save_pipeline_cache();
      vkDestroyPipelineCache(device_, pipeline_cache_, nullptr);
      pipeline_cache_ = VK_NULL_HANDLE;
    }
    if (one_time_fence_) vkDestroyFence(device_, one_time_fence_, nullptr);
    if (one_time_pool_) vkDestroyCommandPool(device_, one_time_pool_, nullptr);
    vkDestroyDevice(device_, nullptr);
    device_ = VK_NULL_HANDLE;
  }
  if (messenger_ && destroy_messenger_) destroy_messenger_(instance_, messenger_, nullptr);
  messenger_ = VK_NULL_HANDLE;
  if (instance_) vkDestroyInstance(instance_, nullptr);
  instance_ = VK_NULL_HANDLE;
}

VkBool32 VKAPI_PTR Context::on_validation_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                  VkDebugUtilsMessageTypeFlagsEXT, const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                  void* user) {
  auto* self = static_cast<Context*>(user);
  const char* level = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) ? "error" : "warning";
  std::string msg = std::string("[vulkan validation ") + level + "] " + (data && data->pMessage ? data->pMessage : "");
  std::fprintf(stderr, "%s\n", msg.c_str());
  std::lock_guard lock(self->mutex_);
  self->validation_messages_.push_back(std::move(msg));
  ++self->validation_count_;
  return VK_FALSE;
}

std::vector<std::string> Context::take_validation_messages() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  out.swap(validation_messages_);
  return out;
}

uint32_t Context::find_memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                                   VkMemoryPropertyFlags preferred) const {
  int fallback = -1;
  for (uint32_t i = 0; i < memory_properties_.memoryTypeCount; ++i) {
    if (!(type_bits & (1u << i))) continue;
    const auto flags = memory_properties_.memoryTypes[i].propertyFlags;
    if ((flags & required) != required) continue;
    if ((flags & preferred) == preferred) return i;
    if (fallback < 0) fallback = static_cast<int>(i);
  }
  if (fallback < 0) throw VulkanError("no Vulkan memory type with the required properties");
  return static_cast<uint32_t>(fallback);
}

void Context::open_pipeline_cache() {
  std::vector<char> initial;
  const char* off = std::getenv("MRROPE_PIPELINE_CACHE");
  if (!(off && std::string(off) == "off")) {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    const std::string dir = xdg && *xdg ? std::string(xdg) + "/mrrope" : home ? std::string(home) + "/.cache/mrrope" : "";
    if (!dir.empty()) {
      char name[96];
      std::snprintf(name, sizeof name, "/pipelines-%04x-%04x.bin", info_.vendor_id, info_.device_id);
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      pipeline_cache_path_ = dir + name;
      std::ifstream in(pipeline_cache_path_, std::ios::binary);
      initial.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  // The driver checks the header (vendor, device, driver UUID) and ignores a stale cache.
  VkPipelineCacheCreateInfo ci{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
  ci.initialDataSize = initial.size();
  ci.pInitialData = initial.empty() ? nullptr : initial.data();
  if (vkCreatePipelineCache(device_, &ci, nullptr, &pipeline_cache_) != VK_SUCCESS) {
    ci.initialDataSize = 0;
    ci.pInitialData = nullptr;
    check(vkCreatePipelineCache(device_, &ci, nullptr, &pipeline_cache_), "vkCreatePipelineCache");
  }
}

void Context::save_pipeline_cache() {
  if (pipeline_cache_path_.empty()) return;
  size_t size = 0;
  if (vkGetPipelineCacheData(device_, pipeline_cache_, &size, nullptr) != VK_SUCCESS || size == 0) return;
  std::vector<char> data(size);
  if (vkGetPipelineCacheData(device_, pipeline_cache_, &size, data.data()) != VK_SUCCESS) return;
  // Written beside and renamed, so concurrent runs never read a torn file.
  const std::string tmp = pipeline_cache_path_ + "." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(size));
    if (!out) return;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, pipeline_cache_path_, ec);
}

namespace {
thread_local const std::atomic<bool>* t_build_cancel = nullptr;  // CancelBuildsOn's flag on this thread
}  // namespace

CancelBuildsOn::CancelBuildsOn(const std::atomic<bool>* cancel) : previous_(t_build_cancel) {
  t_build_cancel = cancel;
}

CancelBuildsOn::~CancelBuildsOn() { t_build_cancel = previous_; }

Kernel& Context::kernel(const KernelDesc& desc) {
  const std::string key = desc.cache_key();
  std::lock_guard lock(mutex_);
  auto it = kernels_.find(key);
  if (it == kernels_.end()) {
    if (t_build_cancel && t_build_cancel->load()) throw BuildCancelled("cancelled before building " + desc.shader);
    it = kernels_.emplace(key, std::make_unique<Kernel>(*this, desc)).first;
  }
  return *it->second;
}

VkCommandBuffer Context::begin_one_time() {
  VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  ai.commandPool = one_time_pool_;
  ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  ai.commandBufferCount = 1;
  VkCommandBuffer cb;
  check(vkAllocateCommandBuffers(device_, &ai, &cb), "vkAllocateCommandBuffers");
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  check(vkBeginCommandBuffer(cb, &bi), "vkBeginCommandBuffer");
  return cb;
}

void Context::end_one_time(VkCommandBuffer cb) {
  check(vkEndCommandBuffer(cb), "vkEndCommandBuffer");
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb;
  check(vkResetFences(device_, 1, &one_time_fence_), "vkResetFences");
  submit(si, one_time_fence_);
  check(vkWaitForFences(device_, 1, &one_time_fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  vkFreeCommandBuffers(device_, one_time_pool_, 1, &cb);
}

}  // namespace mrrope::vk
