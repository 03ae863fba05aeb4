#pragma once
// The evaluation's pictures, drawn on eval/plot_canvas.h:
//   plot_perplexity: perplexity against context length, one line per method
//     (log2 length axis), with a second panel of the per-position loss curves
//     (mean NLL per position bucket) at the longest length;
//   plot_retrieval_heatmaps: the NIAH-style heatmap per method (depth down,
//     length across, colour = recall from red through yellow to green, value
//     in each cell), methods side by side in one image.
#include <string>
#include <vector>

#include "eval/plot_canvas.h"
#include "eval/sweep.h"

namespace mrrope {

Canvas draw_perplexity(const std::vector<PerplexityRow>& rows, const std::string& title);

// Where the heatmap cells are, for drawing and for tests. Panels (one per
// method) sit in a grid of up to `per_row` columns.
struct HeatmapLayout {
  std::vector<std::string> methods;  // panels, left to right then top to bottom
  std::vector<int> lengths;          // columns
  std::vector<double> depths;        // rows, top to bottom
  int left = 110, top = 70, cell_w = 64, cell_h = 34, panel_w = 0, gap = 40, row_gap = 75, per_row = 3;
  int panel_h() const { return cell_h * static_cast<int>(depths.size()); }
  int panel_rows() const { return (static_cast<int>(methods.size()) + per_row - 1) / per_row; }
  int panel_x(int m) const { return left + (m % per_row) * (panel_w + gap); }
  int panel_y(int m) const { return top + (m / per_row) * (panel_h() + row_gap); }
  // Centre of the cell of panel m, depth row r, length column c.
  int cell_x(int m, int c) const { return panel_x(m) + c * cell_w + cell_w / 2; }
  int cell_y(int m, int r) const { return panel_y(m) + r * cell_h + cell_h / 2; }
};
HeatmapLayout heatmap_layout(const std::vector<RetrievalRow>& rows);
Canvas draw_retrieval_heatmaps(const std::vector<RetrievalRow>& rows, const std::string& title);

inline void plot_perplexity(const std::vector<PerplexityRow>& rows, const std::string& path, const std::string& title) {
  draw_perplexity(rows, title).save_png(path);
}
inline void plot_retrieval_heatmaps(const std::vector<RetrievalRow>& rows, const std::string& path,
                                    const std::string& title) {
  draw_retrieval_heatmaps(rows, title).save_png(path);
}

// Shared by the plots: "8K" for 8192, methods in first-seen order.
std::string plot_length_label(int length);
std::vector<std::string> first_seen(const std::vector<std::string>& names);

}  // namespace mrrope
