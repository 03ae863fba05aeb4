#pragma once
// A GLFW window with a Vulkan swapchain and the ImGui backends, on the same
// VkDevice and VkQueue as the compute runtime. One frame in flight; the queue
// is shared, so every submit and present goes through the Context's lock, and
// a frame is only started when the previous one has finished (so the UI
// thread never blocks behind a long compute submission).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vulkan/context.h"

struct GLFWwindow;
struct ImDrawData;

namespace mrrope::ui {

struct Image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgba;  // width * height * 4
};

class VulkanWindow {
 public:
  // Opens the window (not yet drawable) and initializes GLFW.
  VulkanWindow(const std::string& title, int width, int height);
  ~VulkanWindow();
  VulkanWindow(const VulkanWindow&) = delete;
  VulkanWindow& operator=(const VulkanWindow&) = delete;

  // What the runtime's Context must provide so this window can present.
  vk::ContextOptions context_options() const;
  // Creates the surface, swapchain and the ImGui backends on `ctx`; loads
  // `font_path` (TTF) at `font_pixels` times the window's content scale.
  void attach(vk::Context& ctx, const std::string& font_path, float font_pixels);

  GLFWwindow* glfw() const { return window_; }
  float content_scale() const { return content_scale_; }
  bool should_close() const;
  // Polls events; returns true when a new frame may be built now.
  bool begin_frame();
  // Draws ImGui's data and presents. When `capture` is set, the presented
  // image is read back and handed to it (RGBA) after the frame completes.
  void end_frame(ImDrawData* draw_data, const std::function<void(const Image&)>& capture = {});

 private:
  void create_swapchain();
  void destroy_swapchain();
  void wait_queue_idle();

  GLFWwindow* window_ = nullptr;
  vk::Context* ctx_ = nullptr;
  float content_scale_ = 1.0f;
  bool imgui_ready_ = false;
  bool rebuild_ = false;

  struct Vk;  // Vulkan handles (kept out of this header)
  std::unique_ptr<Vk> vk_;
};

}  // namespace mrrope::ui
