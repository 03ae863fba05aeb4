// The runtime builds with VK_NO_PROTOTYPES; this file calls libvulkan's C functions.
#undef VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include "ui/platform/offscreen_target.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include <imgui.h>
#include <backends/imgui_impl_vulkan.h>

namespace mrrope::ui {
namespace {

constexpr int kMinSide = 64, kMaxSide = 16384;

void check_side(int v, const char* what) {
  if (v < kMinSide || v > kMaxSide)
    throw std::invalid_argument(std::string("headless ") + what + " must be " + std::to_string(kMinSide) + ".." +
                                std::to_string(kMaxSide) + " pixels, got " + std::to_string(v));
}

}  // namespace

void parse_size(const std::string& text, int* width, int* height) {
  int w = 0, h = 0;
  char x = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &w, &x, &h, &extra) != 3 || (x != 'x' && x != 'X'))
    throw std::invalid_argument("--size wants WIDTHxHEIGHT (e.g. 1600x1000), got '" + text + "'");
  check_side(w, "width");
  check_side(h, "height");
  *width = w;
  *height = h;
}

OffscreenTarget::OffscreenTarget(int width, int height) : width_(width), height_(height) {
  check_side(width, "width");
  check_side(height, "height");
}

vk::ContextOptions OffscreenTarget::context_options() const {
  vk::ContextOptions o;
  // ImGui draws with a graphics pipeline: the shared queue must do graphics
  // too (some GPUs' best compute family is compute-only).
  o.queue_family_ok = [](VkInstance, VkPhysicalDevice pd, uint32_t family) {
    uint32_t n = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, nullptr);
    std::vector<VkQueueFamilyProperties> families(n);
    vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, families.data());
    return family < n && (families[family].queueFlags & VK_QUEUE_GRAPHICS_BIT);
  };
  return o;
}

void OffscreenTarget::attach(vk::Context& ctx, const std::string& font_path, float font_pixels) {
  ctx_ = &ctx;
  VkFormatProperties props{};
  vkGetPhysicalDeviceFormatProperties(ctx.physical_device(), kFormat, &props);
  const VkFormatFeatureFlags need = VK_FORMAT_FEATURE_COLOR_ATTACHMENT_BIT | VK_FORMAT_FEATURE_TRANSFER_SRC_BIT;
  if ((props.optimalTilingFeatures & need) != need)
    throw vk::VulkanError("the device cannot render to (and copy from) an RGBA8 image");
  renderer_ = std::make_unique<FrameRenderer>(ctx, kFormat, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
  create_image();
  // No platform backend: we are the platform (display size, time; no input).
  ImGuiIO& io = ImGui::GetIO();
  io.BackendPlatformName = "mrrope_headless";
  renderer_->init_imgui(2, font_path, font_pixels, 1.0f);
}

void OffscreenTarget::set_content_scale(float scale) {
  if (renderer_) renderer_->set_content_scale(scale);
}

void OffscreenTarget::create_image() {
  VkDevice dev = ctx_->device();
  extent_ = {uint32_t(width_), uint32_t(height_)};
  VkImageCreateInfo ii{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
  ii.imageType = VK_IMAGE_TYPE_2D;
  ii.format = kFormat;
  ii.extent = {extent_.width, extent_.height, 1};
  ii.mipLevels = 1;
  ii.arrayLayers = 1;
  ii.samples = VK_SAMPLE_COUNT_1_BIT;
  ii.tiling = VK_IMAGE_TILING_OPTIMAL;
  ii.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
  ii.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  ii.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  check_vk(vkCreateImage(dev, &ii, nullptr, &image_), "vkCreateImage");
  VkMemoryRequirements req;
  vkGetImageMemoryRequirements(dev, image_, &req);
  VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  mai.allocationSize = req.size;
  mai.memoryTypeIndex = ctx_->find_memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  check_vk(vkAllocateMemory(dev, &mai, nullptr, &memory_), "vkAllocateMemory");
  check_vk(vkBindImageMemory(dev, image_, memory_, 0), "vkBindImageMemory");
  VkImageViewCreateInfo vi{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
  vi.image = image_;
  vi.viewType = VK_IMAGE_VIEW_TYPE_2D;
  vi.format = kFormat;
  vi.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
  check_vk(vkCreateImageView(dev, &vi, nullptr, &view_), "vkCreateImageView");
  framebuffer_ = renderer_->make_framebuffer(view_, extent_);
}

void OffscreenTarget::destroy_image() {
  VkDevice dev = ctx_->device();
  if (framebuffer_) vkDestroyFramebuffer(dev, framebuffer_, nullptr);
  if (view_) vkDestroyImageView(dev, view_, nullptr);
  if (image_) vkDestroyImage(dev, image_, nullptr);
  if (memory_) vkFreeMemory(dev, memory_, nullptr);
  framebuffer_ = VK_NULL_HANDLE;
  view_ = VK_NULL_HANDLE;
  image_ = VK_NULL_HANDLE;
  memory_ = VK_NULL_HANDLE;
}

OffscreenTarget::~OffscreenTarget() {
  if (!ctx_) return;
  renderer_->wait_previous(UINT64_MAX);
  destroy_image();
  renderer_.reset();
}

bool OffscreenTarget::begin_frame() {
  // No vsync and no events to wait for: render as soon as the last frame is
  // done. A short bounded wait instead of a spin leaves the cores to the
  // compute work (lavapipe runs on them) and still returns promptly.
  if (!renderer_->wait_previous(2'000'000)) return false;
  if (extent_.width != uint32_t(width_) || extent_.height != uint32_t(height_)) {
    destroy_image();  // safe: the only frame that used it has finished
    create_image();
  }
  return true;
}

void OffscreenTarget::new_frame() {
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(float(extent_.width), float(extent_.height));
  io.DisplayFramebufferScale = ImVec2(1, 1);
  const auto now = std::chrono::steady_clock::now();
  const double dt = first_frame_ ? 1.0 / 60.0 : std::chrono::duration<double>(now - last_frame_).count();
  io.DeltaTime = float(std::max(dt, 1e-6));  // ImGui asserts a positive step
  last_frame_ = now;
  first_frame_ = false;
}

void OffscreenTarget::end_frame(ImDrawData* draw_data, const CaptureFn& capture) {
  FrameRenderer::Target target;
  target.framebuffer = framebuffer_;
  target.image = image_;
  target.extent = extent_;
  renderer_->render(draw_data, target, capture);
}

void OffscreenTarget::resize(int width, int height) {
  check_side(width, "width");
  check_side(height, "height");
  width_ = width;
  height_ = height;
}

void OffscreenTarget::size(int* width, int* height) const {
  *width = width_;
  *height = height_;
}

}  // namespace mrrope::ui
