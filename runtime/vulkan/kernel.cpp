#include "vulkan/kernel.h"

#include <cstdio>
#include <vector>

#include "vulkan/context.h"
#include "vulkan/shader_registry.h"

namespace mrrope::vk {
namespace {

std::string statistic_value(const VkPipelineExecutableStatisticKHR& s) {
  switch (s.format) {
    case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_BOOL32_KHR: return s.value.b32 ? "true" : "false";
    case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_INT64_KHR: return std::to_string(s.value.i64);
    case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_UINT64_KHR: return std::to_string(s.value.u64);
    case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_FLOAT64_KHR: return std::to_string(s.value.f64);
    default: return "?";
  }
}

// The driver's statistics of each executable of `pipeline`, one line to stderr.
void print_statistics(VkDevice dev, VkPipeline pipeline, const KernelDesc& desc) {
  VkPipelineInfoKHR info{VK_STRUCTURE_TYPE_PIPELINE_INFO_KHR};
  info.pipeline = pipeline;
  uint32_t n = 0;
  if (vkGetPipelineExecutablePropertiesKHR(dev, &info, &n, nullptr) != VK_SUCCESS) return;
  for (uint32_t e = 0; e < n; ++e) {
    VkPipelineExecutableInfoKHR ei{VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_INFO_KHR};
    ei.pipeline = pipeline;
    ei.executableIndex = e;
    uint32_t count = 0;
    if (vkGetPipelineExecutableStatisticsKHR(dev, &ei, &count, nullptr) != VK_SUCCESS) continue;
    std::vector<VkPipelineExecutableStatisticKHR> stats(count, {VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_STATISTIC_KHR});
    if (vkGetPipelineExecutableStatisticsKHR(dev, &ei, &count, stats.data()) != VK_SUCCESS) continue;
    std::string line = "pipeline " + desc.cache_key() + ":";
    for (const auto& s : stats) line += std::string(" [") + s.name + "] " + statistic_value(s);
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

}  // namespace

std::string KernelDesc::cache_key() const {
  std::string key = shader + "|" + std::to_string(bindings.size()) + "|" + std::to_string(push_constant_bytes);
  for (uint32_t c : spec_constants) key += "|" + std::to_string(c);
  return key;
}

Kernel::Kernel(Context& ctx, const KernelDesc& desc) : ctx_(ctx), desc_(desc) {
  const EmbeddedShader& spirv = find_shader(desc.shader);
  if (desc.push_constant_bytes > ctx.info().max_push_constants)
    throw VulkanError("kernel " + desc.shader + " needs more push constants than the device allows");
  VkDevice dev = ctx.device();

  std::vector<VkDescriptorSetLayoutBinding> bindings(desc.bindings.size());
  for (uint32_t i = 0; i < bindings.size(); ++i)
    bindings[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo dl{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  dl.bindingCount = static_cast<uint32_t>(bindings.size());
  dl.pBindings = bindings.data();
  check(vkCreateDescriptorSetLayout(dev, &dl, nullptr, &set_layout_), "vkCreateDescriptorSetLayout");

  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, desc.push_constant_bytes};
  VkPipelineLayoutCreateInfo pl{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  pl.setLayoutCount = 1;
  pl.pSetLayouts = &set_layout_;
  pl.pushConstantRangeCount = desc.push_constant_bytes ? 1 : 0;
  pl.pPushConstantRanges = &range;
  check(vkCreatePipelineLayout(dev, &pl, nullptr, &layout_), "vkCreatePipelineLayout");

  VkShaderModuleCreateInfo smi{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  smi.codeSize = spirv.word_count * 4;
  smi.pCode = spirv.words;
  VkShaderModule module;
  check(vkCreateShaderModule(dev, &smi, nullptr, &module), "vkCreateShaderModule");

  std::vector<VkSpecializationMapEntry> entries(desc.spec_constants.size());
  for (uint32_t i = 0; i < entries.size(); ++i) entries[i] = {i, i * 4u, 4};
  VkSpecializationInfo spec{static_cast<uint32_t>(entries.size()), entries.data(), desc.spec_constants.size() * 4,
                            desc.spec_constants.data()};
  VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  ci.stage.module = module;
  ci.stage.pName = "main";
  ci.stage.pSpecializationInfo = entries.empty() ? nullptr : &spec;
  ci.layout = layout_;
  if (ctx.pipeline_stats()) ci.flags |= VK_PIPELINE_CREATE_CAPTURE_STATISTICS_BIT_KHR;
  const VkResult r = vkCreateComputePipelines(dev, ctx.pipeline_cache(), 1, &ci, nullptr, &pipeline_);
  vkDestroyShaderModule(dev, module, nullptr);
  check(r, ("vkCreateComputePipelines(" + desc.shader + ")").c_str());
  if (ctx.pipeline_stats()) print_statistics(dev, pipeline_, desc);
}

Kernel::~Kernel() {
  VkDevice dev = ctx_.device();
  if (pipeline_) vkDestroyPipeline(dev, pipeline_, nullptr);
  if (layout_) vkDestroyPipelineLayout(dev, layout_, nullptr);
  if (set_layout_) vkDestroyDescriptorSetLayout(dev, set_layout_, nullptr);
}

}  // namespace mrrope::vk
