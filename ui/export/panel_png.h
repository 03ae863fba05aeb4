#pragma once
// PNG export of a panel as it is drawn (the attention heatmap, the side-by-side
// answers): the panel records where it drew itself, the frame loop reads that
// frame back (the same readback the script's screenshots use) and the region is
// cropped and written with runtime/eval's PNG writer (Canvas::save_png). So the
// picture is exactly what is drawn, at the framebuffer's resolution. A panel
// taller than its view (the side by side with long answers) is paged: scrolled
// a view's height at a time, each page captured and the pages stitched, so the
// PNG holds the whole content, not only the part on screen.
#include <string>

#include "ui/platform/frame_target.h"

namespace mrrope::ui {

enum class PanelShot { Attention, Compare };

struct PixelRect {
  int x = 0, y = 0, w = 0, h = 0;
};

// An export in flight: asked for (button or script), waiting for its panel to
// be drawn on a settled frame, then captured.
struct PanelPngJob {
  PanelShot which = PanelShot::Attention;
  std::string path;
  PixelRect rect;          // where the panel was drawn this frame (framebuffer pixels)
  int drawn_frames = 0;    // frames in a row the panel was drawn (layout settles over 2-3)
  int frames_left = 120;   // then it gives up: the panel is not showing
  // Paging (ImGui units): the panel's visible height and its content's; where
  // it was asked to scroll for this page and where it got (the last page stops
  // at the end of the content).
  float view_height = 0, content_height = 0, scroll_asked = 0, scroll_actual = 0;
  float scale_y = 1;  // framebuffer pixels per ImGui unit
  Image stitched;     // the pages so far
  int pages = 0;      // captured so far
};

// The rows of a page's crop that are new: when the panel could not scroll as
// far as asked (`actual` < `asked`), its first rows were on the last page.
struct PageSlice {
  int skip = 0, rows = 0;
};
PageSlice page_slice(float asked, float actual, float scale_y, int rect_h);
// Appends `slice` of `rect` in `frame` below what `into` holds (sized by the first page).
void append_page(Image& into, const Image& frame, const PixelRect& rect, PageSlice slice);
// True when content below this page is still to be captured.
bool more_pages(const PanelPngJob& job);

struct PanelPngResult {
  PanelShot which = PanelShot::Attention;
  std::string path;   // written (empty on failure)
  int width = 0, height = 0;
  int pages = 1;      // frames stitched into it (a panel taller than its view)
  std::string error;  // empty on success
};

// The rectangle [x0, x1) x [y0, y1) in ImGui coordinates, scaled by the
// framebuffer scale and clipped to a `fb_w` x `fb_h` frame.
PixelRect to_pixels(float x0, float y0, float x1, float y1, float scale_x, float scale_y, int fb_w, int fb_h);
// Crops `rect` out of `frame` (RGBA) and writes it as PNG (creating folders).
// Never throws: a failure lands in .error.
PanelPngResult write_panel_png(const Image& frame, const PixelRect& rect, const std::string& path);
// "attention.png" / "side_by_side.png" under ~/mrrope-results/<date-time>.
std::string default_panel_png_path(PanelShot which);

}  // namespace mrrope::ui
