// Evaluation: a retrieval (passkey, needle, RULER-style) or perplexity sweep over methods x lengths
// (x depths x trials) run by runtime/eval on the worker, the grid filling in
// as runs finish, the effective context per method, and CSV/JSON/PNG export.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "eval/effective_context.h"
#include "eval/eval_args.h"
#include "eval/eval_tasks.h"
#include "eval/plots.h"
#include "ui/app.h"
#include "ui/panels/eval_tab.h"
#include "ui/panels/eval_grid.h"
#include "ui/util/format.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {
namespace {

constexpr const char* kPerplexityTitle = "Perplexity";

std::string task_title(const std::string& task) {
  return task == "ppl" ? kPerplexityTitle : std::string(eval_task(task).title);
}

std::vector<int> parse_lengths(const std::string& text) {
  std::vector<int> out;
  for (const auto& item : split_list(text, "lengths")) out.push_back(parse_length(item));  // throws with the item
  return out;
}

std::vector<double> parse_depths(const std::string& text) {
  std::vector<double> out;
  for (const auto& item : split_list(text, "depths")) {
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || !(v >= 0 && v <= 100))
      throw std::invalid_argument("depth '" + item + "' is not a percentage from 0 to 100");
    out.push_back(v / 100);
  }
  return out;
}

std::string depths_for_step(int step) {
  std::string out;
  for (int d = 0; d <= 100; d += step) out += (out.empty() ? "" : ", ") + std::to_string(d);
  if (100 % step != 0) out += ", 100";  // always test the end of the document
  return out;
}

std::string format_duration(double seconds) {
  const int s = static_cast<int>(std::lround(std::max(0.0, seconds)));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%dh %02dm", s / 3600, s / 60 % 60);
  else std::snprintf(buf, sizeof buf, "%dm %02ds", s / 60, s % 60);
  return buf;
}

}  // namespace

std::string EvalTab::default_lengths() const {
  const std::optional<ModelSummary>& model = app_.model();
  if (!model) return "";
  const int L = model->rope.n_ctx_orig > 0 ? model->rope.n_ctx_orig : model->n_ctx_train;
  if (L <= 0) return "";
  return std::to_string(L) + ", " + std::to_string(2 * L) + ", " + std::to_string(4 * L) + ", " +
         std::to_string(8 * L);
}

EvalRequest EvalTab::make_request() {
  if (!app_.model()) throw std::invalid_argument("open a model first");
  if (inputs_.lengths_auto) inputs_.lengths = default_lengths();
  EvalRequest r;
  SweepConfig& c = r.config;
  c.methods = inputs_.methods.in_registry_order();
  // The method panel's lambdas travel in base_rope when a ticked method reads them.
  RopeMethod with_lambdas = RopeMethod::None;
  for (RopeMethod m : c.methods)
    if (rope_method_info(m).uses & kUsesLambdas) with_lambdas = m;
  if (c.methods.empty()) throw std::invalid_argument("choose at least one method");
  c.lengths = parse_lengths(inputs_.lengths);
  r.perplexity = inputs_.task == "ppl";
  c.task = r.perplexity ? "passkey" : inputs_.task;
  if (!r.perplexity) {
    c.depths = parse_depths(inputs_.depths);
    if (inputs_.trials < 1) throw std::invalid_argument("trials must be at least 1");
    const int minimum = eval_task(c.task).min_tokens;  // the sweep checks the passkey's exact floor
    for (int l : c.lengths)
      if (l < minimum)
        throw std::invalid_argument(c.task + " prompts need at least " + std::to_string(minimum) +
                                    " tokens (got " + std::to_string(l) + ")");
  } else {
    for (int l : c.lengths)
      if (l < 2) throw std::invalid_argument("perplexity needs lengths of at least 2 tokens");
  }
  c.trials = std::max(1, inputs_.trials);
  c.seed = static_cast<uint64_t>(std::max(0, inputs_.seed));
  // The method panel's alpha, beta, attention factor and custom lambdas; the
  // scale is the sweep's: S = length / L at each length.
  c.base_rope = app_.method_panel().rope_params(with_lambdas);
  c.base_rope.scale = 0;
  r.use_document = inputs_.use_document;
  return r;
}

std::string EvalTab::run() {
  try {
    const EvalRequest r = make_request();
    message_.clear();
    last_export_ = {};
    app_.session().run_eval(r);
  } catch (const std::exception& e) {
    message_ = e.what();
  }
  return message_;
}

