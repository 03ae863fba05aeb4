// The runtime builds with VK_NO_PROTOTYPES (it calls the loader through its
// own pointers); this file calls libvulkan's C functions, so it wants them.
#undef VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include "ui/platform/vulkan_window.h"

#include <algorithm>
#include <stdexcept>

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_vulkan.h>

// Outside namespace mrrope::vk, the vk* names below are libvulkan's C
// functions (the GUI target links it), the same loader the runtime opens.
namespace mrrope::ui {

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
  VkSemaphore acquired = VK_NULL_HANDLE;
};

VulkanWindow::VulkanWindow(const std::string& title, int width, int height) : vk_(std::make_unique<Vk>()) {
  if (!glfwInit()) throw std::runtime_error("GLFW could not initialize (no display? try xvfb-run, or --headless)");
  if (!glfwVulkanSupported()) throw std::runtime_error("GLFW finds no Vulkan loader");
  glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window_) throw std::runtime_error("could not create a window");
  // Files dragged onto the window: collected here, opened by the app next frame.
  glfwSetWindowUserPointer(window_, this);
  glfwSetDropCallback(window_, [](GLFWwindow* w, int count, const char** paths) {
    auto* self = static_cast<VulkanWindow*>(glfwGetWindowUserPointer(w));
    for (int i = 0; self && i < count; ++i) self->dropped_.emplace_back(paths[i]);
  });
  float sx = 1, sy = 1;
  glfwGetWindowContentScale(window_, &sx, &sy);
  monitor_scale_ = std::clamp(std::max(sx, sy), 1.0f, 4.0f);
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
  renderer_ = std::make_unique<FrameRenderer>(ctx, vk_->format.format, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR);
  VkSemaphoreCreateInfo sci{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  check_vk(vkCreateSemaphore(dev, &sci, nullptr, &vk_->acquired), "vkCreateSemaphore");

  create_swapchain();

  ImGui_ImplGlfw_InitForVulkan(window_, true);
  platform_ready_ = true;
  renderer_->init_imgui(static_cast<uint32_t>(vk_->images.size()), font_path, font_pixels, monitor_scale_);
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
    VkFramebuffer fb = renderer_->make_framebuffer(view, extent);
    vk_->framebuffers.push_back(fb);
    VkSemaphore s;
    check_vk(vkCreateSemaphore(dev, &sci, nullptr, &s), "vkCreateSemaphore");
    vk_->render_done.push_back(s);
  }
  if (platform_ready_) ImGui_ImplVulkan_SetMinImageCount(2);
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
    wait_queue_idle();
    renderer_.reset();  // ImGui's Vulkan backend first: it draws into our passes
    if (platform_ready_) ImGui_ImplGlfw_Shutdown();
    destroy_swapchain();
    if (vk_->acquired) vkDestroySemaphore(dev, vk_->acquired, nullptr);
    if (vk_->surface) vkDestroySurfaceKHR(ctx_->instance(), vk_->surface, nullptr);
  }
  if (window_) glfwDestroyWindow(window_);
  glfwTerminate();
}

bool VulkanWindow::should_close() const { return glfwWindowShouldClose(window_); }

bool VulkanWindow::begin_frame() {
  // Sleep until input arrives or the next frame is due (~60 Hz): keeps the
  // animation of progress bars going without spinning a core.
  glfwWaitEventsTimeout(1.0 / 60.0);
  if (!renderer_->previous_done()) return false;  // GPU still busy
  follow_content_scale();
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

// Moved to a monitor with another DPI (or the user changed the scale): the
// font is rasterized again at the new size and widgets are scaled to match.
void VulkanWindow::follow_content_scale() {
  float sx = 1, sy = 1;
  glfwGetWindowContentScale(window_, &sx, &sy);
  const float scale = std::clamp(std::max(sx, sy), 1.0f, 4.0f);
  if (scale == monitor_scale_) return;
  monitor_scale_ = scale;
  set_content_scale(scale);
}

void VulkanWindow::set_content_scale(float scale) {
  if (renderer_ && ImGui::GetCurrentContext() != nullptr) renderer_->set_content_scale(scale);
}

void VulkanWindow::new_frame() { ImGui_ImplGlfw_NewFrame(); }

void VulkanWindow::resize(int width, int height) { glfwSetWindowSize(window_, width, height); }

void VulkanWindow::size(int* width, int* height) const { glfwGetWindowSize(window_, width, height); }

void VulkanWindow::end_frame(ImDrawData* draw_data, const CaptureFn& capture) {
  VkDevice dev = ctx_->device();
  uint32_t index = 0;
  VkResult r = vkAcquireNextImageKHR(dev, vk_->swapchain, UINT64_MAX, vk_->acquired, VK_NULL_HANDLE, &index);
  if (r == VK_ERROR_OUT_OF_DATE_KHR) {
    rebuild_ = true;
    return;
  }
  if (r == VK_SUBOPTIMAL_KHR) rebuild_ = true;
  else check_vk(r, "vkAcquireNextImageKHR");
  if (capture && !vk_->can_read_back)
    throw vk::VulkanError("this surface cannot be read back (no TRANSFER_SRC usage), so no screenshot");

  FrameRenderer::Target target;
  target.framebuffer = vk_->framebuffers[index];
  target.image = vk_->images[index];
  target.extent = vk_->extent;
  target.wait = vk_->acquired;
  target.signal = vk_->render_done[index];
  renderer_->render(draw_data, target, capture);

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
}

}  // namespace mrrope::ui
