// Schedule tab: the per-pair divisors s_i of every method side by side at a
// length T (schedule_tab.h), pairs out of distribution in red.
#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "ui/app.h"
#include "ui/panels/method_panel.h"
#include "ui/panels/schedule_tab.h"
#include "ui/widgets/colors.h"

namespace mrrope::ui {
namespace {

std::string method_label(RopeMethod m) { return std::string(rope_method_name(m)); }

}  // namespace

void ScheduleTab::draw() {
  if (!app_.model()) {
    ImGui::TextDisabled("Open a model to see its schedules.");
    return;
  }
  const ModelSummary& m = *app_.model();
  const int doc_len = std::max(1, app_.qa_tab().estimated_prompt_tokens() + app_.qa_tab().max_new_tokens());
  ImGui::SetNextItemWidth(260);
  ImGui::SliderInt("T (0 = the document's length)", &length_, 0, 64 * m.n_ctx_train, "%d",
                   ImGuiSliderFlags_Logarithmic);
  const int n_needed = length_ > 0 ? length_ : doc_len;
  ImGui::TextWrapped("Per-pair divisor s_i (bars: log2 s_i) for every method at T = %d tokens "
                     "(L = %d). Red pairs are out of distribution: their target max angle T*theta_i/s_i exceeds the "
                     "trained L*theta_i while L*theta_i < 2 pi. Hover a bar for its numbers.",
                     n_needed, m.rope.n_ctx_orig > 0 ? m.rope.n_ctx_orig : m.n_ctx_train);
  struct Row {
    RopeMethod method;
    RopeTable table;
    std::vector<PairInspection> pairs;
    std::string error;
  };
  std::vector<Row> rows;
  float max_log2 = 1;
  for (const RopeMethodInfo& meth : rope_methods()) {
    Row r{meth.id, {}, {}, {}};
    try {
      r.table = build_rope_table(m.rope, app_.method_panel().rope_params(meth.id), n_needed);
      r.pairs = inspect_schedule(m.rope, r.table, n_needed);
      for (double d : r.table.divisor) max_log2 = std::max(max_log2, float(std::log2(std::max(1.0, d))));
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    rows.push_back(std::move(r));
  }
  const int columns = 2;
  if (ImGui::BeginTable("schedules", columns, ImGuiTableFlags_BordersInnerV)) {
    for (const Row& r : rows) {
      ImGui::TableNextColumn();
      const int ood = int(std::count_if(r.pairs.begin(), r.pairs.end(), [](const auto& p) { return p.out_of_distribution; }));
      ImGui::Text("%s", method_label(r.method).c_str());
      ImGui::SameLine();
      if (!r.error.empty()) {
        ImGui::TextColored(ImColor(colors::kWarning), "%s", r.error.c_str());
        continue;
      }
      ImGui::TextDisabled("S=%.2f m=%.3f d_l=%d d_h=%d  OOD pairs: %d", r.table.scale, r.table.attn_factor,
                          r.table.d_low, r.table.d_high, ood);
      divisor_plot(("##plot_" + method_label(r.method)).c_str(), r.table, r.pairs, max_log2,
                   ImVec2(ImGui::GetContentRegionAvail().x, 70));
    }
    ImGui::EndTable();
  }
}

}  // namespace mrrope::ui
