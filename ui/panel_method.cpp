// Method panel: the RoPE method and its parameters, the values actually
// applied, what the file declares, and warnings. The schedule tab plots the
// per-pair divisors of every method side by side.
#include <algorithm>
#include <cmath>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "ui/app.h"
#include "ui/format.h"
#include "ui/click_targets.h"

namespace mrrope::ui {
namespace {

std::string method_label(RopeMethod m) { return std::string(rope_method_name(m)); }

void method_tooltip(const RopeMethodInfo& m) {
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%.*s", int(m.label.size()), m.label.data());
}

// Bars of log2(s_i) per pair; pairs out of distribution at the target length in red.
void divisor_plot(const char* id, const RopeTable& table, const std::vector<PairInspection>& pairs, float max_log2,
                  ImVec2 size) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(30, 30, 38, 255));
  const size_t n = table.divisor.size();
  const float bw = n ? size.x / float(n) : size.x;
  for (size_t i = 0; i < n; ++i) {
    const float v = float(std::log2(std::max(1.0, table.divisor[i])));
    const float h = max_log2 > 0 ? size.y * std::min(1.0f, v / max_log2) : 0;
    const bool ood = i < pairs.size() && pairs[i].out_of_distribution;
    const ImU32 c = ood ? IM_COL32(230, 80, 80, 255) : IM_COL32(90, 160, 230, 255);
    dl->AddRectFilled(ImVec2(p.x + bw * i + 1, p.y + size.y - std::max(1.0f, h)), ImVec2(p.x + bw * (i + 1), p.y + size.y), c);
  }
  ImGui::InvisibleButton(id, size);
  if (ImGui::IsItemHovered() && n) {
    const int i = std::clamp(int((ImGui::GetIO().MousePos.x - p.x) / bw), 0, int(n) - 1);
    ImGui::BeginTooltip();
    ImGui::Text("pair %d: s = %.3f", i, table.divisor[size_t(i)]);
    if (size_t(i) < pairs.size())
      ImGui::Text("wavelength %.1f tokens\ntrained max angle %.2f, target %.2f%s", pairs[size_t(i)].wavelength,
                  pairs[size_t(i)].trained_max_angle, pairs[size_t(i)].target_max_angle,
                  pairs[size_t(i)].out_of_distribution ? "\nOUT OF DISTRIBUTION" : "");
    ImGui::EndTooltip();
  }
}

}  // namespace

void MethodSet::set(RopeMethod m, bool on) {
  if (on && !has(m)) on_.push_back(m);
  if (!on) on_.erase(std::remove(on_.begin(), on_.end(), m), on_.end());
}

std::vector<RopeMethod> MethodSet::in_registry_order() const {
  std::vector<RopeMethod> out;
  for (const RopeMethodInfo& m : rope_methods())
    if (has(m.id)) out.push_back(m.id);
  return out;
}

void MethodSet::draw_checkboxes(const char* id_suffix) {
  for (const RopeMethodInfo& m : rope_methods()) {
    ImGui::SameLine();
    bool on = has(m.id);
    if (ImGui::Checkbox((std::string(m.name) + id_suffix).c_str(), &on)) set(m.id, on);
    method_tooltip(m);
  }
}

