#include "ui/app.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <imgui.h>

#include "ui/panels/workspace_tabs.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {

App::App(AppSession& session, Settings& settings, bool scripted)
    : session_(session), settings_(settings), scripted_(scripted) {
  if (!scripted_) {
    method_panel_.load(settings_);
    qa_tab_.load(settings_);
    model_panel_.load(settings_);
    document_panel_.load(settings_);
  }
  if (model_panel_.path().empty()) {
    try {
      model_panel_.set_path(default_model_path());
    } catch (const std::exception& e) {
      document_panel_.set_message(e.what());
    }
  }
  if (!model_panel_.path().empty()) model_panel_.open(model_panel_.path());
  if (!scripted_ && !document_panel_.path().empty() && std::filesystem::exists(document_panel_.path()))
    document_panel_.open(document_panel_.path());
}

void App::save_settings() {
  if (scripted_) return;  // a scripted run leaves the user's settings alone
  settings_ = current_settings();
}

Settings App::current_settings() const {
  Settings s = settings_;
  model_panel_.save(s);
  method_panel_.save(s);
  qa_tab_.save(s);
  document_panel_.save(s);
  return s;
}

void App::drop_files(const std::vector<std::string>& paths) {
  for (const std::string& p : paths) {
    const std::string ext = std::filesystem::path(p).extension().string();
    if (ext == ".gguf") model_panel_.open(p);
    else if (ext == ".json" && qa_tab_.open_conversation(p).empty()) continue;
    else document_panel_.open(p);
  }
}

int App::native_context() const {
  if (!model_) return 0;
  return model_->rope.n_ctx_orig > 0 ? model_->rope.n_ctx_orig : model_->n_ctx_train;
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
  qa_tab_.sync();
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
  if (ImGui::Begin("Model", nullptr, tile)) model_panel_.draw();
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(0, body_h * 0.30f), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(left_w, body_h * 0.32f), ImGuiCond_Always);
  if (ImGui::Begin("Document", nullptr, tile)) document_panel_.draw();
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(0, body_h * 0.62f), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(left_w, body_h * 0.38f), ImGuiCond_Always);
  if (ImGui::Begin("Method", nullptr, tile)) method_panel_.draw();
  ImGui::End();

  ImGui::SetNextWindowPos(ImVec2(left_w, 0), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(screen.x - left_w, body_h), ImGuiCond_Always);
  if (ImGui::Begin("Workspace", nullptr, tile)) {
    if (ImGui::BeginTabBar("tabs")) {
      for (const WorkspaceTab& tab : workspace_tabs())
        if (begin_tab(tab.name)) tab.panel(*this).draw(), ImGui::EndTabItem();
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
