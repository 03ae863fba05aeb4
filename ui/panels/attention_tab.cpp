// Attention tab: what the GPU attention probe saw during the last answer.
// The pooled whole-context map (it fills in as the prefill advances), the
// last token's attention row, mean score by distance, and the document with
// each sentence (or paragraph) shaded by the attention the last token paid it.
// Probe settings apply to the next run; the AttentionSnapshot is the adapter.
#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "ui/app.h"
#include "ui/panels/attention_tab.h"
#include "ui/export/attention_map_image.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {
namespace {

struct TextUnit {
  std::string text;
  int begin = 0, end = 0;  // token range
  float weight = 0;        // attention of the last token, summed
};

std::vector<TextUnit> split_units(const std::vector<std::string>& pieces, bool paragraphs) {
  std::vector<TextUnit> units;
  TextUnit cur;
  auto flush = [&](int end) {
    cur.end = end;
    if (cur.end > cur.begin) units.push_back(cur);
    cur = TextUnit{};
    cur.begin = end;
  };
  for (int i = 0; i < int(pieces.size()); ++i) {
    const std::string& p = pieces[size_t(i)];
    cur.text += p;
    const bool para = cur.text.size() >= 2 && cur.text.compare(cur.text.size() - 2, 2, "\n\n") == 0;
    const char last = p.empty() ? 0 : p.back();
    const bool sentence = last == '.' || last == '!' || last == '?' || last == '\n';
    if (paragraphs ? para : sentence) flush(i + 1);
  }
  flush(int(pieces.size()));
  return units;
}

ImU32 heat(float t) {  // the colour scale Save PNG writes with (ui/export/attention_map_image.h)
  const MapColour c = heat_colour(t);
  return IM_COL32(c.r, c.g, c.b, 255);
}

}  // namespace

AttentionProbeConfig AttentionTab::probe_config(const RopeParams& rope, int tokens) const {
  AttentionProbeConfig probe;
  probe.layer = layer_;
  probe.head = head_;
  probe.grid = 64;
  const std::optional<ModelSummary>& model = app_.model();
  if (model && band_ != 0) {
    // Bands from the correction boundaries of the method in use.
    try {
      const RopeTable t = build_rope_table(model->rope, rope, tokens);
      const int half = model->rope.n_rot / 2;
      const int lo = std::clamp(t.d_low, 0, half), hi = std::clamp(t.d_high, lo, half);
      if (band_ == 1) probe.band_begin = 0, probe.band_end = std::max(1, lo);
      if (band_ == 2) probe.band_begin = lo, probe.band_end = std::max(lo + 1, hi);
      if (band_ == 3) probe.band_begin = std::min(hi, half - 1), probe.band_end = half;
    } catch (const std::exception&) {
    }
  }
  return probe;
}

