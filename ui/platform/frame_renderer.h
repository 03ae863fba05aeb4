#pragma once
// The Vulkan side both frame targets share: a render pass with one colour
// attachment, one command buffer and fence (one frame in flight), ImGui's
// Vulkan backend and the font upload, recording a frame into a framebuffer
// and reading the rendered image back for screenshots.
#include <cstdint>
#include <string>

#include "ui/platform/frame_target.h"
#include "vulkan/context.h"

namespace mrrope::ui {

class FrameRenderer {
 public:
  // `final_layout`: the colour image's layout after the render pass
  // (PRESENT_SRC for a swapchain, TRANSFER_SRC for an offscreen image).
  FrameRenderer(vk::Context& ctx, VkFormat format, VkImageLayout final_layout);
  ~FrameRenderer();
  FrameRenderer(const FrameRenderer&) = delete;
  FrameRenderer& operator=(const FrameRenderer&) = delete;

  // ImGui's Vulkan backend and fonts. Call once, after ImGui::CreateContext.
  void init_imgui(uint32_t image_count, const std::string& font_path, float font_pixels, float content_scale);
  // A new content scale (the window moved to a monitor with another DPI):
  // rasterizes the font again at the new size, so text stays sharp, and
  // scales widget sizes by the ratio. Call between frames.
  void set_content_scale(float content_scale);
  float content_scale() const { return content_scale_; }

  VkRenderPass render_pass() const { return render_pass_; }
  // A framebuffer of this render pass over one colour view (a swapchain image
  // or the offscreen image); the caller destroys it.
  VkFramebuffer make_framebuffer(VkImageView view, VkExtent2D extent) const;
  VkFormat format() const { return format_; }
  vk::Context& context() const { return ctx_; }

  // Non-blocking: has the last submitted frame finished? Counts it once when so.
  bool previous_done();
  // Waits up to `timeout_ns` for the last frame; returns previous_done().
  bool wait_previous(uint64_t timeout_ns);
  uint64_t frames_completed() const { return completed_; }

  struct Target {
    VkFramebuffer framebuffer = VK_NULL_HANDLE;
    VkImage image = VK_NULL_HANDLE;
    VkExtent2D extent{};
    VkSemaphore wait = VK_NULL_HANDLE;    // e.g. the swapchain image was acquired
    VkSemaphore signal = VK_NULL_HANDLE;  // e.g. the present waits on it
  };
  // Records ImGui's draw data into `target` and submits. With `capture`, waits
  // for the frame and hands the image (RGBA) to it.
  void render(ImDrawData* draw_data, const Target& target, const CaptureFn& capture);

 private:
  void init_backend();
  void upload_fonts(float content_scale);
  void ensure_readback(VkDeviceSize bytes);
  void record_readback(const Target& target);
  Image read_back(VkExtent2D extent);

  vk::Context& ctx_;
  VkFormat format_;
  VkImageLayout final_layout_;
  bool imgui_ready_ = false;
  uint32_t image_count_ = 2;
  std::string font_path_;
  float font_pixels_ = 15.0f;
  float content_scale_ = 1.0f;
  bool pending_ = false;  // a submitted frame not yet seen finished
  uint64_t completed_ = 0;
  VkRenderPass render_pass_ = VK_NULL_HANDLE;
  VkDescriptorPool descriptor_pool_ = VK_NULL_HANDLE;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
  VkBuffer readback_ = VK_NULL_HANDLE;
  VkDeviceMemory readback_memory_ = VK_NULL_HANDLE;
  VkDeviceSize readback_size_ = 0;
};

// Throws vk::VulkanError naming `what` unless `r` is VK_SUCCESS.
void check_vk(VkResult r, const char* what);

}  // namespace mrrope::ui
