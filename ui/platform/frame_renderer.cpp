// The runtime builds with VK_NO_PROTOTYPES (it calls the loader through its
// own pointers); this file calls libvulkan's C functions, so it wants them.
#undef VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include "ui/platform/frame_renderer.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <imgui.h>
#include <backends/imgui_impl_vulkan.h>

// Outside namespace mrrope::vk, the vk* names below are libvulkan's C
// functions (the GUI target links it), the same loader the runtime opens.
namespace mrrope::ui {

void check_vk(VkResult r, const char* what) {
  if (r != VK_SUCCESS) throw vk::VulkanError(std::string(what) + " failed (VkResult " + std::to_string(int(r)) + ")");
}

namespace {
void imgui_check(VkResult r) {
  if (r != VK_SUCCESS) throw vk::VulkanError("ImGui Vulkan backend: VkResult " + std::to_string(int(r)));
}
}  // namespace

FrameRenderer::FrameRenderer(vk::Context& ctx, VkFormat format, VkImageLayout final_layout)
    : ctx_(ctx), format_(format), final_layout_(final_layout) {
  VkDevice dev = ctx.device();
  VkAttachmentDescription color{};
  color.format = format;
  color.samples = VK_SAMPLE_COUNT_1_BIT;
  color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
  color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
  color.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
  color.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  color.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  color.finalLayout = final_layout;
  VkAttachmentReference ref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
  VkSubpassDescription sub{};
  sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  sub.colorAttachmentCount = 1;
  sub.pColorAttachments = &ref;
  VkSubpassDependency dep{};
  dep.srcSubpass = VK_SUBPASS_EXTERNAL;
  dep.dstSubpass = 0;
  dep.srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  dep.dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  dep.dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  VkRenderPassCreateInfo rpi{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
  rpi.attachmentCount = 1;
  rpi.pAttachments = &color;
  rpi.subpassCount = 1;
  rpi.pSubpasses = &sub;
  rpi.dependencyCount = 1;
  rpi.pDependencies = &dep;
  check_vk(vkCreateRenderPass(dev, &rpi, nullptr, &render_pass_), "vkCreateRenderPass");

  VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pci.queueFamilyIndex = ctx.queue_family();
  check_vk(vkCreateCommandPool(dev, &pci, nullptr, &pool_), "vkCreateCommandPool");
  VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cai.commandPool = pool_;
  cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cai.commandBufferCount = 1;
  check_vk(vkAllocateCommandBuffers(dev, &cai, &cmd_), "vkAllocateCommandBuffers");
  VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  fci.flags = VK_FENCE_CREATE_SIGNALED_BIT;
  check_vk(vkCreateFence(dev, &fci, nullptr, &fence_), "vkCreateFence");

  VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 64}};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  dpi.maxSets = 64;
  dpi.poolSizeCount = 1;
  dpi.pPoolSizes = sizes;
  check_vk(vkCreateDescriptorPool(dev, &dpi, nullptr, &descriptor_pool_), "vkCreateDescriptorPool");
}

FrameRenderer::~FrameRenderer() {
  VkDevice dev = ctx_.device();
  vkWaitForFences(dev, 1, &fence_, VK_TRUE, UINT64_MAX);
  if (imgui_ready_) ImGui_ImplVulkan_Shutdown();
  if (readback_) vkDestroyBuffer(dev, readback_, nullptr);
  if (readback_memory_) vkFreeMemory(dev, readback_memory_, nullptr);
  vkDestroyFence(dev, fence_, nullptr);
  vkDestroyCommandPool(dev, pool_, nullptr);
  vkDestroyDescriptorPool(dev, descriptor_pool_, nullptr);
  vkDestroyRenderPass(dev, render_pass_, nullptr);
}

void FrameRenderer::init_imgui(uint32_t image_count, const std::string& font_path, float font_pixels,
                               float content_scale) {
  image_count_ = std::max<uint32_t>(2, image_count);
  font_path_ = font_path;
  font_pixels_ = font_pixels;
  content_scale_ = content_scale;
  init_backend();
  upload_fonts(content_scale);
  ImGui::GetStyle().ScaleAllSizes(content_scale);
}