void App::draw_method_panel() {
  if (ImGui::BeginCombo("Method", method_label(method_.method).c_str())) {
    for (const RopeMethodInfo& m : rope_methods()) {
      if (ImGui::Selectable(method_label(m.id).c_str(), m.id == method_.method)) method_.method = m.id;
      method_tooltip(m);
    }
    ImGui::EndCombo();
  }
  ImGui::Checkbox("S auto", &method_.auto_scale);
  ImGui::SameLine();
  ImGui::BeginDisabled(method_.auto_scale);
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
  ImGui::SliderFloat("S", &method_.scale, 1.0f, 64.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
  ImGui::EndDisabled();
  auto optional_param = [](const char* label, bool* on, float* v, float lo, float hi) {
    ImGui::PushID(label);
    ImGui::Checkbox("##on", on);
    ImGui::SameLine();
    ImGui::BeginDisabled(!*on);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    ImGui::SliderFloat(label, v, lo, hi, "%.3f");
    ImGui::EndDisabled();
    ImGui::PopID();
  };
  optional_param("alpha (beta_fast)", &method_.set_alpha, &method_.alpha, 1.0f, 64.0f);
  optional_param("beta (beta_slow)", &method_.set_beta, &method_.beta, 0.0f, 8.0f);
  optional_param("attention factor m", &method_.set_attn, &method_.attn, 0.5f, 2.0f);
  if (rope_method_info(method_.method).uses & kUsesLambdas) {
    ImGui::TextDisabled("Custom lambdas (one per pair, >= 1, comma or newline separated)");
    ImGui::InputTextMultiline("##lambda", &method_.custom_lambda, ImVec2(-1, ImGui::GetTextLineHeight() * 3));
    if (model_ && small_button("Fill: geometric ramp to S")) method_.custom_lambda = custom_ramp();
    if (method_.custom_lambda.empty()) ImGui::TextDisabled("(empty: the geometric ramp to S is used)");
    else try {
      parse_custom_schedule(method_.custom_lambda);
    } catch (const RopeError& e) {
      ImGui::TextColored(ImColor(colors::kError), "%s", e.what());
    }
  }
  if (!model_) return;
  const ModelSummary& m = *model_;
  ImGui::Separator();
  const int n_needed = estimated_prompt_tokens() + max_new_tokens_;
  try {
    const RopeTable t = build_rope_table(m.rope, rope_params(method_.method), n_needed);
    ImGui::Text("Applied: S = %.3f, d_l = %d, d_h = %d, m = %.4f, b = %g, L = %d", t.scale, t.d_low, t.d_high,
                t.attn_factor, t.freq_base, t.n_ctx_orig);
    ImGui::TextWrapped("%s", t.description.c_str());
    const auto pairs = inspect_schedule(m.rope, t, std::max(1, n_needed));
    const int ood = int(std::count_if(pairs.begin(), pairs.end(), [](const auto& p) { return p.out_of_distribution; }));
    float max_log2 = 1;
    for (double d : t.divisor) max_log2 = std::max(max_log2, float(std::log2(std::max(1.0, d))));
    divisor_plot("##applied_plot", t, pairs, max_log2, ImVec2(ImGui::GetContentRegionAvail().x, 48));
    ImGui::TextDisabled("log2 s_i per pair; %d of %zu pairs out of distribution at %d tokens (red)", ood, pairs.size(),
                        n_needed);
  } catch (const std::exception& e) {
    ImGui::TextColored(ImColor(colors::kError), "%s", e.what());
  }
  if (!m.rope_layers_note.empty()) ImGui::TextWrapped("%s.", m.rope_layers_note.c_str());
  ImGui::TextDisabled("File declares: scaling %s, rope_freqs %s, L = %d", m.native_scaling.c_str(),
                      m.rope.freq_factors.empty() ? "absent" : "present", m.rope.n_ctx_orig > 0 ? m.rope.n_ctx_orig : m.n_ctx_train);
  if (m.rope.native_scaling != NativeScaling::None && method_.method != RopeMethod::Native &&
      method_.method != RopeMethod::None)
    ImGui::TextColored(ImColor(colors::kWarning),
                       "The file already declares %s scaling: %s is applied on the model's base frequencies, not "
                       "stacked on it; choose 'native' to use the file's own.", m.native_scaling.c_str(),
                       method_label(method_.method).c_str());
  if (!m.has_scaling_metadata)
    ImGui::TextColored(ImColor(colors::kWarning), "No rope.scaling metadata in the file: 'native' means no scaling.");
}

void App::draw_schedule_tab() {
  if (!model_) {
    ImGui::TextDisabled("Open a model to see its schedules.");
    return;
  }
  const ModelSummary& m = *model_;
  const int doc_len = std::max(1, estimated_prompt_tokens() + max_new_tokens_);
  ImGui::SetNextItemWidth(260);
  ImGui::SliderInt("T (0 = the document's length)", &schedule_length_, 0, 64 * m.n_ctx_train, "%d",
                   ImGuiSliderFlags_Logarithmic);
  const int n_needed = schedule_length_ > 0 ? schedule_length_ : doc_len;
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
      r.table = build_rope_table(m.rope, rope_params(meth.id), n_needed);
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
