#pragma once
// Where the app's ImGui frames go: a window's swapchain (VulkanWindow) or an
// offscreen image (OffscreenTarget, for --headless). The frame loop in
// app/gui/main.cpp only talks to this interface, so both paths run the same
// App, panels and script.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vulkan/context.h"

struct ImDrawData;

namespace mrrope::ui {

struct Image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgba;  // width * height * 4
};

using CaptureFn = std::function<void(const Image&)>;

class FrameTarget {
 public:
  virtual ~FrameTarget() = default;

  // What the runtime's Context must provide so this target can render.
  virtual vk::ContextOptions context_options() const = 0;
  // Creates the Vulkan objects and ImGui's Vulkan backend on `ctx`; loads
  // `font_path` (TTF) at `font_pixels` times the content scale.
  virtual void attach(vk::Context& ctx, const std::string& font_path, float font_pixels) = 0;
  virtual bool should_close() const = 0;
  // True when a new frame may be built now: the previous one has finished on
  // the GPU (one frame in flight, so the UI never queues behind compute).
  virtual bool begin_frame() = 0;
  // The platform half of ImGui's new frame: input, display size, delta time.
  virtual void new_frame() = 0;
  // Draws ImGui's data. When `capture` is set, the rendered image is read back
  // and handed to it (RGBA) after the frame completes.
  virtual void end_frame(ImDrawData* draw_data, const CaptureFn& capture = {}) = 0;
  // A new size in pixels (the window's, or the offscreen image's).
  virtual void resize(int width, int height) = 0;
  virtual void size(int* width, int* height) const = 0;
  // Text and widget scale (1 = 96 dpi). A window follows its monitor's; the
  // script's `content-scale S` sets it, as a DPI change would. Between frames.
  virtual void set_content_scale(float scale) = 0;
  virtual float content_scale() const = 0;
  // Frames the GPU has finished rendering so far (for FPS measurement).
  virtual uint64_t frames_completed() const = 0;
  // Files dropped onto the window since the last call (none offscreen).
  virtual std::vector<std::string> take_dropped_files() { return {}; }
};

}  // namespace mrrope::ui
