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
  uint64_t min_storage_buffer_offset_alignment = 256;  // a binding's offset must be a multiple
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
  bool subgroup_shuffle = false;     // subgroupShuffleXor etc. in compute shaders
  float timestamp_period_ns = 0;  // 0 when the compute queue has no timestamps
  bool shader_float16 = false, shader_int8 = false, storage_16bit = false, storage_8bit = false;
  // Packed 4x8-bit integer dot products (VK_KHR_shader_integer_dot_product),
  // and whether the driver says they run faster than the emulation.
  bool integer_dot_product = false, integer_dot_accelerated = false;
  // VK_NV_cooperative_matrix with an fp16 x fp16 -> fp32 subgroup shape (the
  // matrix units used for prefill); the largest such shape, M x N x K.
  bool coopmat_nv = false;
  uint32_t coopmat_m = 0, coopmat_n = 0, coopmat_k = 0;
  // Whether the fp16 x fp16 -> fp32 shapes the attention kernel can use are among them.
  bool coopmat_16x16x16 = false, coopmat_16x8x16 = false;

  std::string api_version_string() const;
  int preference_rank() const;  // lower is preferred: discrete, integrated, virtual, CPU
};

std::string format_bytes(uint64_t bytes);

}  // namespace mrrope::vk
