// Side by side: the same document and question under 2-4 methods, run one
// after the other on the worker, with each method's time and loss curve.
#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "ui/app.h"

namespace mrrope::ui {
namespace {

// Moving average so that a long document's curve stays readable.
std::vector<float> smooth(const std::vector<float>& v, int window) {
  std::vector<float> out(v.size());
  double sum = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    sum += v[i];
    if (i >= size_t(window)) sum -= v[i - size_t(window)];
    out[i] = float(sum / double(std::min(i + 1, size_t(window))));
  }
  return out;
}

}  // namespace

void App::draw_compare_tab() {
  ImGui::TextDisabled("Methods (2-4):");
  compare_methods_.draw_checkboxes("");
  const int chosen = compare_methods_.size();
  ImGui::Checkbox("loss curve over the document", &compare_loss_);
  ImGui::SameLine();
  const bool ok = chosen >= 2 && chosen <= 4 && model_ && document_ && document_->tokens > 0 && !question_.empty();
  ImGui::BeginDisabled(!ok || session_.busy());
  if (ImGui::Button("Run side by side")) compare(compare_methods_.in_registry_order());
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!session_.busy());
  if (ImGui::Button("Stop##compare")) session_.cancel();
  ImGui::EndDisabled();
  if (chosen < 2 || chosen > 4) {
    ImGui::SameLine();
    ImGui::TextDisabled("choose 2 to 4 methods");
  }
  const std::vector<Answer> answers = session_.comparison();
  if (!answers.empty()) {
    ImGui::SameLine();
    draw_panel_png_button(PanelShot::Compare);
  }
  const ImVec2 top = ImGui::GetCursorScreenPos();  // Save PNG takes the question and the answers
  ImGui::TextDisabled("Question: %s", question_.c_str());

  if (answers.empty()) return;
  float loss_max = 0;
  for (const Answer& a : answers)
    for (float v : a.loss) loss_max = std::max(loss_max, v);
  if (ImGui::BeginTable("compare", int(answers.size()), ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable)) {
    for (const Answer& a : answers) ImGui::TableSetupColumn(a.method.c_str());
    ImGui::TableHeadersRow();
    ImGui::TableNextRow();
    for (const Answer& a : answers) {
      ImGui::TableNextColumn();
      ImGui::PushID(&a);
      if (!a.error.empty()) ImGui::TextColored(ImColor(colors::kError), "%s", a.error.c_str());
      if (a.prompt_tokens == 0 && a.error.empty()) {
        ImGui::TextDisabled("waiting");
      } else {
        ImGui::TextDisabled("%.1f s | %d tokens | %.1f tok/s%s%s", a.seconds, a.new_tokens, a.decode_tps,
                            a.stop_reason.empty() ? "" : " | ", a.stop_reason.c_str());
        ImGui::TextWrapped("%s", a.text.empty() ? "..." : a.text.c_str());
        if (!a.loss.empty()) {
          double mean = 0;
          for (float v : a.loss) mean += v;
          mean /= double(a.loss.size());
          const auto curve = smooth(a.loss, std::max(1, int(a.loss.size() / 64)));
          char overlay[64];
          std::snprintf(overlay, sizeof overlay, "mean NLL %.3f (ppl %.1f)", mean, std::exp(mean));
          ImGui::PlotLines("##loss", curve.data(), int(curve.size()), 0, overlay, 0.0f, loss_max,
                           ImVec2(ImGui::GetContentRegionAvail().x, 90));
          ImGui::TextDisabled("loss per position over %zu document tokens", a.loss.size());
        }
        if (ImGui::SmallButton("Copy")) ImGui::SetClipboardText(a.text.c_str());
      }
      ImGui::PopID();
    }
    ImGui::EndTable();
    // The table as far as it is visible (a long answer scrolls past the window's edge).
    const ImVec2 end = ImGui::GetItemRectMax(), clip = ImGui::GetWindowDrawList()->GetClipRectMax();
    note_panel_rect(PanelShot::Compare, top.x, top.y, std::min(end.x, clip.x), std::min(end.y, clip.y));
  }
}

}  // namespace mrrope::ui
