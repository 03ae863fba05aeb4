#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "eval/plots.h"

namespace mrrope {
namespace {

const Rgb kBlack{0, 0, 0}, kGrey{200, 200, 200};

std::string fmt(double v, const char* f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// A y range from 0 to a cap that keeps a collapsed method from flattening the rest.
double capped_max(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const double top = std::min(values.back(), 4 * values[values.size() / 2]) * 1.1;
  return top > 0 ? top : 1;
}

struct Panel {
  int x, y, w, h;
};

void axes(Canvas& c, const Panel& p, double ymax, const char* y_format, const std::string& x_label,
          const std::string& y_label) {
  for (int i = 0; i <= 5; ++i) {
    const double v = ymax * i / 5;
    const int y = p.y + p.h - static_cast<int>(std::lround(v / ymax * p.h));
    c.line(p.x, y, p.x + p.w, y, kGrey);
    c.text(p.x - 10 - Canvas::text_width(fmt(v, y_format)), y - 7, fmt(v, y_format), kBlack);
  }
  c.line(p.x, p.y, p.x, p.y + p.h, kBlack, 2);
  c.line(p.x, p.y + p.h, p.x + p.w, p.y + p.h, kBlack, 2);
  c.text(p.x + (p.w - Canvas::text_width(x_label)) / 2, p.y + p.h + 40, x_label, kBlack);
  c.text(p.x - 60, p.y - 24, y_label, kBlack);
}

}  // namespace

Canvas draw_perplexity(const std::vector<PerplexityRow>& rows, const std::string& title) {
  const int H = 640, legend_w = 200, panel_w = 560;
  const int W = std::max(2 * (panel_w + 110) + legend_w, 90 + Canvas::text_width(title, 3) + 40);
  Canvas c(W, H);
  c.text(90, 18, title, kBlack, 3);
  if (rows.empty()) {
    c.text(90, H / 2, "no results", kBlack, 3);
    return c;
  }
  std::vector<std::string> names;
  std::set<int> lengths;
  std::vector<double> values;
  for (const auto& r : rows) names.push_back(std::string(rope_method_name(r.rope.method))), lengths.insert(r.length), values.push_back(r.perplexity);
  const auto methods = first_seen(names);

  // Left: perplexity against length, log2 axis.
  const Panel pp{90, 80, panel_w, H - 80 - 90};
  const double ymax = capped_max(values);
  const double lx0 = std::log2(*lengths.begin()), lx1 = std::log2(*lengths.rbegin());
  auto X = [&](int len) { return pp.x + (lx1 > lx0 ? (std::log2(len) - lx0) / (lx1 - lx0) : 0.5) * pp.w; };
  auto Y = [&](double v) { return pp.y + pp.h - std::min(v, ymax) / ymax * pp.h; };
  axes(c, pp, ymax, "%.0f", "context length (tokens, log2 scale)", "perplexity");
  for (int l : lengths)
    c.text(static_cast<int>(X(l)) - Canvas::text_width(plot_length_label(l)) / 2, pp.y + pp.h + 10,
           plot_length_label(l), kBlack);
  // Points above the cap sit on the top edge with their true value written
  // beside them, stacked when several methods leave the axis at one length.
  std::map<int, int> clipped_at_length;
  for (size_t m = 0; m < methods.size(); ++m) {
    const Rgb col = series_colour(static_cast<int>(m));
    std::vector<std::pair<int, double>> pts;
    for (const auto& r : rows)
      if (rope_method_name(r.rope.method) == methods[m]) pts.push_back({r.length, r.perplexity});
    std::sort(pts.begin(), pts.end());
    for (size_t i = 0; i < pts.size(); ++i) {
      c.fill_rect(static_cast<int>(X(pts[i].first)) - 4, static_cast<int>(Y(pts[i].second)) - 4, 9, 9, col);
      if (i) c.line(X(pts[i - 1].first), Y(pts[i - 1].second), X(pts[i].first), Y(pts[i].second), col, 3);
      if (pts[i].second > ymax) {
        const std::string label = "^" + fmt(pts[i].second, "%.0f");
        const int row = clipped_at_length[pts[i].first]++;
        c.text(static_cast<int>(X(pts[i].first)) - Canvas::text_width(label) - 8, pp.y + 4 + 18 * row, label, col);
      }
    }
  }

  // Right: mean NLL per position bucket at the longest length.
  const int longest = *lengths.rbegin();
  const Panel lp{pp.x + pp.w + 110, pp.y, panel_w, pp.h};
  std::vector<double> nll;
  for (const auto& r : rows)
    if (r.length == longest) nll.insert(nll.end(), r.nll_by_position.begin(), r.nll_by_position.end());
  if (!nll.empty()) {
    const double nmax = capped_max(nll);
    axes(c, lp, nmax, "%.1f", "position in the window (tokens)", "mean NLL at " + plot_length_label(longest));
    for (int i = 0; i <= 4; ++i) {
      const std::string s = std::to_string(longest * i / 4);
      c.text(lp.x + lp.w * i / 4 - Canvas::text_width(s) / 2, lp.y + lp.h + 10, s, kBlack);
    }
    for (size_t m = 0; m < methods.size(); ++m)
      for (const auto& r : rows) {
        if (rope_method_name(r.rope.method) != methods[m] || r.length != longest || r.nll_by_position.empty()) continue;
        const size_t n = r.nll_by_position.size();
        auto px = [&](size_t b) { return lp.x + (b + 0.5) / n * lp.w; };
        auto py = [&](double v) { return lp.y + lp.h - std::min(v, nmax) / nmax * lp.h; };
        for (size_t b = 1; b < n; ++b)
          c.line(px(b - 1), py(r.nll_by_position[b - 1]), px(b), py(r.nll_by_position[b]),
                 series_colour(static_cast<int>(m)), 3);
      }
  }

  // Legend.
  for (size_t m = 0; m < methods.size(); ++m) {
    const int lx = lp.x + lp.w + 30, ly = pp.y + 10 + static_cast<int>(m) * 28;
    c.fill_rect(lx, ly + 4, 30, 6, series_colour(static_cast<int>(m)));
    c.text(lx + 38, ly, methods[m], kBlack);
  }
  return c;
}

}  // namespace mrrope
