// The runtime builds with VK_NO_PROTOTYPES (it calls the loader through its
// own pointers); this file calls libvulkan's C functions, so it wants them.
#undef VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include "ui/vulkan_window.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_vulkan.h>

// Outside namespace mrrope::vk, the vk* names below are libvulkan's C
// functions (the GUI target links it), the same loader the runtime opens.
namespace mrrope::ui {
namespace {

void check_vk(VkResult r, const char* what) {
  if (r != VK_SUCCESS) throw vk::VulkanError(std::string(what) + " failed (VkResult " + std::to_string(int(r)) + ")");
}
void imgui_check(VkResult r) {
  if (r != VK_SUCCESS) throw vk::VulkanError("ImGui Vulkan backend: VkResult " + std::to_string(int(r)));
}

}  // namespace

struct VulkanWindow::Vk {
  VkSurfaceKHR surface = VK_NULL_HANDLE;
  VkSwapchainKHR swapchain = VK_NULL_HANDLE;
  VkSurfaceFormatKHR format{};
  VkExtent2D extent{};
  bool can_read_back = false;
  std::vector<VkImage> images;
  std::vector<VkImageView> views;
  std::vector<VkFramebuffer> framebuffers;
  std::vector<VkSemaphore> render_done;  // one per image: the present waits on it
  VkRenderPass render_pass = VK_NULL_HANDLE;
  VkDescriptorPool descriptor_pool = VK_NULL_HANDLE;
  VkCommandPool pool = VK_NULL_HANDLE;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  VkSemaphore acquired = VK_NULL_HANDLE;
  // Read-back of the presented image (screenshots).
  VkBuffer readback = VK_NULL_HANDLE;
  VkDeviceMemory readback_memory = VK_NULL_HANDLE;
  VkDeviceSize readback_size = 0;
};

VulkanWindow::VulkanWindow(const std::string& title, int width, int height) : vk_(std::make_unique<Vk>()) {
  if (!glfwInit()) throw std::runtime_error("GLFW could not initialize (no display? try xvfb-run)");
  if (!glfwVulkanSupported()) throw std::runtime_error("GLFW finds no Vulkan loader");
  glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window_) throw std::runtime_error("could not create a window");
  float sx = 1, sy = 1;
  glfwGetWindowContentScale(window_, &sx, &sy);
  content_scale_ = std::clamp(std::max(sx, sy), 1.0f, 4.0f);
}

vk::ContextOptions VulkanWindow::context_options() const {
  vk::ContextOptions o;
  uint32_t n = 0;
  const char** names = glfwGetRequiredInstanceExtensions(&n);
  for (uint32_t i = 0; i < n; ++i) o.instance_extensions.push_back(names[i]);
  o.device_extensions.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);
  o.queue_family_ok = [](VkInstance instance, VkPhysicalDevice pd, uint32_t family) {
    return glfwGetPhysicalDevicePresentationSupport(instance, pd, family) == GLFW_TRUE;
  };
  return o;
}

