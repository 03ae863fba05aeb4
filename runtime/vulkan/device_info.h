#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mrrope::vk {

// What the runtime needs to know about one physical device, and what
// `mrrope-cli devices` prints.
struct DeviceInfo {
  uint32_t index = 0;
  std::string name;
  std::string type;  // "discrete GPU", "integrated GPU", "virtual GPU", "CPU", "other"
  std::string driver;
  uint32_t vendor_id = 0, device_id = 0;
  uint32_t api_version = 0;
  bool usable = false;           // meets the runtime's requirements
  std::string unusable_reason;   // why not, when !usable

  uint64_t max_storage_buffer_range = 0;
  uint64_t max_memory_allocation_size = 0;
  uint64_t device_local_bytes = 0;  // largest device-local heap
  bool unified_memory = false;      // device-local memory that the host can map
  uint32_t max_workgroup_count[3] = {};
  uint32_t max_workgroup_size[3] = {};
  uint32_t max_workgroup_invocations = 0;
  uint32_t max_shared_memory = 0;
  uint32_t max_push_constants = 0;
  uint32_t subgroup_size = 0;
  bool subgroup_arithmetic = false;  // subgroupAdd etc. in compute shaders
  float timestamp_period_ns = 0;  // 0 when the compute queue has no timestamps
  bool shader_float16 = false, shader_int8 = false, storage_16bit = false, storage_8bit = false;

  std::string api_version_string() const;
  int preference_rank() const;  // lower is preferred: discrete, integrated, virtual, CPU
};

std::string format_bytes(uint64_t bytes);

}  // namespace mrrope::vk
