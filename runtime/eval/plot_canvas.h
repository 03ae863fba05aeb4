#pragma once
// A tiny RGB raster (the plot_* files draw on it) for evaluation plots: rectangles, lines, and text from
// stb_easy_font scaled up; saved as PNG with stb_image_write. No other library.
#include <cstdint>
#include <string>
#include <vector>

namespace mrrope {

struct Rgb {
  uint8_t r, g, b;
};

class Canvas {
 public:
  Canvas(int width, int height, Rgb background = {255, 255, 255});
  int width() const { return w_; }
  int height() const { return h_; }
  void fill_rect(int x, int y, int w, int h, Rgb c);
  void line(double x0, double y0, double x1, double y1, Rgb c, int thickness = 1);
  // Text with its top-left at (x, y); `scale` multiplies stb_easy_font's ~6x7 px glyphs.
  void text(int x, int y, const std::string& s, Rgb c, int scale = 2);
  static int text_width(const std::string& s, int scale = 2);
  Rgb pixel(int x, int y) const;
  void save_png(const std::string& path) const;
  // Reads a PNG back (tests check what was written). Throws when unreadable.
  static Canvas load_png(const std::string& path);

 private:
  int w_, h_;
  std::vector<uint8_t> rgb_;
};

// Red (0) through yellow (0.5) to green (1), the familiar NIAH colours.
Rgb recall_colour(double v);
// Distinct colours for plot lines, by index.
Rgb series_colour(int i);

}  // namespace mrrope