void VulkanWindow::attach(vk::Context& ctx, const std::string& font_path, float font_pixels) {
  ctx_ = &ctx;
  VkDevice dev = ctx.device();
  check_vk(glfwCreateWindowSurface(ctx.instance(), window_, nullptr, &vk_->surface), "glfwCreateWindowSurface");
  VkBool32 present = VK_FALSE;
  vkGetPhysicalDeviceSurfaceSupportKHR(ctx.physical_device(), ctx.queue_family(), vk_->surface, &present);
  if (!present) throw vk::VulkanError("the device's queue cannot present to this window");

  // Surface format: 8-bit UNORM (ImGui's colours are already in display space).
  uint32_t nf = 0;
  vkGetPhysicalDeviceSurfaceFormatsKHR(ctx.physical_device(), vk_->surface, &nf, nullptr);
  std::vector<VkSurfaceFormatKHR> formats(nf);
  vkGetPhysicalDeviceSurfaceFormatsKHR(ctx.physical_device(), vk_->surface, &nf, formats.data());
  if (formats.empty()) throw vk::VulkanError("the surface reports no formats");
  vk_->format = formats[0];
  for (const auto& f : formats)
    if ((f.format == VK_FORMAT_B8G8R8A8_UNORM || f.format == VK_FORMAT_R8G8B8A8_UNORM) &&
        f.colorSpace == VK_COLOR_SPACE_SRGB_NONLINEAR_KHR) {
      vk_->format = f;
      break;
    }

  VkAttachmentDescription color{};
  color.format = vk_->format.format;
  color.samples = VK_SAMPLE_COUNT_1_BIT;
  color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
  color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
  color.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
  color.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  color.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  color.finalLayout = VK_IMAGE_LAYOUT_PRESENT_SRC_KHR;
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
  check_vk(vkCreateRenderPass(dev, &rpi, nullptr, &vk_->render_pass), "vkCreateRenderPass");

  VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pci.queueFamilyIndex = ctx.queue_family();
  check_vk(vkCreateCommandPool(dev, &pci, nullptr, &vk_->pool), "vkCreateCommandPool");
  VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cai.commandPool = vk_->pool;
  cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cai.commandBufferCount = 1;
  check_vk(vkAllocateCommandBuffers(dev, &cai, &vk_->cmd), "vkAllocateCommandBuffers");
  VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  fci.flags = VK_FENCE_CREATE_SIGNALED_BIT;
  check_vk(vkCreateFence(dev, &fci, nullptr, &vk_->fence), "vkCreateFence");
  VkSemaphoreCreateInfo sci{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  check_vk(vkCreateSemaphore(dev, &sci, nullptr, &vk_->acquired), "vkCreateSemaphore");

  VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 64}};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  dpi.maxSets = 64;
  dpi.poolSizeCount = 1;
  dpi.pPoolSizes = sizes;
  check_vk(vkCreateDescriptorPool(dev, &dpi, nullptr, &vk_->descriptor_pool), "vkCreateDescriptorPool");

  create_swapchain();

  // ImGui: platform + renderer backends, font at the window's scale.
  ImGui_ImplGlfw_InitForVulkan(window_, true);
  ImGui_ImplVulkan_InitInfo info{};
  info.Instance = ctx.instance();
  info.PhysicalDevice = ctx.physical_device();
  info.Device = dev;
  info.QueueFamily = ctx.queue_family();
  info.Queue = ctx.queue();
  info.DescriptorPool = vk_->descriptor_pool;
  info.MinImageCount = 2;
  info.ImageCount = std::max<uint32_t>(2, static_cast<uint32_t>(vk_->images.size()));
  info.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
  info.CheckVkResultFn = imgui_check;
  ImGui_ImplVulkan_Init(&info, vk_->render_pass);

  ImGuiIO& io = ImGui::GetIO();
  const float pixels = font_pixels * content_scale_;
  std::error_code ec;
  if (!font_path.empty() && std::filesystem::exists(font_path, ec))
    io.Fonts->AddFontFromFileTTF(font_path.c_str(), pixels);
  else {
    ImFontConfig cfg;
    cfg.SizePixels = std::max(13.0f, pixels);
    io.Fonts->AddFontDefault(&cfg);
  }
  ImGui::GetStyle().ScaleAllSizes(content_scale_);

  check_vk(vkWaitForFences(dev, 1, &vk_->fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  check_vk(vkResetFences(dev, 1, &vk_->fence), "vkResetFences");
  vkResetCommandBuffer(vk_->cmd, 0);
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  check_vk(vkBeginCommandBuffer(vk_->cmd, &bi), "vkBeginCommandBuffer");
  ImGui_ImplVulkan_CreateFontsTexture(vk_->cmd);
  check_vk(vkEndCommandBuffer(vk_->cmd), "vkEndCommandBuffer");
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &vk_->cmd;
  ctx.submit(si, vk_->fence);
  check_vk(vkWaitForFences(dev, 1, &vk_->fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  ImGui_ImplVulkan_DestroyFontUploadObjects();
  imgui_ready_ = true;
}

void VulkanWindow::wait_queue_idle() {
  // Presentation holds on to images and semaphores until the queue drains.
  std::lock_guard lock(ctx_->queue_mutex());
  vkQueueWaitIdle(ctx_->queue());
}

void VulkanWindow::create_swapchain() {
  VkDevice dev = ctx_->device();
  VkSurfaceCapabilitiesKHR caps{};
  check_vk(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(ctx_->physical_device(), vk_->surface, &caps),
           "vkGetPhysicalDeviceSurfaceCapabilitiesKHR");
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window_, &fw, &fh);
  VkExtent2D extent = caps.currentExtent;
  if (extent.width == UINT32_MAX) {
    extent.width = std::clamp<uint32_t>(uint32_t(fw), caps.minImageExtent.width, caps.maxImageExtent.width);
    extent.height = std::clamp<uint32_t>(uint32_t(fh), caps.minImageExtent.height, caps.maxImageExtent.height);
  }
  if (extent.width == 0 || extent.height == 0) {  // minimized: try again later
    vk_->extent = extent;
    rebuild_ = true;
    return;
  }
  uint32_t count = std::max<uint32_t>(2, caps.minImageCount);
  if (caps.maxImageCount) count = std::min(count, caps.maxImageCount);
  vk_->can_read_back = caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_SRC_BIT;

  VkSwapchainCreateInfoKHR ci{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
  ci.surface = vk_->surface;
  ci.minImageCount = count;
  ci.imageFormat = vk_->format.format;
  ci.imageColorSpace = vk_->format.colorSpace;
  ci.imageExtent = extent;
  ci.imageArrayLayers = 1;
  ci.imageUsage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | (vk_->can_read_back ? VK_IMAGE_USAGE_TRANSFER_SRC_BIT : 0);
  ci.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
  ci.preTransform = caps.currentTransform;
  ci.compositeAlpha = VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
  if (!(caps.supportedCompositeAlpha & VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR))
    ci.compositeAlpha = VK_COMPOSITE_ALPHA_INHERIT_BIT_KHR;
  ci.presentMode = VK_PRESENT_MODE_FIFO_KHR;  // always available; paces to the display
  ci.clipped = VK_TRUE;
  ci.oldSwapchain = vk_->swapchain;
  VkSwapchainKHR created = VK_NULL_HANDLE;
  check_vk(vkCreateSwapchainKHR(dev, &ci, nullptr, &created), "vkCreateSwapchainKHR");
  destroy_swapchain();  // the old one, now retired
  vk_->swapchain = created;
  vk_->extent = extent;

  uint32_t n = 0;
  vkGetSwapchainImagesKHR(dev, created, &n, nullptr);
  vk_->images.resize(n);
  vkGetSwapchainImagesKHR(dev, created, &n, vk_->images.data());
  VkSemaphoreCreateInfo sci{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  for (VkImage image : vk_->images) {
    VkImageViewCreateInfo vi{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    vi.image = image;
    vi.viewType = VK_IMAGE_VIEW_TYPE_2D;
    vi.format = vk_->format.format;
    vi.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    VkImageView view;
    check_vk(vkCreateImageView(dev, &vi, nullptr, &view), "vkCreateImageView");
    vk_->views.push_back(view);
    VkFramebufferCreateInfo fbi{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
    fbi.renderPass = vk_->render_pass;
    fbi.attachmentCount = 1;
    fbi.pAttachments = &view;
    fbi.width = extent.width;
    fbi.height = extent.height;
    fbi.layers = 1;
    VkFramebuffer fb;
    check_vk(vkCreateFramebuffer(dev, &fbi, nullptr, &fb), "vkCreateFramebuffer");
    vk_->framebuffers.push_back(fb);
    VkSemaphore s;
    check_vk(vkCreateSemaphore(dev, &sci, nullptr, &s), "vkCreateSemaphore");
    vk_->render_done.push_back(s);
  }
  if (imgui_ready_) ImGui_ImplVulkan_SetMinImageCount(2);
  rebuild_ = false;
}

// Destroys the per-image objects and the swapchain (not the surface).
void VulkanWindow::destroy_swapchain() {
  VkDevice dev = ctx_->device();
  for (auto fb : vk_->framebuffers) vkDestroyFramebuffer(dev, fb, nullptr);
  for (auto v : vk_->views) vkDestroyImageView(dev, v, nullptr);
  for (auto s : vk_->render_done) vkDestroySemaphore(dev, s, nullptr);
  vk_->framebuffers.clear();
  vk_->views.clear();
  vk_->render_done.clear();
  vk_->images.clear();
  if (vk_->swapchain) vkDestroySwapchainKHR(dev, vk_->swapchain, nullptr);
  vk_->swapchain = VK_NULL_HANDLE;
}

VulkanWindow::~VulkanWindow() {
  if (ctx_) {
    VkDevice dev = ctx_->device();
    vkWaitForFences(dev, 1, &vk_->fence, VK_TRUE, UINT64_MAX);
    wait_queue_idle();
    if (imgui_ready_) {
      ImGui_ImplVulkan_Shutdown();
      ImGui_ImplGlfw_Shutdown();
    }
    destroy_swapchain();
    if (vk_->readback) vkDestroyBuffer(dev, vk_->readback, nullptr);
    if (vk_->readback_memory) vkFreeMemory(dev, vk_->readback_memory, nullptr);
    vkDestroySemaphore(dev, vk_->acquired, nullptr);
    vkDestroyFence(dev, vk_->fence, nullptr);
    vkDestroyCommandPool(dev, vk_->pool, nullptr);
    vkDestroyDescriptorPool(dev, vk_->descriptor_pool, nullptr);
    vkDestroyRenderPass(dev, vk_->render_pass, nullptr);
    vkDestroySurfaceKHR(ctx_->instance(), vk_->surface, nullptr);
  }
  if (window_) glfwDestroyWindow(window_);
  glfwTerminate();
}

bool VulkanWindow::should_close() const { return glfwWindowShouldClose(window_); }

bool VulkanWindow::begin_frame() {
  // Sleep until input arrives or the next frame is due (~60 Hz): keeps the
  // animation of progress bars going without spinning a core.
  glfwWaitEventsTimeout(1.0 / 60.0);
  if (vkGetFenceStatus(ctx_->device(), vk_->fence) != VK_SUCCESS) return false;  // GPU still busy
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window_, &fw, &fh);
  if (fw == 0 || fh == 0) return false;  // minimized
  if (rebuild_ || uint32_t(fw) != vk_->extent.width || uint32_t(fh) != vk_->extent.height) {
    wait_queue_idle();
    create_swapchain();
    if (rebuild_) return false;
  }
  return true;
}

void VulkanWindow::end_frame(ImDrawData* draw_data, const std::function<void(const Image&)>& capture) {
  VkDevice dev = ctx_->device();
  uint32_t index = 0;
  VkResult r = vkAcquireNextImageKHR(dev, vk_->swapchain, UINT64_MAX, vk_->acquired, VK_NULL_HANDLE, &index);
  if (r == VK_ERROR_OUT_OF_DATE_KHR) {
    rebuild_ = true;
    return;
  }
  if (r == VK_SUBOPTIMAL_KHR) rebuild_ = true;
  else check_vk(r, "vkAcquireNextImageKHR");

  const bool read_back = capture && vk_->can_read_back;
  const VkDeviceSize bytes = VkDeviceSize(vk_->extent.width) * vk_->extent.height * 4;
  if (read_back && vk_->readback_size < bytes) {
    if (vk_->readback) vkDestroyBuffer(dev, vk_->readback, nullptr);
    if (vk_->readback_memory) vkFreeMemory(dev, vk_->readback_memory, nullptr);
    VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bci.size = bytes;
    bci.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    check_vk(vkCreateBuffer(dev, &bci, nullptr, &vk_->readback), "vkCreateBuffer");
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(dev, vk_->readback, &req);
    VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    mai.allocationSize = req.size;
    mai.memoryTypeIndex = ctx_->find_memory_type(req.memoryTypeBits,
                                                 VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                                 VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
    check_vk(vkAllocateMemory(dev, &mai, nullptr, &vk_->readback_memory), "vkAllocateMemory");
    check_vk(vkBindBufferMemory(dev, vk_->readback, vk_->readback_memory, 0), "vkBindBufferMemory");
    vk_->readback_size = bytes;
  }

  check_vk(vkResetFences(dev, 1, &vk_->fence), "vkResetFences");
  vkResetCommandBuffer(vk_->cmd, 0);
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  check_vk(vkBeginCommandBuffer(vk_->cmd, &bi), "vkBeginCommandBuffer");
  VkClearValue clear{};
  clear.color = {{0.10f, 0.10f, 0.12f, 1.0f}};
  VkRenderPassBeginInfo rbi{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
  rbi.renderPass = vk_->render_pass;
  rbi.framebuffer = vk_->framebuffers[index];
  rbi.renderArea.extent = vk_->extent;
  rbi.clearValueCount = 1;
  rbi.pClearValues = &clear;
  vkCmdBeginRenderPass(vk_->cmd, &rbi, VK_SUBPASS_CONTENTS_INLINE);
  ImGui_ImplVulkan_RenderDrawData(draw_data, vk_->cmd);
  vkCmdEndRenderPass(vk_->cmd);

  if (read_back) {
    VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
    b.srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    b.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
    b.oldLayout = VK_IMAGE_LAYOUT_PRESENT_SRC_KHR;
    b.newLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.image = vk_->images[index];
    b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    vkCmdPipelineBarrier(vk_->cmd, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0,
                         nullptr, 0, nullptr, 1, &b);
    VkBufferImageCopy copy{};
    copy.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    copy.imageExtent = {vk_->extent.width, vk_->extent.height, 1};
    vkCmdCopyImageToBuffer(vk_->cmd, vk_->images[index], VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, vk_->readback, 1, &copy);
    b.srcAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
    b.dstAccessMask = 0;
    b.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    b.newLayout = VK_IMAGE_LAYOUT_PRESENT_SRC_KHR;
    vkCmdPipelineBarrier(vk_->cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, 0, 0, nullptr,
                         0, nullptr, 1, &b);
    VkBufferMemoryBarrier hb{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
    hb.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    hb.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    hb.srcQueueFamilyIndex = hb.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    hb.buffer = vk_->readback;
    hb.size = VK_WHOLE_SIZE;
    vkCmdPipelineBarrier(vk_->cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, nullptr, 1, &hb,
                         0, nullptr);
  }
  check_vk(vkEndCommandBuffer(vk_->cmd), "vkEndCommandBuffer");

  const VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.waitSemaphoreCount = 1;
  si.pWaitSemaphores = &vk_->acquired;
  si.pWaitDstStageMask = &wait_stage;
  si.commandBufferCount = 1;
  si.pCommandBuffers = &vk_->cmd;
  si.signalSemaphoreCount = 1;
  si.pSignalSemaphores = &vk_->render_done[index];
  ctx_->submit(si, vk_->fence);

  VkPresentInfoKHR pi{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
  pi.waitSemaphoreCount = 1;
  pi.pWaitSemaphores = &vk_->render_done[index];
  pi.swapchainCount = 1;
  pi.pSwapchains = &vk_->swapchain;
  pi.pImageIndices = &index;
  {
    std::lock_guard lock(ctx_->queue_mutex());
    r = vkQueuePresentKHR(ctx_->queue(), &pi);
  }
  if (r == VK_ERROR_OUT_OF_DATE_KHR || r == VK_SUBOPTIMAL_KHR) rebuild_ = true;
  else check_vk(r, "vkQueuePresentKHR");

  if (read_back) {
    check_vk(vkWaitForFences(dev, 1, &vk_->fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    Image img;
    img.width = int(vk_->extent.width);
    img.height = int(vk_->extent.height);
    img.rgba.resize(size_t(bytes));
    void* mapped = nullptr;
    check_vk(vkMapMemory(dev, vk_->readback_memory, 0, bytes, 0, &mapped), "vkMapMemory");
    std::memcpy(img.rgba.data(), mapped, size_t(bytes));
    vkUnmapMemory(dev, vk_->readback_memory);
    const bool bgra = vk_->format.format == VK_FORMAT_B8G8R8A8_UNORM || vk_->format.format == VK_FORMAT_B8G8R8A8_SRGB;
    for (size_t i = 0; i < img.rgba.size(); i += 4) {
      if (bgra) std::swap(img.rgba[i], img.rgba[i + 2]);
      img.rgba[i + 3] = 255;
    }
    capture(img);
  } else if (capture) {
    throw vk::VulkanError("this surface cannot be read back (no TRANSFER_SRC usage), so no screenshot");
  }
}

}  // namespace mrrope::ui
