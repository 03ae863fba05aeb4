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

std::string App::default_lengths() const {
  if (!model_) return "";
  const int L = model_->rope.n_ctx_orig > 0 ? model_->rope.n_ctx_orig : model_->n_ctx_train;
  if (L <= 0) return "";
  return std::to_string(L) + ", " + std::to_string(2 * L) + ", " + std::to_string(4 * L) + ", " +
         std::to_string(8 * L);
}

EvalRequest App::make_eval_request() {
  if (!model_) throw std::invalid_argument("open a model first");
  if (eval_.lengths_auto) eval_.lengths = default_lengths();
  EvalRequest r;
  SweepConfig& c = r.config;
  c.methods = eval_.methods.in_registry_order();
  // The method panel's lambdas travel in base_rope when a ticked method reads them.
  RopeMethod with_lambdas = RopeMethod::None;
  for (RopeMethod m : c.methods)
    if (rope_method_info(m).uses & kUsesLambdas) with_lambdas = m;
  if (c.methods.empty()) throw std::invalid_argument("choose at least one method");
  c.lengths = parse_lengths(eval_.lengths);
  r.perplexity = eval_.task == "ppl";
  c.task = r.perplexity ? "passkey" : eval_.task;
  if (!r.perplexity) {
    c.depths = parse_depths(eval_.depths);
    if (eval_.trials < 1) throw std::invalid_argument("trials must be at least 1");
    const int minimum = eval_task(c.task).min_tokens;  // the sweep checks the passkey's exact floor
    for (int l : c.lengths)
      if (l < minimum)
        throw std::invalid_argument(c.task + " prompts need at least " + std::to_string(minimum) +
                                    " tokens (got " + std::to_string(l) + ")");
  } else {
    for (int l : c.lengths)
      if (l < 2) throw std::invalid_argument("perplexity needs lengths of at least 2 tokens");
  }
  c.trials = std::max(1, eval_.trials);
  c.seed = static_cast<uint64_t>(std::max(0, eval_.seed));
  // The method panel's alpha, beta, attention factor and custom lambdas; the
  // scale is the sweep's: S = length / L at each length.
  c.base_rope = rope_params(with_lambdas);
  c.base_rope.scale = 0;
  r.use_document = eval_.use_document;
  return r;
}

std::string App::run_evaluation() {
  try {
    const EvalRequest r = make_eval_request();
    eval_.message.clear();
    eval_.last_export = {};
    session_.run_eval(r);
  } catch (const std::exception& e) {
    eval_.message = e.what();
  }
  return eval_.message;
}

EvalExport App::export_evaluation(const std::string& dir) {
  eval_.last_export = mrrope::ui::export_evaluation(session_.evaluation(), dir.empty() ? default_export_dir() : dir);
  return eval_.last_export;
}

void App::draw_evaluation_tab() {
  const EvalState state = session_.evaluation();
  draw_eval_controls(state);
  draw_eval_results(state);
  draw_eval_export(state);
}