void AttentionTab::draw() {
  const std::optional<ModelSummary>& model = app_.model();
  const std::optional<DocumentSummary>& document = app_.document();
  AppSession& session = app_.session();
  const int n_layer = model ? model->n_layer : 1, n_head = model ? model->n_head : 1;
  ImGui::SetNextItemWidth(160);
  ImGui::SliderInt("layer", &layer_, 0, std::max(0, n_layer - 1));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(160);
  std::vector<std::string> heads = {"mean of heads"};
  for (int h = 0; h < n_head; ++h) heads.push_back("head " + std::to_string(h));
  int head = head_ + 1;
  if (combo("head", &head, heads)) head_ = head - 1;
  ImGui::SameLine();
  static const std::vector<std::string> bands = {"all pairs", "low pairs (< d_l)", "middle pairs", "high pairs (>= d_h)"};
  ImGui::SetNextItemWidth(190);
  combo("band", &band_, bands);
  checkbox("log colour scale", &log_scale_);
  ImGui::SameLine();
  checkbox("mask first-token sink", &mask_sink_);
  ImGui::SameLine();
  checkbox("paragraphs", &per_paragraph_);
  ImGui::SameLine();
  ImGui::BeginDisabled(session.busy() || !model || !document || document->tokens == 0);
  if (button("Run with these settings")) {
    app_.qa_tab().watch_attention();
    app_.qa_tab().ask();
  }
  ImGui::EndDisabled();

  const AttentionSnapshot snap = session.attention();
  if (!snap.valid) {
    ImGui::TextDisabled("No attention yet: ask a question with 'watch attention' on (Q&A tab) or press Run.");
    return;
  }
  const AttentionProbeResult& r = snap.probe;
  ImGui::TextDisabled("layer %d, %s, pairs [%d, %s), %d positions seen, %dx%d cells of %d tokens", snap.config.layer,
                      snap.config.head < 0 ? "mean of heads" : ("head " + std::to_string(snap.config.head)).c_str(),
                      snap.config.band_begin, snap.config.band_end < 0 ? "end" : std::to_string(snap.config.band_end).c_str(),
                      r.tokens, r.grid, r.grid, r.block);
  if (r.window > 0)
    ImGui::TextDisabled("sliding-window layer: each token sees only its last %d keys (the rest get no attention)", r.window);

  const std::vector<TextUnit> units = [&] {
    auto u = split_units(snap.pieces, per_paragraph_);
    for (auto& t : u)
      for (int i = t.begin; i < t.end && i < int(r.last_row.size()); ++i)
        if (!(mask_sink_ && i == 0)) t.weight += r.last_row[size_t(i)];
    return u;
  }();

  const float avail = ImGui::GetContentRegionAvail().x;
  const float map_size = std::min(avail * 0.45f, ImGui::GetContentRegionAvail().y * 0.9f);
  // Heatmap, drawn as a grid of rectangles.
  ImGui::BeginGroup();
  {
    const int g = r.grid;
    const AttentionMapStyle style = map_style();
    const AttentionMapRange range = attention_map_range(r, style);
    const int used = range.used;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    dl->AddRectFilled(p, ImVec2(p.x + map_size, p.y + map_size),
                      IM_COL32(kMapBackground.r, kMapBackground.g, kMapBackground.b, 255));
    const float cell = used > 0 ? map_size / used : map_size;
    for (int row = 0; row < used; ++row)
      for (int col = 0; col <= row && col < used; ++col) {
        if (mask_sink_ && col == 0) continue;
        const float t = attention_map_level(r.map[size_t(row) * g + col], range, style);
        dl->AddRectFilled(ImVec2(p.x + col * cell, p.y + row * cell), ImVec2(p.x + (col + 1) * cell, p.y + (row + 1) * cell),
                          heat(t));
      }
    if (selected_unit_ >= 0 && selected_unit_ < int(units.size()) && r.block > 0) {
      const TextUnit& u = units[size_t(selected_unit_)];
      const float x0 = p.x + float(u.begin / r.block) * cell, x1 = p.x + float(u.end / r.block + 1) * cell;
      dl->AddRect(ImVec2(x0, p.y), ImVec2(x1, p.y + map_size), IM_COL32(255, 255, 255, 200), 0, 0, 2);
    }
    ImGui::InvisibleButton("heatmap", ImVec2(map_size, map_size));
    if (ImGui::IsItemHovered() && used > 0) {
      const ImVec2 m = ImGui::GetIO().MousePos;
      const int row = std::clamp(int((m.y - p.y) / cell), 0, used - 1), col = std::clamp(int((m.x - p.x) / cell), 0, used - 1);
      ImGui::SetTooltip("queries %d-%d -> keys %d-%d\nmean p = %.5f\nclick: show these keys in the text", row * r.block,
                        (row + 1) * r.block - 1, col * r.block, (col + 1) * r.block - 1, r.map[size_t(row) * g + col]);
      if (ImGui::IsItemClicked()) {
        const int key = col * r.block;
        for (size_t i = 0; i < units.size(); ++i)
          if (key >= units[i].begin && key < units[i].end) selected_unit_ = jump_to_unit_ = int(i);
      }
    }
    ImGui::TextDisabled("pooled map: rows = queries, columns = keys (%s)", log_scale_ ? "log" : "linear");
    app_.panel_png().draw_button(PanelShot::Attention);
  }
  ImGui::EndGroup();
  ImGui::SameLine();

  ImGui::BeginGroup();
  {
    const float w = ImGui::GetContentRegionAvail().x;
    std::vector<float> row = r.last_row;
    if (mask_sink_ && !row.empty()) row[0] = 0;
    ImGui::PlotLines("##last_row", row.data(), int(row.size()), 0, "last token's attention over positions", 0.0f,
                     FLT_MAX, ImVec2(w, 80));
    std::vector<float> by_distance = r.score_by_distance;
    // Buckets past the last scored distance (not reached yet, or past a local layer's window) are left off.
    while (!by_distance.empty() && std::isnan(by_distance.back())) by_distance.pop_back();
    float prev = 0;
    for (float& x : by_distance) x = std::isnan(x) ? prev : (prev = x);
    ImGui::PlotLines("##by_distance", by_distance.data(), int(by_distance.size()), 0, "mean score by distance", FLT_MAX,
                     FLT_MAX, ImVec2(w, 80));
    ImGui::TextDisabled("Text shaded by the last token's attention per %s (click one)", per_paragraph_ ? "paragraph" : "sentence");
    ImGui::BeginChild("attended_text", ImVec2(0, 0), true);
    float top = 0;
    for (const auto& u : units) top = std::max(top, u.weight);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (size_t i = 0; i < units.size(); ++i) {
      const TextUnit& u = units[i];
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const float wrap = ImGui::GetContentRegionAvail().x;
      const ImVec2 size = ImGui::CalcTextSize(u.text.c_str(), nullptr, false, wrap);
      const float t = top > 0 ? u.weight / top : 0;
      dl->AddRectFilled(p, ImVec2(p.x + wrap, p.y + size.y), IM_COL32(200, 140, 30, int(20 + 200 * t)));
      if (int(i) == selected_unit_) dl->AddRect(p, ImVec2(p.x + wrap, p.y + size.y), IM_COL32(255, 255, 255, 220));
      ImGui::PushID(int(i));
      ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
      ImGui::TextUnformatted(u.text.c_str());
      ImGui::PopTextWrapPos();
      if (ImGui::IsItemClicked()) selected_unit_ = int(i);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("tokens %d-%d: attention %.4f", u.begin, u.end - 1, u.weight);
      if (jump_to_unit_ == int(i)) {
        ImGui::SetScrollHereY(0.3f);
        jump_to_unit_ = -1;
      }
      ImGui::PopID();
    }
    ImGui::EndChild();
  }
  ImGui::EndGroup();
}

}  // namespace mrrope::ui
