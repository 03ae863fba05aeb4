#pragma once
// Save PNG of a panel (app_panel_png.cpp): the attention heatmap from the
// probe's data; the side by side cropped from captured frames, paged when it
// scrolls (ui/export/panel_png.h). The panels tell it where they drew; the
// frame loop hands it the frames.
#include <optional>
#include <string>

#include "ui/export/panel_png.h"

namespace mrrope::ui {

class App;

class PanelPngExport {
 public:
  explicit PanelPngExport(App& app) : app_(app) {}
  PanelPngExport(const PanelPngExport&) = delete;
  PanelPngExport& operator=(const PanelPngExport&) = delete;

  // Shows the panel's tab, waits for a settled frame, and the frame loop
  // captures it. Returns why not (empty: asked).
  std::string request(PanelShot which, const std::string& path = "");
  bool pending() const { return job_.has_value(); }
  const PanelPngResult& result() const { return result_; }
  // After App::draw(): true when this frame must be read back for the export;
  // then hand the frame to captured().
  bool capture_now();
  void captured(const Image& frame);

  // For the panels: where one drew itself; one that scrolls also gives its
  // scroll and content height (paged export).
  void note_rect(PanelShot which, float x0, float y0, float x1, float y1, float scroll_y = 0, float content_h = 0);
  std::optional<float> scroll(PanelShot which) const;  // where a paged export wants the panel scrolled
  void draw_button(PanelShot which);  // "Save PNG" and, beside it, what the last export did

 private:
  const char* tab_name(PanelShot which) const;  // the workspace tab that shows it

  App& app_;
  std::optional<PanelPngJob> job_;
  PanelPngResult result_;
  bool drawn_ = false;  // the job's panel was drawn this frame
};

}  // namespace mrrope::ui
