// Method panel: the RoPE method and its parameters, the values actually
// applied, what the file declares, and warnings (state: method_panel.h).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "ui/app.h"
#include "ui/panels/method_panel.h"
#include "ui/settings.h"
#include "ui/util/format.h"
#include "ui/widgets/click_targets.h"
#include "ui/widgets/method_set.h"

namespace mrrope::ui {
namespace {

std::string method_label(RopeMethod m) { return std::string(rope_method_name(m)); }

}  // namespace

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

RopeParams MethodPanel::rope_params(RopeMethod method) const {
  RopeParams p;
  p.method = method;
  p.scale = choice_.user_scale();
  if (choice_.set_alpha) p.alpha = choice_.alpha;
  if (choice_.set_beta) p.beta = choice_.beta;
  if (choice_.set_attn) p.attn_factor = choice_.attn;
  if (rope_method_info(method).uses & kUsesLambdas) {
    try {
      p.custom_lambda = parse_custom_schedule(choice_.custom_lambda);
    } catch (const RopeError&) {
      // build_rope_table reports the missing lambdas; the editor shows the parse error.
    }
    if (choice_.custom_lambda.empty() && app_.model()) p.custom_lambda = parse_custom_schedule(custom_ramp());
  }
  return p;
}

std::string MethodPanel::custom_ramp() const {
  // D/2-1 equal ratios whose product is S: a geometric ramp of divisors.
  const int n = app_.model() ? app_.model()->rope.n_rot / 2 - 1 : 0;
  const double s = choice_.auto_scale ? 4.0 : double(choice_.scale);
  std::string out;
  for (int i = 0; i < n; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", std::pow(s, 1.0 / std::max(1, n)));
    out += buf;
    if (i + 1 < n) out += ", ";
  }
  return out;
}

void MethodPanel::load(const Settings& s) {
  try {
    choice_.method = parse_rope_method(s.get("method", "mrrope-pro"));
  } catch (const RopeError&) {
  }
  choice_.set_user_scale(s.get_double("scale", 0));
}

void MethodPanel::save(Settings& s) const {
  s.set("method", std::string(rope_method_name(choice_.method)));
  s.set("scale", choice_.user_scale());
}

void MethodPanel::draw() {
  std::vector<std::string> names;
  int chosen = 0;
  for (const RopeMethodInfo& m : rope_methods()) {
    if (m.id == choice_.method) chosen = static_cast<int>(names.size());
    names.push_back(method_label(m.id));
  }
  if (combo("Method", &chosen, names, nullptr, [](int i) { method_tooltip(rope_methods()[size_t(i)]); }))
    choice_.method = rope_methods()[size_t(chosen)].id;
  checkbox("S auto", &choice_.auto_scale);
  ImGui::SameLine();
  ImGui::BeginDisabled(choice_.auto_scale);
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
  ImGui::SliderFloat("S", &choice_.scale, 1.0f, 64.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
  ImGui::EndDisabled();
  auto optional_param = [](const char* label, bool* on, float* v, float lo, float hi) {
    ImGui::PushID(label);
    checkbox(("##" + std::string(label)).c_str(), on);  // clickable by the slider's label
    ImGui::SameLine();
    ImGui::BeginDisabled(!*on);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    ImGui::SliderFloat(label, v, lo, hi, "%.3f");
    ImGui::EndDisabled();
    ImGui::PopID();
  };
  optional_param("alpha (beta_fast)", &choice_.set_alpha, &choice_.alpha, 1.0f, 64.0f);
  optional_param("beta (beta_slow)", &choice_.set_beta, &choice_.beta, 0.0f, 8.0f);
  optional_param("attention factor m", &choice_.set_attn, &choice_.attn, 0.5f, 2.0f);
  if (rope_method_info(choice_.method).uses & kUsesLambdas) {
    ImGui::TextDisabled("Custom lambdas (one per pair, >= 1, comma or newline separated)");
    ImGui::InputTextMultiline("##lambda", &choice_.custom_lambda, ImVec2(-1, ImGui::GetTextLineHeight() * 3));
    if (app_.model() && small_button("Fill: geometric ramp to S")) choice_.custom_lambda = custom_ramp();
    if (choice_.custom_lambda.empty()) ImGui::TextDisabled("(empty: the geometric ramp to S is used)");
    else try {
      parse_custom_schedule(choice_.custom_lambda);
    } catch (const RopeError& e) {
      ImGui::TextColored(ImColor(colors::kError), "%s", e.what());
    }
  }
  if (!app_.model()) return;
  const ModelSummary& m = *app_.model();
  ImGui::Separator();
  const int n_needed = app_.qa_tab().estimated_prompt_tokens() + app_.qa_tab().max_new_tokens();
  try {
    const RopeTable t = build_rope_table(m.rope, rope_params(choice_.method), n_needed);
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
  if (m.rope.native_scaling != NativeScaling::None && choice_.method != RopeMethod::Native &&
      choice_.method != RopeMethod::None)
    ImGui::TextColored(ImColor(colors::kWarning),
                       "The file already declares %s scaling: %s is applied on the model's base frequencies, not "
                       "stacked on it; choose 'native' to use the file's own.", m.native_scaling.c_str(),
                       method_label(choice_.method).c_str());
  if (!m.has_scaling_metadata)
    ImGui::TextColored(ImColor(colors::kWarning), "No rope.scaling metadata in the file: 'native' means no scaling.");
}

}  // namespace mrrope::ui
