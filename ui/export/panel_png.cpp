#include "ui/export/panel_png.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "eval/plot_canvas.h"
#include "ui/export/eval_export.h"

namespace mrrope::ui {

PixelRect to_pixels(float x0, float y0, float x1, float y1, float sx, float sy, int fb_w, int fb_h) {
  const int ax = std::clamp(int(std::floor(x0 * sx)), 0, fb_w), ay = std::clamp(int(std::floor(y0 * sy)), 0, fb_h);
  const int bx = std::clamp(int(std::ceil(x1 * sx)), 0, fb_w), by = std::clamp(int(std::ceil(y1 * sy)), 0, fb_h);
  return {ax, ay, std::max(0, bx - ax), std::max(0, by - ay)};
}

PanelPngResult write_panel_png(const Image& frame, const PixelRect& r, const std::string& path) {
  PanelPngResult out;
  if (r.w <= 0 || r.h <= 0 || r.x + r.w > frame.width || r.y + r.h > frame.height ||
      frame.rgba.size() < size_t(frame.width) * frame.height * 4) {
    out.error = "the panel is not on screen (nothing to write to " + path + ")";
    return out;
  }
  Canvas canvas(r.w, r.h);
  for (int y = 0; y < r.h; ++y)
    for (int x = 0; x < r.w; ++x) {
      const unsigned char* p = &frame.rgba[(size_t(r.y + y) * frame.width + size_t(r.x + x)) * 4];
      canvas.fill_rect(x, y, 1, 1, Rgb{p[0], p[1], p[2]});  // the frame is opaque: alpha dropped
    }
  try {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    canvas.save_png(path);
  } catch (const std::exception& e) {
    out.error = std::string("could not write the PNG: ") + e.what();
    return out;
  }
  out.path = path, out.width = r.w, out.height = r.h;
  return out;
}

PageSlice page_slice(float asked, float actual, float scale_y, int rect_h) {
  const int skip = std::clamp(int(std::lround(std::max(0.0f, asked - actual) * scale_y)), 0, std::max(0, rect_h));
  return {skip, std::max(0, rect_h - skip)};
}

void append_page(Image& into, const Image& frame, const PixelRect& r, PageSlice slice) {
  if (r.w <= 0 || slice.rows <= 0 || r.x + r.w > frame.width || r.y + slice.skip + slice.rows > frame.height) return;
  if (into.width == 0) into.width = r.w, into.height = 0;
  if (into.width != r.w) return;  // the panel changed width between pages: keep what is consistent
  into.rgba.resize(size_t(into.width) * size_t(into.height + slice.rows) * 4);
  for (int y = 0; y < slice.rows; ++y) {
    const unsigned char* src = &frame.rgba[(size_t(r.y + slice.skip + y) * frame.width + size_t(r.x)) * 4];
    std::copy(src, src + size_t(r.w) * 4, &into.rgba[size_t(into.height + y) * into.width * 4]);
  }
  into.height += slice.rows;
}

bool more_pages(const PanelPngJob& job) {
  // Half a pixel of slack: ImGui's sizes are fractional.
  return job.view_height > 1 && job.scroll_actual + job.view_height < job.content_height - 0.5f;
}

std::string default_panel_png_path(PanelShot which) {
  return (std::filesystem::path(default_export_dir()) / (which == PanelShot::Attention ? "attention.png" : "side_by_side.png"))
      .string();
}

}  // namespace mrrope::ui
