#include "ui/app.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <imgui.h>

#include "ui/widgets/click_targets.h"

namespace mrrope::ui {

App::App(AppSession& session, Settings& settings, bool scripted)
    : session_(session), settings_(settings), scripted_(scripted) {
  if (!scripted_) {
    try {
      method_.method = parse_rope_method(settings_.get("method", "mrrope-pro"));
    } catch (const RopeError&) {
    }
    const double s = settings_.get_double("scale", 0);
    method_.auto_scale = s <= 0;
    if (s > 0) method_.scale = static_cast<float>(s);
    qa_.question = settings_.get("question", qa_.question);
    qa_.max_new_tokens = settings_.get_int("max_new_tokens", qa_.max_new_tokens);
    model_panel_.path = settings_.get("model");
    document_panel_.path = settings_.get("document");  // the last one opened
    if (auto kv = kv_cache_type_from_name(settings_.get("kv_cache", "f16"))) session_.set_kv_type(*kv);
  }
  if (model_panel_.path.empty()) {
    try {
      model_panel_.path = default_model_path();
    } catch (const std::exception& e) {
      document_panel_.message = e.what();
    }
  }
  if (!model_panel_.path.empty()) open_model(model_panel_.path);
  if (!scripted_ && !document_panel_.path.empty() && std::filesystem::exists(document_panel_.path))
    open_document(document_panel_.path);
}

void App::save_settings() {
  if (scripted_) return;  // a scripted run leaves the user's settings alone
  settings_ = current_settings();
}

Settings App::current_settings() const {
  Settings s = settings_;
  s.set("model", model_panel_.path);
  s.set("method", std::string(rope_method_name(method_.method)));
  s.set("scale", method_.auto_scale ? 0.0 : double(method_.scale));
  s.set("question", qa_.question);
  s.set("max_new_tokens", double(qa_.max_new_tokens));
  s.set("document", document_panel_.path);  // reopened at start
  s.set("kv_cache", std::string(kv_cache_type_name(session_.kv_type())));
  return s;
}

void App::open_model(const std::string& path) {
  model_panel_.path = path;
  remember_recent("recent_models", path);
  session_.load_model(path);
}

void App::open_document(const std::string& path) {
  // A FIFO would block the worker in open(), and a directory reads as empty:
  // refused here, the rest (format, size, text) on the worker.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    document_panel_.message = path.empty() ? "type a file's path, or Browse" : path + " is not a regular file";
    return;
  }
  document_panel_.path = path;
  document_panel_.message.clear();
  session_.clear_document_message();
  session_.add_document_file(path);
  remember_recent("recent_documents", path);
}

RopeParams App::rope_params(RopeMethod method) const {
  RopeParams p;
  p.method = method;
  p.scale = method_.auto_scale ? 0.0 : double(method_.scale);
  if (method_.set_alpha) p.alpha = method_.alpha;
  if (method_.set_beta) p.beta = method_.beta;
  if (method_.set_attn) p.attn_factor = method_.attn;
  if (rope_method_info(method).uses & kUsesLambdas) {
    try {
      p.custom_lambda = parse_custom_schedule(method_.custom_lambda);
    } catch (const RopeError&) {
      // build_rope_table reports the missing lambdas; the editor shows the parse error.
    }
    if (method_.custom_lambda.empty() && model_) p.custom_lambda = parse_custom_schedule(custom_ramp());
  }
  return p;
}

std::string App::custom_ramp() const {
  // D/2-1 equal ratios whose product is S: a geometric ramp of divisors.
  const int n = model_ ? model_->rope.n_rot / 2 - 1 : 0;
  const double s = method_.auto_scale ? 4.0 : double(method_.scale);
  std::string out;
  for (int i = 0; i < n; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", std::pow(s, 1.0 / std::max(1, n)));
    out += buf;
    if (i + 1 < n) out += ", ";
  }
  return out;
}

int App::estimated_prompt_tokens() const {
  if (!document_) return 0;
  // Documents, the turns still in context, the question and the template's few
  // tokens; a rough bound is enough for planning.
  return next_turn_estimate(qa_.question) - qa_.max_new_tokens;
}

AskRequest App::make_request() const {
  AskRequest r;
  r.question = qa_.question;
  r.rope = rope_params(method_.method);
  r.max_new_tokens = qa_.max_new_tokens;
  r.sampler.temperature = qa_.temperature;
  r.sampler.seed = 1234;
  if (qa_.probe_during_ask) {
    AttentionProbeConfig probe;
    probe.layer = attention_.layer;
    probe.head = attention_.head;
    probe.grid = 64;
    if (model_ && attention_.band != 0) {
      // Bands from the correction boundaries of the method in use.
      try {
        const RopeTable t = build_rope_table(model_->rope, r.rope, estimated_prompt_tokens() + qa_.max_new_tokens);
        const int half = model_->rope.n_rot / 2;
        const int lo = std::clamp(t.d_low, 0, half), hi = std::clamp(t.d_high, lo, half);
        if (attention_.band == 1) probe.band_begin = 0, probe.band_end = std::max(1, lo);
        if (attention_.band == 2) probe.band_begin = lo, probe.band_end = std::max(lo + 1, hi);
        if (attention_.band == 3) probe.band_begin = std::min(hi, half - 1), probe.band_end = half;
      } catch (const std::exception&) {
      }
    }
    r.probe = probe;
  }
  return r;
}


