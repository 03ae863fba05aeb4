// PNG export of the attention heatmap and the side-by-side answers. The
// heatmap is rendered from the probe's data, the whole map at full resolution
// (ui/export/attention_map_image.h); the side by side is cropped from captured frames
// (page by page when it scrolls: see ui/export/panel_png.h).
#include <imgui.h>

#include "ui/app.h"
#include "ui/export/attention_map_image.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {

std::string App::request_panel_png(PanelShot which, const std::string& path) {
  if (panel_png_) return "a PNG export is already in progress";
  if (which == PanelShot::Attention && !session_.attention().valid)
    return "no attention map yet: ask a question with 'watch attention' on first";
  if (which == PanelShot::Compare && session_.comparison().empty() && compare_.threads.empty())
    return "no side-by-side answers yet: run side by side first";
  if (which == PanelShot::Attention) {  // the whole map from the probe's data, not the screen's crop
    const AttentionSnapshot snap = session_.attention();
    const Image map = render_attention_map(snap.probe, {attention_.log_scale, attention_.mask_sink});
    if (map.width == 0) return "the attention map has no rows yet";
    panel_png_result_ = write_panel_png(map, {0, 0, map.width, map.height}, path.empty() ? default_panel_png_path(which) : path);
    panel_png_result_.which = which;
    return "";
  }
  PanelPngJob job;
  job.which = which;
  job.path = path.empty() ? default_panel_png_path(which) : path;
  panel_png_ = job;
  panel_png_result_ = {};
  panel_png_result_.which = which;
  select_tab_ = panel_shot_tab(which);  // a script may ask from another tab
  return "";
}

void App::note_panel_rect(PanelShot which, float x0, float y0, float x1, float y1, float scroll_y, float content_h) {
  if (!panel_png_ || panel_png_->which != which) return;
  const ImGuiIO& io = ImGui::GetIO();
  const float sx = io.DisplayFramebufferScale.x > 0 ? io.DisplayFramebufferScale.x : 1.0f;
  const float sy = io.DisplayFramebufferScale.y > 0 ? io.DisplayFramebufferScale.y : 1.0f;
  PanelPngJob& job = *panel_png_;
  job.rect = to_pixels(x0, y0, x1, y1, sx, sy, int(io.DisplaySize.x * sx), int(io.DisplaySize.y * sy));
  job.view_height = y1 - y0, job.content_height = content_h, job.scroll_actual = scroll_y, job.scale_y = sy;
  panel_png_drawn_ = true;
}

std::optional<float> App::panel_png_scroll(PanelShot which) const {
  if (!panel_png_ || panel_png_->which != which) return std::nullopt;
  return panel_png_->scroll_asked;
}

bool App::panel_png_capture_now() {
  if (!panel_png_) return false;
  PanelPngJob& job = *panel_png_;
  job.drawn_frames = panel_png_drawn_ ? job.drawn_frames + 1 : 0;
  panel_png_drawn_ = false;
  if (job.drawn_frames >= 3) return true;  // tables and wrapped text settle over a couple of frames
  if (--job.frames_left <= 0) {
    panel_png_result_ = {job.which, "", 0, 0, 1, ""};
    panel_png_result_.error = std::string("the ") + panel_shot_tab(job.which) + " view is not showing; nothing written";
    panel_png_.reset();
  }
  return false;
}

void App::panel_png_captured(const Image& frame) {
  if (!panel_png_) return;
  PanelPngJob& job = *panel_png_;
  ++job.pages;
  if (job.content_height <= job.view_height + 0.5f && job.stitched.height == 0) {  // fits on screen: one crop
    panel_png_result_ = write_panel_png(frame, job.rect, job.path);
  } else {
    append_page(job.stitched, frame, job.rect, page_slice(job.scroll_asked, job.scroll_actual, job.scale_y, job.rect.h));
    if (more_pages(job) && job.pages < 200) {  // scroll a view's height down; capture again once it has settled
      job.scroll_asked = job.scroll_actual + job.view_height;
      job.drawn_frames = 0, job.frames_left = 120;
      return;
    }
    panel_png_result_ = write_panel_png(job.stitched, {0, 0, job.stitched.width, job.stitched.height}, job.path);
  }
  panel_png_result_.which = job.which;
  panel_png_result_.pages = job.pages;
  panel_png_.reset();
}

// "Save PNG" and, below it, what the last export did.
void App::draw_panel_png_button(PanelShot which) {
  ImGui::PushID(int(which));
  ImGui::BeginDisabled(panel_png_.has_value());
  if (small_button("Save PNG")) {
    const std::string why = request_panel_png(which);
    if (!why.empty()) panel_png_result_ = {which, "", 0, 0, 1, why};
  }
  ImGui::EndDisabled();
  const PanelPngResult& r = panel_png_result_;
  if (r.which != which) {
  } else if (!r.error.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(ImColor(colors::kError), "%s", r.error.c_str());
  } else if (!r.path.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("wrote %s (%dx%d%s)", r.path.c_str(), r.width, r.height, r.pages > 1 ? ", paged" : "");
  }
  ImGui::PopID();
}

}  // namespace mrrope::ui