void App::draw_eval_controls(const EvalState& state) {
  const bool busy = session_.busy();
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
  int task = static_cast<int>(std::find(names.begin(), names.end(), eval_.task) - names.begin());
  const std::string shown = task_title(eval_.task);
  const auto task_tooltip = [](int i) {
    if (size_t(i) >= eval_tasks().size() || !ImGui::IsItemHovered()) return;
    const auto& t = eval_tasks()[size_t(i)];
    ImGui::SetTooltip("%s: %s", std::string(t.name).c_str(), std::string(t.description).c_str());
  };
  if (combo("##eval_task", &task, titles, shown.c_str(), task_tooltip)) eval_.task = names[size_t(task)];

  ImGui::TextUnformatted("Methods");
  eval_.methods.draw_checkboxes("##eval");

  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Each length runs at S = length / L (S = 1 up to the native context); alpha, beta, the "
                      "attention factor and custom lambdas come from the Method panel. A method whose schedule "
                      "equals an earlier one's at a length gets that method's results copied, not rerun.");

  if (eval_.lengths_auto) eval_.lengths = default_lengths();
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.45f);
  if (ImGui::InputTextWithHint("Lengths (tokens)", "512, 1K, 2048", &eval_.lengths)) eval_.lengths_auto = false;
  ImGui::SameLine();
  if (small_button("1x 2x 4x 8x native")) eval_.lengths_auto = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("lengths from the model's native context: %s", default_lengths().c_str());

  if (eval_.task != "ppl") {
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.45f);
    ImGui::InputText("Depths (%)", &eval_.depths);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    if (ImGui::SliderInt("step", &eval_.depth_step, 5, 100, "%d%%")) eval_.depths = depths_for_step(eval_.depth_step);
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("Trials", &eval_.trials);
    eval_.trials = std::clamp(eval_.trials, 1, 1000);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("Seed", &eval_.seed);
  }
  if (eval_.task == "ppl" || eval_task(eval_.task).needs_text) {
    checkbox("Text: the open document", &eval_.use_document);
    ImGui::SameLine();
    if (eval_.use_document && document_) ImGui::TextDisabled("(%s)", document_->name.c_str());
    else ImGui::TextDisabled("(else the bundled samples)");
  }
  ImGui::EndDisabled();

  // What Run would do, and whether its longest context fits.
  std::string plan;
  try {
    const EvalRequest r = make_eval_request();
    const SweepConfig& c = r.config;
    const int runs = int(c.methods.size() * c.lengths.size()) * (r.perplexity ? 1 : int(c.depths.size()) * c.trials);
    const int longest = *std::max_element(c.lengths.begin(), c.lengths.end());
    const uint64_t need = model_->memory_for(longest + (r.perplexity ? 0 : answer_token_budget(c) + 8));
    const uint64_t have = session_.memory_budget_bytes();
    plan = std::to_string(runs) + " runs, longest context " + std::to_string(longest) + " tokens (" +
           format_bytes(need) + ")";
    if (have > 0 && need > have) plan = "!" + plan + ": more than the " + format_bytes(have) + " available";
  } catch (const std::exception& e) {
    plan = std::string("!") + e.what();
  }

  ImGui::BeginDisabled(busy || plan[0] == '!');
  if (button("Run sweep")) run_evaluation();
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!state.busy());
  if (button("Cancel##eval")) session_.cancel();
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (plan[0] == '!') ImGui::TextColored(ImColor(colors::kError), "%s", plan.c_str() + 1);
  else ImGui::TextDisabled("%s", plan.c_str());
  if (!eval_.message.empty()) ImGui::TextColored(ImColor(colors::kError), "%s", eval_.message.c_str());

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

void App::draw_eval_results(const EvalState& state) {
  if (!state.started || (state.rows() == 0 && !state.running)) {
    eval_.grid_filled = 0;
    return;
  }
  ImGui::Separator();
  const ImVec4 rect = state.request.perplexity ? draw_perplexity_lines(state, &eval_.grid_filled)
                                               : draw_retrieval_grid(state, &eval_.grid_filled);
  eval_.grid_rect[0] = rect.x, eval_.grid_rect[1] = rect.y, eval_.grid_rect[2] = rect.z, eval_.grid_rect[3] = rect.w;
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

void App::draw_eval_export(const EvalState& state) {
  if (!state.started) return;
  ImGui::Separator();
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
  ImGui::InputTextWithHint("##export_dir", "~/mrrope-results/<date-time>", &eval_.export_dir);
  ImGui::SameLine();
  ImGui::BeginDisabled(state.rows() == 0);
  if (button("Export CSV + JSON + PNG")) export_evaluation(eval_.export_dir);
  ImGui::EndDisabled();
  const EvalExport& x = eval_.last_export;
  if (!x.error.empty()) ImGui::TextColored(ImColor(colors::kError), "Export failed: %s", x.error.c_str());
  for (const auto& path : x.written) ImGui::TextDisabled("wrote %s", path.c_str());
}

}  // namespace mrrope::ui