void App::compare(const std::vector<RopeMethod>& methods) {
  sync_conversation();
  // Keep the tab's checkboxes in step with what runs (the script calls this too).
  compare_.methods.clear();
  for (RopeMethod m : methods) compare_.methods.set(m, true);
  std::vector<RopeParams> list;
  for (RopeMethod m : methods) list.push_back(rope_params(m));
  AskRequest r = make_request();
  // The question box empties once a question is sent: compare the last one then.
  if (r.question.empty() && !qa_.conversation.turns.empty()) r.question = qa_.conversation.turns.back().question;
  r.loss_curve = compare_.loss_curve;
  r.probe.reset();
  compare_.compared_question = r.question;  // the panel and its PNG show this, whatever the box holds later
  compare_.threads_shown = false;
  session_.compare(r, list);
}

bool App::begin_tab(const char* name) {
  ImGuiTabItemFlags flags = select_tab_ == name ? ImGuiTabItemFlags_SetSelected : 0;
  if (!tab_item(name, flags)) return false;
  active_tab_ = name;
  return true;
}

void App::draw() {
  if (session_.generation() != seen_generation_) {
    seen_generation_ = session_.generation();
    model_ = session_.model();
    document_ = session_.document();
  }
  sync_conversation();
  handle_shortcuts();
  // Frames drawn in the last second (frames wait while the GPU is busy with a
  // long compute submission, so this is the honest rate, not 1 / last frame).
  const double now = ImGui::GetTime();
  frame_times_.push_back(now);
  while (!frame_times_.empty() && frame_times_.front() < now - 1.0) frame_times_.pop_front();

  // A tiled layout that follows the window: a left column of inputs, a
  // workspace of tabs, a status bar.
  const ImVec2 screen = ImGui::GetIO().DisplaySize;
  const float status_h = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().WindowPadding.y * 2;
  const float left_w = std::max(360.0f, screen.x * 0.34f);
  const float body_h = screen.y - status_h;
  const ImGuiWindowFlags tile = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;

  ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(left_w, body_h * 0.30f), ImGuiCond_Always);
  if (ImGui::Begin("Model", nullptr, tile)) draw_model_panel();
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(0, body_h * 0.30f), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(left_w, body_h * 0.32f), ImGuiCond_Always);
  if (ImGui::Begin("Document", nullptr, tile)) draw_document_panel();
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(0, body_h * 0.62f), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(left_w, body_h * 0.38f), ImGuiCond_Always);
  if (ImGui::Begin("Method", nullptr, tile)) draw_method_panel();
  ImGui::End();

  ImGui::SetNextWindowPos(ImVec2(left_w, 0), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(screen.x - left_w, body_h), ImGuiCond_Always);
  if (ImGui::Begin("Workspace", nullptr, tile)) {
    if (ImGui::BeginTabBar("tabs")) {
      if (begin_tab("Q&A")) draw_qa_tab(), ImGui::EndTabItem();
      if (begin_tab("Side by side")) draw_compare_tab(), ImGui::EndTabItem();
      if (begin_tab("Schedule")) draw_schedule_tab(), ImGui::EndTabItem();
      if (begin_tab("Attention")) draw_attention_tab(), ImGui::EndTabItem();
      if (begin_tab("Evaluation")) draw_evaluation_tab(), ImGui::EndTabItem();
      ImGui::EndTabBar();
    }
  }
  ImGui::End();
  select_tab_.clear();

  ImGui::SetNextWindowPos(ImVec2(0, body_h), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(screen.x, status_h), ImGuiCond_Always);
  if (ImGui::Begin("Status", nullptr, tile | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar))
    draw_status_bar();
  ImGui::End();
}

void App::draw_status_bar() {
  const Progress p = session_.progress();
  ImGui::Text("%zu FPS", frame_times_.size());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("frames drawn in the last second; last frame %.1f ms",
                                                ImGui::GetIO().DeltaTime * 1000.0f);
  ImGui::SameLine();
  ImGui::TextDisabled("| %s", session_.device().name.c_str());
  ImGui::SameLine();
  if (p.busy) {
    char overlay[160];
    if (p.total > 0) std::snprintf(overlay, sizeof overlay, "%s  %d / %d", p.what.c_str(), p.done, p.total);
    else std::snprintf(overlay, sizeof overlay, "%s ...", p.what.c_str());
    // Without a total, animate so the user sees that work goes on.
    const float fraction = p.total > 0 ? float(p.fraction()) : float(std::fmod(ImGui::GetTime() * 0.5, 1.0));
    ImGui::ProgressBar(fraction, ImVec2(ImGui::GetContentRegionAvail().x * 0.6f, 0), overlay);
    ImGui::SameLine();
    if (button("Cancel")) session_.cancel();
  } else {
    ImGui::TextDisabled("| idle");
  }
  const std::string err = session_.last_error();
  if (!err.empty()) {
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, colors::kError);
    ImGui::TextUnformatted(err.c_str());
    ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", err.c_str());
    ImGui::SameLine();
    if (small_button("Dismiss")) session_.clear_error();
  }
}

}  // namespace mrrope::ui
