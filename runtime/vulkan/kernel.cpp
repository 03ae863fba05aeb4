#include "vulkan/kernel.h"

#include "vulkan/context.h"
#include "vulkan/shader_registry.h"

namespace mrrope::vk {

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
  const VkResult r = vkCreateComputePipelines(dev, ctx.pipeline_cache(), 1, &ci, nullptr, &pipeline_);
  vkDestroyShaderModule(dev, module, nullptr);
  check(r, ("vkCreateComputePipelines(" + desc.shader + ")").c_str());
}

Kernel::~Kernel() {
  VkDevice dev = ctx_.device();
  if (pipeline_) vkDestroyPipeline(dev, pipeline_, nullptr);
  if (layout_) vkDestroyPipelineLayout(dev, layout_, nullptr);
  if (set_layout_) vkDestroyDescriptorSetLayout(dev, set_layout_, nullptr);
}

}  // namespace mrrope::vk