EvalExport EvalTab::export_results(const std::string& dir) {
  last_export_ = export_evaluation(app_.session().evaluation(), dir.empty() ? default_export_dir() : dir);
  return last_export_;
}

void EvalTab::draw() {
  const EvalState state = app_.session().evaluation();
  draw_controls(state);
  draw_results(state);
  draw_export(state);
}

void EvalTab::draw_controls(const EvalState& state) {
  AppSession& session = app_.session();
  const bool busy = session.busy();
  ImGui::BeginDisabled(state.busy());
  ImGui::TextUnformatted("Task");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(260);
  // The tasks, then perplexity.
  std::vector<std::string> titles, names;
  for (const auto& t : eval_tasks()) {
    titles.push_back(std::string(t.title) + (t.ruler ? "  (RULER)" : ""));
    names.emplace_back(t.name);
  }
  titles.emplace_back(kPerplexityTitle);
  names.emplace_back("ppl");
  int task = static_cast<int>(std::find(names.begin(), names.end(), inputs_.task) - names.begin());
  const std::string shown = task_title(inputs_.task);
  const auto task_tooltip = [](int i) {
    if (size_t(i) >= eval_tasks().size() || !ImGui::IsItemHovered()) return;
    const auto& t = eval_tasks()[size_t(i)];
    ImGui::SetTooltip("%s: %s", std::string(t.name).c_str(), std::string(t.description).c_str());
  };
  if (combo("##eval_task", &task, titles, shown.c_str(), task_tooltip)) inputs_.task = names[size_t(task)];

  ImGui::TextUnformatted("Methods");
  inputs_.methods.draw_checkboxes("##eval");

  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Each length runs at S = length / L (S = 1 up to the native context); alpha, beta, the "
                      "attention factor and custom lambdas come from the Method panel. A method whose schedule "
                      "equals an earlier one's at a length gets that method's results copied, not rerun.");

  if (inputs_.lengths_auto) inputs_.lengths = default_lengths();
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.45f);
  if (ImGui::InputTextWithHint("Lengths (tokens)", "512, 1K, 2048", &inputs_.lengths)) inputs_.lengths_auto = false;
  ImGui::SameLine();
  if (small_button("1x 2x 4x 8x native")) inputs_.lengths_auto = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("lengths from the model's native context: %s", default_lengths().c_str());

  if (inputs_.task != "ppl") {
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.45f);
    ImGui::InputText("Depths (%)", &inputs_.depths);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    if (ImGui::SliderInt("step", &inputs_.depth_step, 5, 100, "%d%%")) inputs_.depths = depths_for_step(inputs_.depth_step);
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("Trials", &inputs_.trials);
    inputs_.trials = std::clamp(inputs_.trials, 1, 1000);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("Seed", &inputs_.seed);
  }
  if (inputs_.task == "ppl" || eval_task(inputs_.task).needs_text) {
    checkbox("Text: the open document", &inputs_.use_document);
    ImGui::SameLine();
    if (inputs_.use_document && app_.document()) ImGui::TextDisabled("(%s)", app_.document()->name.c_str());
    else ImGui::TextDisabled("(else the bundled samples)");
  }
  ImGui::EndDisabled();

  // What Run would do, and whether its longest context fits.
  std::string plan;
  try {
    const EvalRequest r = make_request();
    const SweepConfig& c = r.config;
    const int runs = int(c.methods.size() * c.lengths.size()) * (r.perplexity ? 1 : int(c.depths.size()) * c.trials);
    const int longest = *std::max_element(c.lengths.begin(), c.lengths.end());
    const uint64_t need = app_.model()->memory_for(longest + (r.perplexity ? 0 : answer_token_budget(c) + 8));
    const uint64_t have = session.memory_budget_bytes();
    plan = std::to_string(runs) + " runs, longest context " + std::to_string(longest) + " tokens (" +
           format_bytes(need) + ")";
    if (have > 0 && need > have) plan = "!" + plan + ": more than the " + format_bytes(have) + " available";
  } catch (const std::exception& e) {
    plan = std::string("!") + e.what();
  }

  ImGui::BeginDisabled(busy || plan[0] == '!');
  if (button("Run sweep")) run();
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!state.busy());
  if (button("Cancel##eval")) session.cancel();
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (plan[0] == '!') ImGui::TextColored(ImColor(colors::kError), "%s", plan.c_str() + 1);
  else ImGui::TextDisabled("%s", plan.c_str());
  if (!message_.empty()) ImGui::TextColored(ImColor(colors::kError), "%s", message_.c_str());

  if (!state.started) return;
  const SweepProgress& p = state.progress;
  if (state.busy()) {
    char overlay[160];
    if (state.queued) std::snprintf(overlay, sizeof overlay, "waiting for the worker (%d runs)", p.total);
    else
      std::snprintf(overlay, sizeof overlay, "%d / %d runs (+%.0f%%), %.2f runs/s, %s left", p.done, p.total,
                    p.run_fraction * 100, p.runs_per_second(), format_duration(p.seconds_left()).c_str());
    ImGui::ProgressBar(p.total ? float(p.runs_done() / p.total) : 0.0f, ImVec2(-1, 0), overlay);
  } else if (!state.error.empty()) {
    ImGui::TextColored(ImColor(colors::kError), "Sweep failed: %s", state.error.c_str());
  } else if (state.cancelled) {
    ImGui::TextColored(ImColor(colors::kWarning), "Cancelled: %d of %d runs finished and kept.", state.rows(),
                       p.total);
  } else {
    ImGui::TextColored(ImColor(colors::kOk), "Done: %d runs in %s on %s.", state.rows(),
                       format_duration(state.seconds).c_str(), state.device.c_str());
  }
  if (!state.text_source.empty()) ImGui::TextDisabled("Text: %s", state.text_source.c_str());
}

