#include "eval/plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "eval/canvas.h"

namespace mrrope {
namespace {

const Rgb kBlack{0, 0, 0}, kGrey{200, 200, 200};

std::string fmt(double v, const char* f = "%.1f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string length_label(int l) { return l >= 1024 && l % 1024 == 0 ? std::to_string(l / 1024) + "K" : std::to_string(l); }

std::vector<std::string> methods_in_order(const std::vector<std::string>& seen) {
  std::vector<std::string> out;
  for (const auto& m : seen)
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  return out;
}

}  // namespace

void plot_perplexity(const std::vector<PerplexityRow>& rows, const std::string& path, const std::string& title) {
  const int H = 640, left = 90, right = 220, top = 60, bottom = 80;
  const int W = std::max(1000, left + Canvas::text_width(title, 3) + 40);
  Canvas c(W, H);
  c.text(left, 18, title, kBlack, 3);
  std::set<int> lengths;
  std::vector<double> values;
  std::vector<std::string> names;
  for (const auto& r : rows) lengths.insert(r.length), values.push_back(r.perplexity), names.push_back(r.rope.method);
  if (rows.empty()) {
    c.text(left, H / 2, "no results", kBlack, 3);
    c.save_png(path);
    return;
  }
  // y from 0 to a cap that keeps collapsed methods from flattening the rest.
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const double ymax = std::min(sorted.back(), 4 * sorted[sorted.size() / 2]) * 1.1;
  const double lx0 = std::log2(*lengths.begin()), lx1 = std::log2(*lengths.rbegin());
  const int pw = W - left - right, ph = H - top - bottom;
  auto X = [&](int len) { return left + (lx1 > lx0 ? (std::log2(len) - lx0) / (lx1 - lx0) : 0.5) * pw; };
  auto Y = [&](double v) { return top + ph - std::min(v, ymax) / ymax * ph; };
  for (int i = 0; i <= 5; ++i) {
    const double v = ymax * i / 5;
    c.line(left, Y(v), left + pw, Y(v), kGrey);
    c.text(left - 10 - Canvas::text_width(fmt(v, "%.0f")), static_cast<int>(Y(v)) - 7, fmt(v, "%.0f"), kBlack);
  }
  for (int l : lengths) {
    c.line(X(l), top, X(l), top + ph, kGrey);
    c.text(static_cast<int>(X(l)) - Canvas::text_width(length_label(l)) / 2, top + ph + 10, length_label(l), kBlack);
  }
  c.line(left, top, left, top + ph, kBlack, 2);
  c.line(left, top + ph, left + pw, top + ph, kBlack, 2);
  c.text(left + pw / 2 - 120, H - 35, "context length (tokens, log scale)", kBlack);
  c.text(10, top - 16, "perplexity", kBlack);
  const auto methods = methods_in_order(names);
  for (size_t m = 0; m < methods.size(); ++m) {
    const Rgb col = series_colour(static_cast<int>(m));
    std::vector<std::pair<int, double>> pts;
    for (const auto& r : rows)
      if (r.rope.method == methods[m]) pts.push_back({r.length, r.perplexity});
    std::sort(pts.begin(), pts.end());
    for (size_t i = 0; i < pts.size(); ++i) {
      c.fill_rect(static_cast<int>(X(pts[i].first)) - 4, static_cast<int>(Y(pts[i].second)) - 4, 9, 9, col);
      if (i) c.line(X(pts[i - 1].first), Y(pts[i - 1].second), X(pts[i].first), Y(pts[i].second), col, 3);
    }
    const int ly = top + 10 + static_cast<int>(m) * 28;
    c.fill_rect(left + pw + 20, ly + 4, 30, 6, col);
    c.text(left + pw + 58, ly, methods[m], kBlack);
  }
  c.save_png(path);
}

void plot_retrieval_heatmaps(const std::vector<RetrievalRow>& rows, const std::string& path, const std::string& title) {
  std::vector<std::string> names;
  std::set<int> lengths;
  std::set<double> depths;
  std::map<std::string, std::map<std::pair<double, int>, std::pair<int, int>>> cells;  // method -> (depth, len) -> hits
  for (const auto& r : rows) {
    names.push_back(r.rope.method);
    lengths.insert(r.length);
    depths.insert(r.depth);
    auto& cell = cells[r.rope.method][{r.depth, r.length}];
    cell.first += r.correct;
    cell.second += 1;
  }
  const auto methods = methods_in_order(names);
  const int cw = 64, ch = 34, left = 80, top = 70, gap = 40;
  const int panel_w = std::max<int>(cw * static_cast<int>(lengths.size()), 200);
  const int panel_h = ch * static_cast<int>(depths.size());
  const std::string caption = "context length (tokens) ->   rows: needle depth (% of the document)";
  const int W = std::max({left + static_cast<int>(std::max<size_t>(methods.size(), 1)) * (panel_w + gap) + 20,
                          left + Canvas::text_width(caption) + 40, left + Canvas::text_width(title, 3) + 40});
  const int H = top + panel_h + 120;
  Canvas c(W, H);
  c.text(left, 15, title, kBlack, 3);
  for (size_t m = 0; m < methods.size(); ++m) {
    const int x0 = left + static_cast<int>(m) * (panel_w + gap);
    c.text(x0, top - 25, methods[m], kBlack, 2);
    int row = 0;
    for (double d : depths) {
      if (m == 0) c.text(left - 55, top + row * ch + 10, fmt(d * 100, "%.0f") + "%", kBlack);
      int col = 0;
      for (int l : lengths) {
        const auto it = cells[methods[m]].find({d, l});
        const int x = x0 + col * cw, y = top + row * ch;
        if (it != cells[methods[m]].end() && it->second.second > 0) {
          const double v = double(it->second.first) / it->second.second;
          c.fill_rect(x, y, cw - 2, ch - 2, recall_colour(v));
          const std::string s = fmt(v * 100, "%.0f");
          c.text(x + (cw - Canvas::text_width(s)) / 2, y + 10, s, kBlack);
        } else {
          c.fill_rect(x, y, cw - 2, ch - 2, kGrey);
        }
        if (row == static_cast<int>(depths.size()) - 1)
          c.text(x + (cw - Canvas::text_width(length_label(l))) / 2, y + ch + 8, length_label(l), kBlack);
        ++col;
      }
      ++row;
    }
  }
  c.text(left, top + panel_h + 40, caption, kBlack);
  // Colour legend: 0% red .. 100% green.
  for (int i = 0; i < 200; ++i) c.fill_rect(left + i, top + panel_h + 75, 1, 16, recall_colour(i / 199.0));
  c.text(left + 210, top + panel_h + 76, "recall 0% .. 100%", kBlack);
  c.save_png(path);
}

}  // namespace mrrope
