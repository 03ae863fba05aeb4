#pragma once
// The app's view: the panels (ui/panels/, each a class holding its state) laid
// out in one window, the workspace tabs from one table (panels/workspace_tabs.h),
// the status bar and the shortcuts. It reads the AppSession and sends it
// jobs; nothing here touches the GPU.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "ui/app_panel_png.h"
#include "ui/panels/attention_tab.h"
#include "ui/panels/compare_tab.h"
#include "ui/panels/document_panel.h"
#include "ui/panels/eval_tab.h"
#include "ui/panels/method_panel.h"
#include "ui/panels/model_panel.h"
#include "ui/panels/qa_tab.h"
#include "ui/panels/schedule_tab.h"
#include "ui/session/app_session.h"
#include "ui/settings.h"
#include "ui/widgets/colors.h"

namespace mrrope::ui {

class App {
 public:
  App(AppSession& session, Settings& settings, bool scripted);

  void draw();           // one frame
  void save_settings();  // into the Settings given (not in a scripted run)
  // What save_settings would remember now: the settings given, each panel's
  // state written over them (the script's expect-setting reads it).
  Settings current_settings() const;
  void drop_files(const std::vector<std::string>& paths);  // GLFW's drop callback, or the script

  // The panels; the script drives them as the user does.
  ModelPanel& model_panel() { return model_panel_; }
  DocumentPanel& document_panel() { return document_panel_; }
  MethodPanel& method_panel() { return method_panel_; }
  QaTab& qa_tab() { return qa_tab_; }
  CompareTab& compare_tab() { return compare_tab_; }
  ScheduleTab& schedule_tab() { return schedule_tab_; }
  AttentionTab& attention_tab() { return attention_tab_; }
  EvalTab& eval_tab() { return eval_tab_; }
  PanelPngExport& panel_png() { return panel_png_; }  // Save PNG of a panel

  // What the panels share: the session, its snapshots (refreshed each frame), the settings.
  AppSession& session() const { return session_; }
  Settings& settings() const { return settings_; }
  const std::optional<ModelSummary>& model() const { return model_; }
  const std::optional<DocumentSummary>& document() const { return document_; }
  int native_context() const;  // the model's trained context L; 0 without a model

  void select_tab(const std::string& name) { select_tab_ = name; }  // shown next frame
  const std::string& active_tab() const { return active_tab_; }

 private:
  bool begin_tab(const char* name);
  void handle_shortcuts();  // app_shortcuts.cpp
  void draw_status_bar();

  AppSession& session_;
  Settings& settings_;
  bool scripted_;
  // Cached snapshots, refreshed when the session's generation changes.
  uint64_t seen_generation_ = ~0ull;
  std::optional<ModelSummary> model_;
  std::optional<DocumentSummary> document_;

  ModelPanel model_panel_{*this};
  DocumentPanel document_panel_{*this};
  MethodPanel method_panel_{*this};
  QaTab qa_tab_{*this};
  CompareTab compare_tab_{*this};
  ScheduleTab schedule_tab_{*this};
  AttentionTab attention_tab_{*this};
  EvalTab eval_tab_{*this};
  PanelPngExport panel_png_{*this};

  std::string select_tab_, active_tab_;
  std::deque<double> frame_times_;  // when recent frames were drawn, for the FPS readout
};

}  // namespace mrrope::ui
