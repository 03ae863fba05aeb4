#pragma once
// The attention tab's pooled whole-context map as colours: the one colour
// scale the tab draws with, and the map rendered from the probe's data as an
// image for Save PNG (issue 18): every cell of the map (all queries seen so
// far against their keys), each cell a whole square of pixels, so the PNG is
// the whole map at its full resolution, whatever part or size of it is on
// screen. No ImGui, no GPU: unit-tested in tests/app/test_attention_map_image.cpp.
#include <cstdint>

#include "model/attention_probe.h"
#include "ui/platform/frame_target.h"

namespace mrrope::ui {

struct AttentionMapStyle {
  bool log_scale = true;
  bool mask_sink = false;  // leave key block 0 (the first-token sink) out of the scale and the picture
};

struct MapColour {
  uint8_t r = 0, g = 0, b = 0;
};

// What the map holds: the rows (query blocks) filled so far, and the smallest
// and largest positive cell the colour scale spans.
struct AttentionMapRange {
  int used = 0;
  float lo = 0, hi = 0;
};
AttentionMapRange attention_map_range(const AttentionProbeResult& r, const AttentionMapStyle& style);
// 0..1 on the scale (0 for empty cells).
float attention_map_level(float x, const AttentionMapRange& range, const AttentionMapStyle& style);
MapColour heat_colour(float t);                 // 0..1: dark blue .. yellow
inline constexpr MapColour kMapBackground{20, 20, 26};  // above the diagonal and masked cells

// The map as an image: used x used cells of `cell` pixels each, `cell` the
// smallest whole number making the side at least `min_side` pixels.
Image render_attention_map(const AttentionProbeResult& r, const AttentionMapStyle& style, int min_side = 1024);

}  // namespace mrrope::ui
