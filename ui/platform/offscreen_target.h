#pragma once
// Headless frames (mrrope-app --headless): the same ImGui frames, rendered
// by ImGui's Vulkan backend into an offscreen colour image instead of a
// swapchain. No window system at all (no GLFW, no surface), so it runs on a
// machine without a display. Frames are rendered back to back (no vsync),
// but still one in flight: a frame starts only when the previous finished.
#include <chrono>
#include <memory>
#include <string>

#include "ui/platform/frame_renderer.h"
#include "ui/platform/frame_target.h"

namespace mrrope::ui {

class OffscreenTarget : public FrameTarget {
 public:
  // Throws std::invalid_argument on a size outside 64..16384.
  OffscreenTarget(int width, int height);
  ~OffscreenTarget() override;
  OffscreenTarget(const OffscreenTarget&) = delete;
  OffscreenTarget& operator=(const OffscreenTarget&) = delete;

  vk::ContextOptions context_options() const override;
  void attach(vk::Context& ctx, const std::string& font_path, float font_pixels) override;
  bool should_close() const override { return false; }  // ends with the script (or a signal)
  bool begin_frame() override;
  void new_frame() override;
  void end_frame(ImDrawData* draw_data, const CaptureFn& capture = {}) override;
  void resize(int width, int height) override;
  void size(int* width, int* height) const override;
  void set_content_scale(float scale) override;
  float content_scale() const override { return renderer_ ? renderer_->content_scale() : 1.0f; }
  uint64_t frames_completed() const override { return renderer_ ? renderer_->frames_completed() : 0; }

  static constexpr VkFormat kFormat = VK_FORMAT_R8G8B8A8_UNORM;

 private:
  void create_image();
  void destroy_image();

  vk::Context* ctx_ = nullptr;
  int width_, height_;              // wanted size
  VkExtent2D extent_{};             // size of the current image
  std::unique_ptr<FrameRenderer> renderer_;
  VkImage image_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkImageView view_ = VK_NULL_HANDLE;
  VkFramebuffer framebuffer_ = VK_NULL_HANDLE;
  std::chrono::steady_clock::time_point last_frame_{};
  bool first_frame_ = true;
};

// Parses "WxH" (e.g. 1600x1000); throws std::invalid_argument with a clear message.
void parse_size(const std::string& text, int* width, int* height);

}  // namespace mrrope::ui