void EvalTab::draw_results(const EvalState& state) {
  if (!state.started || (state.rows() == 0 && !state.running)) {
    grid_filled_ = 0;
    return;
  }
  ImGui::Separator();
  const ImVec4 rect = state.request.perplexity ? draw_perplexity_lines(state, &grid_filled_)
                                               : draw_retrieval_grid(state, &grid_filled_);
  grid_rect_ = {rect.x, rect.y, rect.z, rect.w};
  if (!state.request.perplexity)
    ImGui::TextDisabled(
        "Mean score per cell (recall or exact match, as the task scores): red 0%% -> yellow 50%% -> green 100%%; "
        "grey: not run yet. Hover a cell.");

  // Effective context: the longest length up to which every tested length passes.
  const auto effective = effective_context(state.retrieval, state.perplexity, state.native_length);
  if (effective.empty()) return;
  ImGui::Text("Effective context%s (native L = %d; mean retrieval score >= 85%%, perplexity within +10%% of L's):",
              state.busy() ? " so far" : "", state.native_length);
  const auto& lengths = state.request.config.lengths;
  if (ImGui::BeginTable("effective", 2 + int(lengths.size()), ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("method");
    ImGui::TableSetupColumn("effective");
    for (int l : lengths) ImGui::TableSetupColumn(plot_length_label(l).c_str());
    ImGui::TableHeadersRow();
    for (const EffectiveContext& e : effective) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(std::string(rope_method_name(e.method)).c_str());
      ImGui::TableNextColumn();
      if (e.length > 0) ImGui::Text("%s tokens", plot_length_label(e.length).c_str());
      else ImGui::TextColored(ImColor(colors::kWarning), "below %s", plot_length_label(lengths.front()).c_str());
      for (int l : lengths) {
        ImGui::TableNextColumn();
        if (auto a = e.accuracy.find(l); a != e.accuracy.end()) ImGui::Text("%.0f%%", a->second * 100);
        else if (auto p = e.perplexity.find(l); p != e.perplexity.end()) ImGui::Text("%.2f", p->second);
        else ImGui::TextDisabled("-");
      }
    }
    ImGui::EndTable();
  }
}

void EvalTab::draw_export(const EvalState& state) {
  if (!state.started) return;
  ImGui::Separator();
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
  ImGui::InputTextWithHint("##export_dir", "~/mrrope-results/<date-time>", &inputs_.export_dir);
  ImGui::SameLine();
  ImGui::BeginDisabled(state.rows() == 0);
  if (button("Export CSV + JSON + PNG")) export_results(inputs_.export_dir);
  ImGui::EndDisabled();
  const EvalExport& x = last_export_;
  if (!x.error.empty()) ImGui::TextColored(ImColor(colors::kError), "Export failed: %s", x.error.c_str());
  for (const auto& path : x.written) ImGui::TextDisabled("wrote %s", path.c_str());
}

}  // namespace mrrope::ui
