// PNG export of the attention heatmap and the side-by-side answers. The
// heatmap is rendered from the probe's data, the whole map at full resolution
// (ui/export/attention_map_image.h); the side by side is cropped from captured frames
// (page by page when it scrolls: see ui/export/panel_png.h).
#include "ui/app_panel_png.h"

#include <imgui.h>

#include "ui/app.h"
#include "ui/export/attention_map_image.h"
#include "ui/panels/workspace_tabs.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {

const char* PanelPngExport::tab_name(PanelShot which) const {
  const Panel& panel = which == PanelShot::Attention ? static_cast<Panel&>(app_.attention_tab()) : app_.compare_tab();
  const WorkspaceTab* tab = workspace_tab_of(app_, panel);
  return tab ? tab->name : "";
}

std::string PanelPngExport::request(PanelShot which, const std::string& path) {
  if (job_) return "a PNG export is already in progress";
  if (which == PanelShot::Attention && !app_.session().attention().valid)
    return "no attention map yet: ask a question with 'watch attention' on first";
  if (which == PanelShot::Compare && !app_.compare_tab().has_results())
    return "no side-by-side answers yet: run side by side first";
  if (which == PanelShot::Attention) {  // the whole map from the probe's data, not the screen's crop
    const AttentionSnapshot snap = app_.session().attention();
    const Image map = render_attention_map(snap.probe, app_.attention_tab().map_style());
    if (map.width == 0) return "the attention map has no rows yet";
    result_ = write_panel_png(map, {0, 0, map.width, map.height}, path.empty() ? default_panel_png_path(which) : path);
    result_.which = which;
    return "";
  }
  PanelPngJob job;
  job.which = which;
  job.path = path.empty() ? default_panel_png_path(which) : path;
  job_ = job;
  result_ = {};
  result_.which = which;
  app_.select_tab(tab_name(which));  // a script may ask from another tab
  return "";
}

void PanelPngExport::note_rect(PanelShot which, float x0, float y0, float x1, float y1, float scroll_y,
                               float content_h) {
  if (!job_ || job_->which != which) return;
  const ImGuiIO& io = ImGui::GetIO();
  const float sx = io.DisplayFramebufferScale.x > 0 ? io.DisplayFramebufferScale.x : 1.0f;
  const float sy = io.DisplayFramebufferScale.y > 0 ? io.DisplayFramebufferScale.y : 1.0f;
  PanelPngJob& job = *job_;
  job.rect = to_pixels(x0, y0, x1, y1, sx, sy, int(io.DisplaySize.x * sx), int(io.DisplaySize.y * sy));
  job.view_height = y1 - y0, job.content_height = content_h, job.scroll_actual = scroll_y, job.scale_y = sy;
  drawn_ = true;
}

std::optional<float> PanelPngExport::scroll(PanelShot which) const {
  if (!job_ || job_->which != which) return std::nullopt;
  return job_->scroll_asked;
}

bool PanelPngExport::capture_now() {
  if (!job_) return false;
  PanelPngJob& job = *job_;
  job.drawn_frames = drawn_ ? job.drawn_frames + 1 : 0;
  drawn_ = false;
  if (job.drawn_frames >= 3) return true;  // tables and wrapped text settle over a couple of frames
  if (--job.frames_left <= 0) {
    result_ = {job.which, "", 0, 0, 1, ""};
    result_.error = std::string("the ") + tab_name(job.which) + " view is not showing; nothing written";
    job_.reset();
  }
  return false;
}

void PanelPngExport::captured(const Image& frame) {
  if (!job_) return;
  PanelPngJob& job = *job_;
  ++job.pages;
  if (job.content_height <= job.view_height + 0.5f && job.stitched.height == 0) {  // fits on screen: one crop
    result_ = write_panel_png(frame, job.rect, job.path);
  } else {
    append_page(job.stitched, frame, job.rect, page_slice(job.scroll_asked, job.scroll_actual, job.scale_y, job.rect.h));
    if (more_pages(job) && job.pages < 200) {  // scroll a view's height down; capture again once it has settled
      job.scroll_asked = job.scroll_actual + job.view_height;
      job.drawn_frames = 0, job.frames_left = 120;
      return;
    }
    result_ = write_panel_png(job.stitched, {0, 0, job.stitched.width, job.stitched.height}, job.path);
  }
  result_.which = job.which;
  result_.pages = job.pages;
  job_.reset();
}

// "Save PNG" and, below it, what the last export did.
void PanelPngExport::draw_button(PanelShot which) {
  ImGui::PushID(int(which));
  ImGui::BeginDisabled(job_.has_value());
  if (small_button("Save PNG")) {
    const std::string why = request(which);
    if (!why.empty()) result_ = {which, "", 0, 0, 1, why};
  }
  ImGui::EndDisabled();
  const PanelPngResult& r = result_;
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
