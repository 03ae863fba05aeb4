// PNG export of the attention heatmap and the side-by-side answers: the
// request, the panels' rectangles, and the crop of the captured frame.
#include <imgui.h>

#include "ui/app.h"

namespace mrrope::ui {

std::string App::request_panel_png(PanelShot which, const std::string& path) {
  if (panel_png_) return "a PNG export is already in progress";
  if (which == PanelShot::Attention && !session_.attention().valid)
    return "no attention map yet: ask a question with 'watch attention' on first";
  if (which == PanelShot::Compare && session_.comparison().empty())
    return "no side-by-side answers yet: run side by side first";
  PanelPngJob job;
  job.which = which;
  job.path = path.empty() ? default_panel_png_path(which) : path;
  panel_png_ = job;
  panel_png_result_ = {};
  panel_png_result_.which = which;
  select_tab_ = panel_shot_tab(which);  // a script may ask from another tab
  return "";
}

void App::note_panel_rect(PanelShot which, float x0, float y0, float x1, float y1) {
  if (!panel_png_ || panel_png_->which != which) return;
  const ImGuiIO& io = ImGui::GetIO();
  const float sx = io.DisplayFramebufferScale.x > 0 ? io.DisplayFramebufferScale.x : 1.0f;
  const float sy = io.DisplayFramebufferScale.y > 0 ? io.DisplayFramebufferScale.y : 1.0f;
  panel_png_->rect = to_pixels(x0, y0, x1, y1, sx, sy, int(io.DisplaySize.x * sx), int(io.DisplaySize.y * sy));
  panel_png_drawn_ = true;
}

bool App::panel_png_capture_now() {
  if (!panel_png_) return false;
  PanelPngJob& job = *panel_png_;
  job.drawn_frames = panel_png_drawn_ ? job.drawn_frames + 1 : 0;
  panel_png_drawn_ = false;
  if (job.drawn_frames >= 3) return true;  // tables and wrapped text settle over a couple of frames
  if (--job.frames_left <= 0) {
    panel_png_result_ = {job.which, "", 0, 0, ""};
    panel_png_result_.error = std::string("the ") + panel_shot_tab(job.which) + " view is not showing; nothing written";
    panel_png_.reset();
  }
  return false;
}

void App::panel_png_captured(const Image& frame) {
  if (!panel_png_) return;
  panel_png_result_ = write_panel_png(frame, panel_png_->rect, panel_png_->path);
  panel_png_result_.which = panel_png_->which;
  panel_png_.reset();
}

// "Save PNG" and, below it, what the last export did.
void App::draw_panel_png_button(PanelShot which) {
  ImGui::PushID(int(which));
  ImGui::BeginDisabled(panel_png_.has_value());
  if (ImGui::SmallButton("Save PNG")) {
    const std::string why = request_panel_png(which);
    if (!why.empty()) panel_png_result_ = {which, "", 0, 0, why};
  }
  ImGui::EndDisabled();
  const PanelPngResult& r = panel_png_result_;
  if (r.which != which) {
  } else if (!r.error.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(ImColor(colors::kError), "%s", r.error.c_str());
  } else if (!r.path.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("wrote %s (%dx%d)", r.path.c_str(), r.width, r.height);
  }
  ImGui::PopID();
}

}  // namespace mrrope::ui
