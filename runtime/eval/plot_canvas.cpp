#include "eval/plot_canvas.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "stb_easy_font.h"
#include "stb_image.h"
#include "stb_image_write.h"

namespace mrrope {

Canvas::Canvas(int width, int height, Rgb bg) : w_(width), h_(height), rgb_(size_t(width) * height * 3) {
  for (size_t i = 0; i < rgb_.size(); i += 3) rgb_[i] = bg.r, rgb_[i + 1] = bg.g, rgb_[i + 2] = bg.b;
}

void Canvas::fill_rect(int x, int y, int w, int h, Rgb c) {
  const int x0 = std::max(0, x), y0 = std::max(0, y), x1 = std::min(w_, x + w), y1 = std::min(h_, y + h);
  for (int yy = y0; yy < y1; ++yy)
    for (int xx = x0; xx < x1; ++xx) {
      uint8_t* p = &rgb_[(size_t(yy) * w_ + xx) * 3];
      p[0] = c.r, p[1] = c.g, p[2] = c.b;
    }
}

void Canvas::line(double x0, double y0, double x1, double y1, Rgb c, int thickness) {
  const double steps = std::max({std::fabs(x1 - x0), std::fabs(y1 - y0), 1.0});
  for (int i = 0; i <= static_cast<int>(steps); ++i) {
    const double t = i / steps;
    fill_rect(static_cast<int>(std::lround(x0 + t * (x1 - x0))) - thickness / 2,
              static_cast<int>(std::lround(y0 + t * (y1 - y0))) - thickness / 2, thickness, thickness, c);
  }
}

void Canvas::text(int x, int y, const std::string& s, Rgb c, int scale) {
  static char buffer[99999];
  unsigned char colour[4] = {c.r, c.g, c.b, 255};
  const int quads = stb_easy_font_print(0, 0, const_cast<char*>(s.c_str()), colour, buffer, sizeof buffer);
  // Each quad is 4 vertices of 16 bytes: float x, y, z and 4 colour bytes.
  for (int q = 0; q < quads; ++q) {
    const float* v0 = reinterpret_cast<const float*>(buffer + q * 64);
    const float* v2 = reinterpret_cast<const float*>(buffer + q * 64 + 32);
    fill_rect(x + static_cast<int>(v0[0] * scale), y + static_cast<int>(v0[1] * scale),
              static_cast<int>((v2[0] - v0[0]) * scale), static_cast<int>((v2[1] - v0[1]) * scale), c);
  }
}

int Canvas::text_width(const std::string& s, int scale) {
  return stb_easy_font_width(const_cast<char*>(s.c_str())) * scale;
}

Rgb Canvas::pixel(int x, int y) const {
  const uint8_t* p = &rgb_[(size_t(y) * w_ + x) * 3];
  return {p[0], p[1], p[2]};
}

void Canvas::save_png(const std::string& path) const {
  if (!stbi_write_png(path.c_str(), w_, h_, 3, rgb_.data(), w_ * 3))
    throw std::runtime_error("cannot write PNG '" + path + "'");
}

Canvas Canvas::load_png(const std::string& path) {
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &w, &h, &channels, 3);
  if (!data) throw std::runtime_error("cannot read PNG '" + path + "'");
  Canvas c(w, h);
  std::copy(data, data + size_t(w) * h * 3, c.rgb_.begin());
  stbi_image_free(data);
  return c;
}

Rgb recall_colour(double v) {
  v = std::clamp(v, 0.0, 1.0);
  if (v < 0.5) return {220, static_cast<uint8_t>(60 + 340 * v), 60};                    // red -> yellow
  return {static_cast<uint8_t>(220 - 340 * (v - 0.5)), 230, static_cast<uint8_t>(60)};  // yellow -> green
}

Rgb series_colour(int i) {
  static const Rgb k[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
                          {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127}};
  return k[i % 8];
}

}  // namespace mrrope
