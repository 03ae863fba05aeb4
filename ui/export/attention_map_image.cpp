// The pooled attention map's colour scale and its full-resolution image
// (ui/export/attention_map_image.h).
#include "ui/export/attention_map_image.h"

#include <algorithm>
#include <cmath>

namespace mrrope::ui {

AttentionMapRange attention_map_range(const AttentionProbeResult& r, const AttentionMapStyle& style) {
  AttentionMapRange out;
  const int g = r.grid;
  out.used = r.block > 0 ? std::min(g, (r.tokens + r.block - 1) / r.block) : 0;
  out.lo = 1e30f;
  for (int row = 0; row < out.used; ++row)
    for (int col = 0; col <= row; ++col) {
      if (style.mask_sink && col == 0) continue;
      const float x = r.map[size_t(row) * g + col];
      if (x > 0) out.lo = std::min(out.lo, x), out.hi = std::max(out.hi, x);
    }
  if (out.hi <= 0) out.lo = 0;
  return out;
}

float attention_map_level(float x, const AttentionMapRange& range, const AttentionMapStyle& style) {
  if (!(x > 0) || range.hi <= 0) return 0;
  if (!style.log_scale) return x / range.hi;
  return (std::log(x) - std::log(range.lo)) / std::max(1e-6f, std::log(range.hi) - std::log(range.lo));
}

MapColour heat_colour(float t) {
  t = std::clamp(t, 0.0f, 1.0f);
  auto byte = [](float v) { return static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); };
  return {byte(0.1f + 0.9f * t), byte(0.1f + 0.8f * t * t), byte(0.35f * (1 - t) + 0.1f)};
}

Image render_attention_map(const AttentionProbeResult& r, const AttentionMapStyle& style, int min_side) {
  const AttentionMapRange range = attention_map_range(r, style);
  Image img;
  if (range.used <= 0) return img;
  const int cell = std::max(1, (min_side + range.used - 1) / range.used);
  img.width = img.height = range.used * cell;
  img.rgba.resize(size_t(img.width) * img.height * 4);
  for (int row = 0; row < range.used; ++row)
    for (int col = 0; col < range.used; ++col) {
      const bool drawn = col <= row && !(style.mask_sink && col == 0);
      const MapColour c = drawn ? heat_colour(attention_map_level(r.map[size_t(row) * r.grid + col], range, style))
                          : kMapBackground;
      for (int y = row * cell; y < (row + 1) * cell; ++y)
        for (int x = col * cell; x < (col + 1) * cell; ++x) {
          unsigned char* p = &img.rgba[(size_t(y) * img.width + x) * 4];
          p[0] = c.r, p[1] = c.g, p[2] = c.b, p[3] = 255;
        }
    }
  return img;
}

}  // namespace mrrope::ui
