// Save PNG's crop (ui/export/panel_png.h): the panel's rectangle in framebuffer
// pixels, cut from a frame and written with Canvas::save_png. No GPU.
#include <gtest/gtest.h>

#include <filesystem>

#include "eval/plot_canvas.h"
#include "ui/export/panel_png.h"

namespace mrrope::ui {
namespace {

Image gradient(int w, int h) {
  Image img{w, h, std::vector<unsigned char>(size_t(w) * h * 4)};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      unsigned char* p = &img.rgba[(size_t(y) * w + x) * 4];
      p[0] = static_cast<unsigned char>(x), p[1] = static_cast<unsigned char>(y), p[2] = 7, p[3] = 255;
    }
  return img;
}

TEST(PanelPng, RectIsScaledAndClippedToTheFrame) {
  const PixelRect r = to_pixels(10.5f, 20, 50, 400, 2, 2, 200, 300);
  EXPECT_EQ(r.x, 21);
  EXPECT_EQ(r.y, 40);
  EXPECT_EQ(r.w, 100 - 21);
  EXPECT_EQ(r.h, 300 - 40);  // clipped at the frame's bottom
  EXPECT_EQ(to_pixels(500, 500, 600, 600, 1, 1, 200, 300).w, 0);
}

TEST(PanelPng, WritesExactlyTheCroppedPixels) {
  const std::string path = (std::filesystem::temp_directory_path() / "mrrope-panel-png-test" / "crop.png").string();
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
  const PanelPngResult r = write_panel_png(gradient(120, 80), {30, 10, 50, 40}, path);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.width, 50);
  EXPECT_EQ(r.height, 40);
  const Canvas back = Canvas::load_png(path);
  ASSERT_EQ(back.width(), 50);
  ASSERT_EQ(back.height(), 40);
  EXPECT_EQ(back.pixel(0, 0).r, 30);
  EXPECT_EQ(back.pixel(0, 0).g, 10);
  EXPECT_EQ(back.pixel(49, 39).r, 79);
  EXPECT_EQ(back.pixel(49, 39).g, 49);
  EXPECT_EQ(back.pixel(49, 39).b, 7);
}

TEST(PanelPng, NothingOnScreenIsAnErrorNotAFile) {
  const std::string path = (std::filesystem::temp_directory_path() / "mrrope-panel-png-empty.png").string();
  std::filesystem::remove(path);
  EXPECT_FALSE(write_panel_png(gradient(64, 64), {0, 0, 0, 0}, path).error.empty());
  EXPECT_FALSE(write_panel_png(gradient(64, 64), {40, 40, 30, 30}, path).error.empty());  // past the edge
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(write_panel_png(gradient(64, 64), {0, 0, 8, 8}, "/proc/no-such-dir/x.png").error.empty());
}

TEST(PanelPng, PagesAreStitchedWithoutTheRowsAlreadyTaken) {
  // A view 30 px high over 70 px of content: pages at 0 and 30, then the last
  // one could only scroll to 40 (asked 60), so its first 20 rows were taken.
  EXPECT_EQ(page_slice(0, 0, 1, 30).skip, 0);
  EXPECT_EQ(page_slice(60, 40, 1, 30).skip, 20);
  EXPECT_EQ(page_slice(60, 40, 1, 30).rows, 10);
  EXPECT_EQ(page_slice(60, 40, 2, 60).skip, 40);  // framebuffer scale 2
  EXPECT_EQ(page_slice(500, 0, 1, 30).rows, 0);
  const Image frame = gradient(100, 100);
  const PixelRect rect{10, 20, 50, 30};
  Image out;
  append_page(out, frame, rect, page_slice(0, 0, 1, 30));
  append_page(out, frame, rect, page_slice(30, 30, 1, 30));
  append_page(out, frame, rect, page_slice(60, 40, 1, 30));
  ASSERT_EQ(out.width, 50);
  ASSERT_EQ(out.height, 70);
  EXPECT_EQ(out.rgba[(size_t(69) * 50 + 0) * 4 + 1], 20 + 29);  // the last page's last row
  EXPECT_EQ(out.rgba[(size_t(60) * 50 + 0) * 4 + 1], 20 + 20);  // its first new row
  EXPECT_EQ(out.rgba[(size_t(0) * 50 + 3) * 4 + 0], 13);
}

TEST(PanelPng, MorePagesUntilTheContentsEnd) {
  PanelPngJob job;
  job.view_height = 30, job.content_height = 70;
  job.scroll_actual = 0;
  EXPECT_TRUE(more_pages(job));
  job.scroll_actual = 40;
  EXPECT_FALSE(more_pages(job));
  job.content_height = 30, job.scroll_actual = 0;
  EXPECT_FALSE(more_pages(job));  // fits: one page
}

}  // namespace
}  // namespace mrrope::ui
