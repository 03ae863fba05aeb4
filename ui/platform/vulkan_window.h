#pragma once
// A GLFW window with a Vulkan swapchain and the ImGui GLFW backend, on the
// same VkDevice and VkQueue as the compute runtime. One frame in flight; the
// queue is shared, so every submit and present goes through the Context's
// lock, and a frame is only started when the previous one has finished (so
// the UI thread never blocks behind a long compute submission).
#include <memory>
#include <utility>
#include <string>
#include <vector>

#include "ui/platform/frame_renderer.h"
#include "ui/platform/frame_target.h"

struct GLFWwindow;

namespace mrrope::ui {

class VulkanWindow : public FrameTarget {
 public:
  // Opens the window (not yet drawable) and initializes GLFW.
  VulkanWindow(const std::string& title, int width, int height);
  ~VulkanWindow() override;
  VulkanWindow(const VulkanWindow&) = delete;
  VulkanWindow& operator=(const VulkanWindow&) = delete;

  vk::ContextOptions context_options() const override;
  void attach(vk::Context& ctx, const std::string& font_path, float font_pixels) override;
  bool should_close() const override;
  // Polls events (at most ~60 Hz); true when a new frame may be built now.
  bool begin_frame() override;
  void new_frame() override;
  void end_frame(ImDrawData* draw_data, const CaptureFn& capture = {}) override;
  void resize(int width, int height) override;
  void size(int* width, int* height) const override;
  void set_content_scale(float scale) override;
  float content_scale() const override { return renderer_ ? renderer_->content_scale() : 1.0f; }
  uint64_t frames_completed() const override { return renderer_ ? renderer_->frames_completed() : 0; }
  std::vector<std::string> take_dropped_files() override { return std::exchange(dropped_, {}); }

 private:
  void create_swapchain();
  void destroy_swapchain();
  void wait_queue_idle();
  void follow_content_scale();

  GLFWwindow* window_ = nullptr;
  vk::Context* ctx_ = nullptr;
  float monitor_scale_ = 1.0f;  // the monitor's, last seen
  bool platform_ready_ = false;
  bool rebuild_ = false;
  std::vector<std::string> dropped_;  // filled by GLFW's drop callback while polling events
  std::unique_ptr<FrameRenderer> renderer_;

  struct Vk;  // swapchain handles (kept out of this header)
  std::unique_ptr<Vk> vk_;
};

}  // namespace mrrope::ui
