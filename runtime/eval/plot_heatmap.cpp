#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "eval/plots.h"

namespace mrrope {
namespace {

const Rgb kBlack{0, 0, 0}, kGrey{200, 200, 200};

}  // namespace

std::string plot_length_label(int l) {
  return l >= 1024 && l % 1024 == 0 ? std::to_string(l / 1024) + "K" : std::to_string(l);
}

std::vector<std::string> first_seen(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& m : names)
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  return out;
}

HeatmapLayout heatmap_layout(const std::vector<RetrievalRow>& rows) {
  HeatmapLayout g;
  std::vector<std::string> names;
  std::set<int> lengths;
  std::set<double> depths;
  for (const auto& r : rows) names.push_back(std::string(rope_method_name(r.rope.method))), lengths.insert(r.length), depths.insert(r.depth);
  g.methods = first_seen(names);
  g.lengths.assign(lengths.begin(), lengths.end());
  g.depths.assign(depths.begin(), depths.end());
  g.panel_w = std::max<int>(g.cell_w * static_cast<int>(g.lengths.size()), 200);
  return g;
}

Canvas draw_retrieval_heatmaps(const std::vector<RetrievalRow>& rows, const std::string& title) {
  const HeatmapLayout g = heatmap_layout(rows);
  std::map<std::string, std::map<std::pair<double, int>, std::pair<double, int>>> cells;  // method -> (depth, len) -> (score sum, runs)
  for (const auto& r : rows) {
    auto& cell = cells[std::string(rope_method_name(r.rope.method))][{r.depth, r.length}];
    cell.first += r.score;
    cell.second += 1;
  }
  const int n_panels = static_cast<int>(g.methods.size());
  const int columns = std::max(1, std::min(n_panels, g.per_row));
  const int bottom = g.top + std::max(1, g.panel_rows()) * (g.panel_h() + g.row_gap);
  const std::string x_label = "context length (tokens)";
  const int W = std::max({g.left + columns * (g.panel_w + g.gap) + 20, g.left + Canvas::text_width(title, 3) + 40, 700});
  const int H = bottom + 70;
  Canvas c(W, H);
  c.text(g.left, 15, title, kBlack, 3);
  for (int m = 0; m < n_panels; ++m) {
    const int x0 = g.panel_x(m), y0 = g.panel_y(m);
    c.text(x0, y0 - 25, g.methods[m], kBlack, 2);
    if (m % g.per_row == 0) {
      // Vertical axis label, one letter per line (easy_font has no rotation).
      const std::string y_label = "depth";
      for (size_t i = 0; i < y_label.size(); ++i)
        c.text(8, y0 + static_cast<int>(i) * 16, std::string(1, y_label[i]), kBlack);
    }
    for (size_t row = 0; row < g.depths.size(); ++row) {
      const double d = g.depths[row];
      const int y = y0 + static_cast<int>(row) * g.cell_h;
      char depth_text[16];
      std::snprintf(depth_text, sizeof depth_text, "%.0f%%", d * 100);
      if (m % g.per_row == 0) c.text(g.left - 10 - Canvas::text_width(depth_text), y + 10, depth_text, kBlack);
      for (size_t col = 0; col < g.lengths.size(); ++col) {
        const int l = g.lengths[col];
        const int x = x0 + static_cast<int>(col) * g.cell_w;
        const auto it = cells[g.methods[m]].find({d, l});
        if (it != cells[g.methods[m]].end() && it->second.second > 0) {
          const double v = double(it->second.first) / it->second.second;
          c.fill_rect(x, y, g.cell_w - 2, g.cell_h - 2, recall_colour(v));
          char value[16];
          std::snprintf(value, sizeof value, "%.0f", v * 100);
          c.text(x + (g.cell_w - Canvas::text_width(value)) / 2, y + 10, value, kBlack);
        } else {
          c.fill_rect(x, y, g.cell_w - 2, g.cell_h - 2, kGrey);  // not run (e.g. cancelled)
        }
        if (row + 1 == g.depths.size())
          c.text(x + (g.cell_w - Canvas::text_width(plot_length_label(l))) / 2, y + g.cell_h + 8,
                 plot_length_label(l), kBlack);
      }
    }
  }
  c.text(g.left, bottom - 25, x_label + " ->    rows: needle depth (% of the haystack)", kBlack);
  // Colour legend: 0% red .. 100% green.
  for (int i = 0; i < 200; ++i) c.fill_rect(g.left + i, bottom + 10, 1, 16, recall_colour(i / 199.0));
  c.text(g.left + 210, bottom + 11, "mean score 0% .. 100% (cell values in %)", kBlack);
  return c;
}

}  // namespace mrrope