void FrameRenderer::set_content_scale(float content_scale) {
  if (!imgui_ready_ || content_scale == content_scale_) return;
  VkDevice dev = ctx_.device();
  // The backend has no call to replace its font texture, so it is restarted:
  // its pipeline, buffers and font image go, and so does its descriptor set
  // (the pool is ours alone). The last frame must be done with them first.
  check_vk(vkWaitForFences(dev, 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  ImGui_ImplVulkan_Shutdown();
  imgui_ready_ = false;
  check_vk(vkResetDescriptorPool(dev, descriptor_pool_, 0), "vkResetDescriptorPool");
  ImGui::GetIO().Fonts->Clear();
  init_backend();
  upload_fonts(content_scale);
  ImGui::GetStyle().ScaleAllSizes(content_scale / content_scale_);
  content_scale_ = content_scale;
}

void FrameRenderer::init_backend() {
  ImGui_ImplVulkan_InitInfo info{};
  info.Instance = ctx_.instance();
  info.PhysicalDevice = ctx_.physical_device();
  info.Device = ctx_.device();
  info.QueueFamily = ctx_.queue_family();
  info.Queue = ctx_.queue();
  info.DescriptorPool = descriptor_pool_;
  info.MinImageCount = 2;
  info.ImageCount = image_count_;
  info.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
  info.CheckVkResultFn = imgui_check;
  ImGui_ImplVulkan_Init(&info, render_pass_);
  imgui_ready_ = true;
}

// Rasterizes the font at its size times the content scale (sharp text on a
// high-DPI monitor) and uploads the atlas.
void FrameRenderer::upload_fonts(float content_scale) {
  VkDevice dev = ctx_.device();
  ImGuiIO& io = ImGui::GetIO();
  const float pixels = font_pixels_ * content_scale;
  std::error_code ec;
  if (!font_path_.empty() && std::filesystem::exists(font_path_, ec))
    io.Fonts->AddFontFromFileTTF(font_path_.c_str(), pixels);
  else {
    ImFontConfig cfg;
    cfg.SizePixels = std::max(13.0f, pixels);
    io.Fonts->AddFontDefault(&cfg);
  }

  check_vk(vkWaitForFences(dev, 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  check_vk(vkResetFences(dev, 1, &fence_), "vkResetFences");
  vkResetCommandBuffer(cmd_, 0);
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  check_vk(vkBeginCommandBuffer(cmd_, &bi), "vkBeginCommandBuffer");
  ImGui_ImplVulkan_CreateFontsTexture(cmd_);
  check_vk(vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cmd_;
  ctx_.submit(si, fence_);
  check_vk(vkWaitForFences(dev, 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  ImGui_ImplVulkan_DestroyFontUploadObjects();
}

bool FrameRenderer::previous_done() {
  if (vkGetFenceStatus(ctx_.device(), fence_) != VK_SUCCESS) return false;
  if (pending_) ++completed_, pending_ = false;
  return true;
}

bool FrameRenderer::wait_previous(uint64_t timeout_ns) {
  const VkResult r = vkWaitForFences(ctx_.device(), 1, &fence_, VK_TRUE, timeout_ns);
  if (r != VK_SUCCESS && r != VK_TIMEOUT) check_vk(r, "vkWaitForFences");
  return previous_done();
}

VkFramebuffer FrameRenderer::make_framebuffer(VkImageView view, VkExtent2D extent) const {
  VkFramebufferCreateInfo fbi{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
  fbi.renderPass = render_pass_;
  fbi.attachmentCount = 1;
  fbi.pAttachments = &view;
  fbi.width = extent.width;
  fbi.height = extent.height;
  fbi.layers = 1;
  VkFramebuffer framebuffer = VK_NULL_HANDLE;
  check_vk(vkCreateFramebuffer(ctx_.device(), &fbi, nullptr, &framebuffer), "vkCreateFramebuffer");
  return framebuffer;
}

void FrameRenderer::ensure_readback(VkDeviceSize bytes) {
  if (readback_size_ >= bytes) return;
  VkDevice dev = ctx_.device();
  if (readback_) vkDestroyBuffer(dev, readback_, nullptr);
  if (readback_memory_) vkFreeMemory(dev, readback_memory_, nullptr);
  readback_ = VK_NULL_HANDLE;
  readback_memory_ = VK_NULL_HANDLE;
  readback_size_ = 0;
  VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bci.size = bytes;
  bci.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  check_vk(vkCreateBuffer(dev, &bci, nullptr, &readback_), "vkCreateBuffer");
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(dev, readback_, &req);
  VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  mai.allocationSize = req.size;
  mai.memoryTypeIndex = ctx_.find_memory_type(req.memoryTypeBits,
                                              VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                              VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
  check_vk(vkAllocateMemory(dev, &mai, nullptr, &readback_memory_), "vkAllocateMemory");
  check_vk(vkBindBufferMemory(dev, readback_, readback_memory_, 0), "vkBindBufferMemory");
  readback_size_ = bytes;
}

// Copies the rendered image into the read-back buffer and returns the image to
// its final layout, so the rest of the frame (present) sees what it expects.
void FrameRenderer::record_readback(const Target& target) {
  VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  b.srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  b.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  b.oldLayout = final_layout_;
  b.newLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  b.image = target.image;
  b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
  vkCmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0,
                       nullptr, 0, nullptr, 1, &b);
  VkBufferImageCopy copy{};
  copy.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  copy.imageExtent = {target.extent.width, target.extent.height, 1};
  vkCmdCopyImageToBuffer(cmd_, target.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback_, 1, &copy);
  b.srcAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  b.dstAccessMask = 0;
  b.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  b.newLayout = final_layout_;
  vkCmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, 0, 0, nullptr, 0,
                       nullptr, 1, &b);
  VkBufferMemoryBarrier hb{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
  hb.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  hb.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  hb.srcQueueFamilyIndex = hb.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  hb.buffer = readback_;
  hb.size = VK_WHOLE_SIZE;
  vkCmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, nullptr, 1, &hb, 0,
                       nullptr);
}

void FrameRenderer::render(ImDrawData* draw_data, const Target& target, const CaptureFn& capture) {
  VkDevice dev = ctx_.device();
  const VkDeviceSize bytes = VkDeviceSize(target.extent.width) * target.extent.height * 4;
  if (capture) ensure_readback(bytes);

  check_vk(vkResetFences(dev, 1, &fence_), "vkResetFences");
  vkResetCommandBuffer(cmd_, 0);
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  check_vk(vkBeginCommandBuffer(cmd_, &bi), "vkBeginCommandBuffer");
  VkClearValue clear{};
  clear.color = {{0.10f, 0.10f, 0.12f, 1.0f}};
  VkRenderPassBeginInfo rbi{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
  rbi.renderPass = render_pass_;
  rbi.framebuffer = target.framebuffer;
  rbi.renderArea.extent = target.extent;
  rbi.clearValueCount = 1;
  rbi.pClearValues = &clear;
  vkCmdBeginRenderPass(cmd_, &rbi, VK_SUBPASS_CONTENTS_INLINE);
  ImGui_ImplVulkan_RenderDrawData(draw_data, cmd_);
  vkCmdEndRenderPass(cmd_);
  if (capture) record_readback(target);
  check_vk(vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");

  const VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  if (target.wait) {
    si.waitSemaphoreCount = 1;
    si.pWaitSemaphores = &target.wait;
    si.pWaitDstStageMask = &wait_stage;
  }
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cmd_;
  if (target.signal) {
    si.signalSemaphoreCount = 1;
    si.pSignalSemaphores = &target.signal;
  }
  ctx_.submit(si, fence_);
  pending_ = true;

  if (capture) {
    check_vk(vkWaitForFences(dev, 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    capture(read_back(target.extent));
  }
}

Image FrameRenderer::read_back(VkExtent2D extent) {
  VkDevice dev = ctx_.device();
  const VkDeviceSize bytes = VkDeviceSize(extent.width) * extent.height * 4;
  Image img;
  img.width = int(extent.width);
  img.height = int(extent.height);
  img.rgba.resize(size_t(bytes));
  void* mapped = nullptr;
  check_vk(vkMapMemory(dev, readback_memory_, 0, bytes, 0, &mapped), "vkMapMemory");
  std::memcpy(img.rgba.data(), mapped, size_t(bytes));
  vkUnmapMemory(dev, readback_memory_);
  const bool bgra = format_ == VK_FORMAT_B8G8R8A8_UNORM || format_ == VK_FORMAT_B8G8R8A8_SRGB;
  for (size_t i = 0; i < img.rgba.size(); i += 4) {
    if (bgra) std::swap(img.rgba[i], img.rgba[i + 2]);
    img.rgba[i + 3] = 255;
  }
  return img;
}

}  // namespace mrrope::ui
