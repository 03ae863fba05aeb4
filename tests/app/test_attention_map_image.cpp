// Save PNG of the attention map (ui/export/attention_map_image.h): the whole map from
// the probe's data, every filled cell a whole square of pixels in the tab's
// colour scale, whatever was on screen. No GPU.
#include <gtest/gtest.h>

#include "ui/export/attention_map_image.h"

namespace mrrope::ui {
namespace {

// A 4x4 grid of blocks of 10 tokens with 25 tokens seen: 3 rows filled.
AttentionProbeResult three_rows() {
  AttentionProbeResult r;
  r.grid = 4, r.block = 10, r.tokens = 25;
  r.map.assign(16, 0.0f);
  r.map[0] = 1.0f;                         // row 0: the sink
  r.map[4] = 0.5f, r.map[5] = 0.5f;        // row 1
  r.map[8] = 0.7f, r.map[9] = 0.1f, r.map[10] = 0.2f;  // row 2
  r.map[15] = 9.0f;                        // a row not reached yet: ignored
  return r;
}

MapColour pixel(const Image& img, int x, int y) {
  const unsigned char* p = &img.rgba[(size_t(y) * img.width + x) * 4];
  return {p[0], p[1], p[2]};
}

void expect_colour(const MapColour& got, const MapColour& want, const char* what) {
  EXPECT_EQ(got.r, want.r) << what;
  EXPECT_EQ(got.g, want.g) << what;
  EXPECT_EQ(got.b, want.b) << what;
}

TEST(AttentionMapImage, EveryFilledCellAtFullResolution) {
  const Image img = render_attention_map(three_rows(), {false, false}, 1024);
  // 3 rows of cells, each ceil(1024 / 3) = 342 pixels: the whole map, not the screen's crop.
  ASSERT_EQ(img.width, 3 * 342);
  ASSERT_EQ(img.height, 3 * 342);
  ASSERT_EQ(img.rgba.size(), size_t(img.width) * img.height * 4);
  expect_colour(pixel(img, 0, 0), heat_colour(1.0f), "the largest cell is the top of the scale");
  expect_colour(pixel(img, 341, 341), heat_colour(1.0f), "a cell is a whole square");
  expect_colour(pixel(img, 342 + 5, 342 + 5), heat_colour(0.5f), "linear scale");
  expect_colour(pixel(img, 2 * 342 + 1, 2 * 342 + 300), heat_colour(0.2f), "row 2, key block 2");
  expect_colour(pixel(img, 342 + 1, 0), kMapBackground, "above the diagonal");
}

TEST(AttentionMapImage, TheTabsScaleAndMask) {
  const AttentionMapStyle masked{true, true};
  const AttentionProbeResult r = three_rows();
  const AttentionMapRange range = attention_map_range(r, masked);
  EXPECT_EQ(range.used, 3);
  EXPECT_FLOAT_EQ(range.lo, 0.1f);  // key block 0 left out of the scale
  EXPECT_FLOAT_EQ(range.hi, 0.5f);
  EXPECT_FLOAT_EQ(attention_map_level(0.5f, range, masked), 1.0f);
  EXPECT_FLOAT_EQ(attention_map_level(0.1f, range, masked), 0.0f);
  EXPECT_EQ(attention_map_level(0.0f, range, masked), 0.0f);
  const Image img = render_attention_map(r, masked, 30);
  ASSERT_EQ(img.width, 30);
  expect_colour(pixel(img, 0, 25), kMapBackground, "the sink's column is masked");
  expect_colour(pixel(img, 15, 15), heat_colour(1.0f), "row 1, key block 1 tops the masked scale");
}

TEST(AttentionMapImage, NothingSeenIsAnEmptyImage) {
  AttentionProbeResult r;
  r.grid = 4, r.block = 10, r.tokens = 0;
  r.map.assign(16, 0.0f);
  EXPECT_EQ(render_attention_map(r, {}).width, 0);
}

}  // namespace
}  // namespace mrrope::ui
