#include "ui/panels/eval_grid.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "eval/plot_canvas.h"
#include "eval/plots.h"
#include "rope/rope_methods.h"

namespace mrrope::ui {
namespace {

// The same colours as the exported PNGs (eval/plot_canvas.h).
ImU32 to_imgui(Rgb c, int alpha = 255) { return IM_COL32(c.r, c.g, c.b, alpha); }

template <typename T>
int index_of(const std::vector<T>& v, T x) {
  const auto it = std::find(v.begin(), v.end(), x);
  return it == v.end() ? -1 : static_cast<int>(it - v.begin());
}

ImVec4 finish(ImVec2 origin, ImVec2 size) {
  ImGui::Dummy(size);  // the area the draw list used: later widgets go below it
  return ImVec4(origin.x, origin.y, size.x, size.y);
}

// Names for drawing: ImGui wants NUL-terminated strings, and the registry's are literals.
const char* method_name(RopeMethod m) { return rope_method_info(m).name.data(); }

}  // namespace

ImVec4 draw_retrieval_grid(const EvalState& s, int* filled) {
  const SweepConfig& c = s.request.config;
  const auto& methods = c.methods;
  const auto& lengths = c.lengths;
  const auto& depths = c.depths;
  *filled = 0;
  if (methods.empty() || lengths.empty() || depths.empty()) return {};
  // Score sum, fully correct and finished trials per (method, depth, length) cell.
  const size_t nm = methods.size(), nd = depths.size(), nl = lengths.size();
  std::vector<int> correct(nm * nd * nl, 0), runs(nm * nd * nl, 0);
  std::vector<double> score(nm * nd * nl, 0);
  for (const RetrievalRow& r : s.retrieval) {
    const int m = index_of(methods, r.rope.method), l = index_of(lengths, r.length), d = index_of(depths, r.depth);
    if (m < 0 || l < 0 || d < 0) continue;
    const size_t i = (size_t(m) * nd + size_t(d)) * nl + size_t(l);
    runs[i] += 1;
    correct[i] += r.correct;
    score[i] += r.score;
  }

  // Panels side by side, wrapping to the next row when the tab is narrow.
  const float label_w = ImGui::CalcTextSize("100%").x + 8, text_h = ImGui::GetTextLineHeight();
  const float avail = ImGui::GetContentRegionAvail().x, gap = 24;
  const float cell_w = std::clamp((avail - 3 * (label_w + gap)) / float(std::min<size_t>(nm, 3) * nl), 28.0f, 72.0f);
  const float cell_h = std::clamp(cell_w * 0.5f, 18.0f, 28.0f);
  const float panel_w = label_w + cell_w * float(nl), panel_h = text_h + 4 + cell_h * float(nd) + text_h + 6;
  const int per_row = std::max(1, int((avail + gap) / (panel_w + gap)));
  const int rows_of_panels = int((nm + size_t(per_row) - 1) / size_t(per_row));
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 size(std::min(avail, float(std::min<size_t>(nm, size_t(per_row))) * (panel_w + gap)),
                    float(rows_of_panels) * (panel_h + gap) - gap);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const ImU32 empty = ImGui::GetColorU32(ImGuiCol_FrameBg);
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool hovered_window = ImGui::IsWindowHovered();

  for (size_t m = 0; m < nm; ++m) {
    const float px = origin.x + float(m % size_t(per_row)) * (panel_w + gap);
    const float py = origin.y + float(m / size_t(per_row)) * (panel_h + gap);
    dl->AddText(ImVec2(px + label_w, py), text, method_name(methods[m]));
    const float gy = py + text_h + 4;
    for (size_t d = 0; d < nd; ++d) {
      char label[16];
      std::snprintf(label, sizeof label, "%.0f%%", depths[d] * 100);
      dl->AddText(ImVec2(px + label_w - 6 - ImGui::CalcTextSize(label).x, gy + float(d) * cell_h + (cell_h - text_h) / 2),
                  dim, label);
      for (size_t l = 0; l < nl; ++l) {
        const size_t i = (m * nd + d) * nl + l;
        const ImVec2 a(px + label_w + float(l) * cell_w, gy + float(d) * cell_h);
        const ImVec2 b(a.x + cell_w - 2, a.y + cell_h - 2);
        if (runs[i] == 0) {
          dl->AddRectFilled(a, b, empty);  // not run yet
        } else {
          ++*filled;
          const double recall = score[i] / runs[i];
          dl->AddRectFilled(a, b, to_imgui(recall_colour(recall)));
          char value[16];
          std::snprintf(value, sizeof value, "%.0f", recall * 100);
          const ImVec2 tw = ImGui::CalcTextSize(value);
          if (tw.x < cell_w - 4)
            dl->AddText(ImVec2((a.x + b.x - tw.x) / 2, (a.y + b.y - tw.y) / 2), IM_COL32(0, 0, 0, 255), value);
        }
        if (hovered_window && mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y) {
          if (runs[i] == 0)
            ImGui::SetTooltip("%s, %d tokens, depth %.0f%%: not run yet", method_name(methods[m]), lengths[l],
                              depths[d] * 100);
          else
            ImGui::SetTooltip("%s, %d tokens, depth %.0f%%: %d / %d fully correct, mean score %.0f%%%s",
                              method_name(methods[m]), lengths[l], depths[d] * 100, correct[i], runs[i],
                              100.0 * score[i] / runs[i],
                              runs[i] < c.trials ? "\nmore trials to come" : "");
        }
      }
    }
    for (size_t l = 0; l < nl; ++l) {
      const std::string label = plot_length_label(lengths[l]);
      const float tw = ImGui::CalcTextSize(label.c_str()).x;
      dl->AddText(ImVec2(px + label_w + float(l) * cell_w + (cell_w - tw) / 2, gy + float(nd) * cell_h + 2), dim,
                  label.c_str());
    }
  }
  return finish(origin, size);
}

ImVec4 draw_perplexity_lines(const EvalState& s, int* filled) {
  const SweepConfig& c = s.request.config;
  *filled = static_cast<int>(s.perplexity.size());
  std::vector<int> lengths = c.lengths;
  std::sort(lengths.begin(), lengths.end());
  lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
  if (lengths.empty()) return {};
  double lo = 1e300, hi = 0;
  for (const PerplexityRow& r : s.perplexity) lo = std::min(lo, r.perplexity), hi = std::max(hi, r.perplexity);
  if (hi <= 0) lo = 1, hi = 10;            // nothing yet: an empty frame
  if (hi - lo < 1e-6) lo *= 0.9, hi *= 1.1;  // one value: give it room
  // Log axes: perplexity explodes past the usable context and the lengths double.
  const double ylo = std::log(lo), yhi = std::log(hi);

  const float text_h = ImGui::GetTextLineHeight(), left = ImGui::CalcTextSize("00000.0").x + 10;
  const float avail = ImGui::GetContentRegionAvail().x;
  const ImVec2 origin = ImGui::GetCursorScreenPos(), size(std::max(300.0f, avail), 300.0f);
  const ImVec2 p0(origin.x + left, origin.y + text_h), p1(origin.x + size.x - 150, origin.y + size.y - 2 * text_h - 6);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 frame = ImGui::GetColorU32(ImGuiCol_Border), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  dl->AddRect(p0, p1, frame);
  auto X = [&](int length) {
    const size_t i = size_t(std::find(lengths.begin(), lengths.end(), length) - lengths.begin());
    return lengths.size() == 1 ? (p0.x + p1.x) / 2 : p0.x + 12 + float(i) * (p1.x - p0.x - 24) / float(lengths.size() - 1);
  };
  auto Y = [&](double ppl) { return p1.y - 8 - float((std::log(ppl) - ylo) / (yhi - ylo)) * (p1.y - p0.y - 16); };
  for (int l : lengths) {
    const std::string label = plot_length_label(l);
    dl->AddLine(ImVec2(X(l), p0.y), ImVec2(X(l), p1.y), IM_COL32(128, 128, 128, 40));
    dl->AddText(ImVec2(X(l) - ImGui::CalcTextSize(label.c_str()).x / 2, p1.y + 3), dim, label.c_str());
  }
  for (int k = 0; k <= 4; ++k) {
    const double v = std::exp(ylo + (yhi - ylo) * k / 4);
    char label[32];
    std::snprintf(label, sizeof label, "%.1f", v);
    dl->AddText(ImVec2(origin.x, Y(v) - text_h / 2), dim, label);
  }
  dl->AddText(ImVec2(p0.x, p1.y + text_h + 4), dim, "context length (tokens), perplexity on a log scale");

  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool hovered_window = ImGui::IsWindowHovered();
  for (size_t m = 0; m < c.methods.size(); ++m) {
    const ImU32 col = to_imgui(series_colour(int(m)));
    std::vector<std::pair<int, const PerplexityRow*>> pts;
    for (const PerplexityRow& r : s.perplexity)
      if (r.rope.method == c.methods[m]) pts.push_back({r.length, &r});
    std::sort(pts.begin(), pts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < pts.size(); ++i) {
      const ImVec2 p(X(pts[i].first), Y(pts[i].second->perplexity));
      if (i > 0) dl->AddLine(ImVec2(X(pts[i - 1].first), Y(pts[i - 1].second->perplexity)), p, col, 2.0f);
      dl->AddCircleFilled(p, 4, col);
      if (hovered_window && std::abs(mouse.x - p.x) < 6 && std::abs(mouse.y - p.y) < 6)
        ImGui::SetTooltip("%s at %d tokens: perplexity %.3f (%d windows)%s", method_name(c.methods[m]), pts[i].first,
                          pts[i].second->perplexity, pts[i].second->windows,
                          pts[i].second->seconds == 0 ? "\nsame schedule as an earlier method: copied" : "");
    }
    // Legend on the right.
    const ImVec2 lp(p1.x + 12, p0.y + float(m) * (text_h + 4));
    dl->AddRectFilled(ImVec2(lp.x, lp.y + 3), ImVec2(lp.x + 14, lp.y + text_h - 3), col);
    dl->AddText(ImVec2(lp.x + 20, lp.y), ImGui::GetColorU32(ImGuiCol_Text), method_name(c.methods[m]));
  }
  return finish(origin, size);
}

}  // namespace mrrope::ui
