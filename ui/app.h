#pragma once
// The app's view: one object, one file per panel (ui/panels/), reading
// from the AppSession and sending it jobs. Nothing here touches the GPU.
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "rope/rope_methods.h"
#include "ui/export/eval_export.h"
#include "ui/export/panel_png.h"
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

  void draw();                 // one frame
  void save_settings();        // into the Settings given (not in a scripted run)
  // What save_settings would remember now: the settings given, the app's
  // state written over them (the script's expect-setting reads it).
  Settings current_settings() const;

  // Entry points the script (and the panels) use.
  void open_model(const std::string& path);
  // Adds a document (txt, md, pdf, html) to the conversation; a refusal shows
  // in the Document panel and changes nothing else.
  void open_document(const std::string& path);
  void drop_files(const std::vector<std::string>& paths);  // GLFW's drop callback, or the script
  void set_question(const std::string& q) { qa_.question = q; }
  const std::string& question() const { return qa_.question; }
  void set_max_new_tokens(int n) { qa_.max_new_tokens = n; }
  // Max tokens such that the next turn needs `over` tokens more than the
  // thread's window holds (tests drive the fit choice with it); returns why not.
  std::string set_max_new_tokens_past_window(int over);
  void set_kv_cache(KvCacheType type);
  void set_method(RopeMethod m) { method_.method = m; }
  void set_scale(double s) {  // 0 = auto
    method_.auto_scale = s <= 0;
    if (s > 0) method_.scale = static_cast<float>(s);
  }
  void ask();  // the question box as the next turn of the conversation (panels/qa_conversation.cpp)
  void stop() { session_.cancel(); }
  void regenerate();  // the last question again, its answer replaced
  void edit_last();   // the last question back into the box, its turn removed
  void new_conversation();
  // The choice offered when the next turn does not fit: a larger S (the
  // documents are prefilled again) or dropping the oldest turns.
  void resolve_fit(bool larger_scale);
  // Files; each returns an error for the user, or empty.
  std::string save_conversation(const std::string& path);
  std::string open_conversation(const std::string& path);
  std::string export_conversation(const std::string& dir, std::vector<std::string>* written = nullptr);
  const Conversation& conversation() { sync_conversation(); return qa_.conversation; }
  std::string conversation_message() const { return qa_.message; }
  const std::optional<FitProblem>& fit_problem() const { return qa_.fit; }
  void compare(const std::vector<RopeMethod>& methods);  // the question box alone, with loss curves as the threads'
  // Side by side over the conversation (panels/compare_threads.cpp): its answered
  // questions (then the question box's, if asked) under each method, each in a
  // thread of its own. Each returns why not (empty: started).
  std::string compare_conversation(const std::vector<RopeMethod>& methods, bool then_question_box);
  std::string compare_follow_up();  // the question box as the next question of every method's thread
  std::string export_thread_comparison(const std::string& dir, std::vector<std::string>* written = nullptr);
  const ThreadComparison& thread_comparison() { sync_thread_comparison(); return compare_.threads; }
  // The loss curves the Side by side tab shows, a column each: the threads' when it
  // shows a conversation (one question or more), else the one question's methods'.
  std::vector<LossCurve> compare_loss_curves();
  bool compare_shows_threads() const { return compare_.threads_shown && !compare_.threads.empty(); }
  void set_schedule_length(int t) { schedule_.length = t; }
  void select_tab(const std::string& name) { select_tab_ = name; }
  // Starts the Evaluation tab's sweep from eval_view(); returns why not (empty: started).
  std::string run_evaluation();
  EvalExport export_evaluation(const std::string& dir);
  EvalViewState& eval_view() { return eval_; }
  // PNG of a panel as drawn (app_panel_png.cpp): shows its tab, waits for a
  // settled frame, and the frame loop captures it. Returns why not (empty: asked).
  std::string request_panel_png(PanelShot which, const std::string& path = "");
  bool panel_png_pending() const { return panel_png_.has_value(); }
  const PanelPngResult& panel_png_result() const { return panel_png_result_; }
  // After draw(): true when this frame must be read back for the export;
  // then hand the frame to panel_png_captured().
  bool panel_png_capture_now();
  void panel_png_captured(const Image& frame);
  AppSession& session() { return session_; }
  std::string active_tab() const { return active_tab_; }

 private:
  // The panels and tabs: each draws from its state (ui/panels/NAME.h, beside
  // its NAME.cpp) and the session's snapshots.
  void draw_model_panel();  // model_panel.cpp
  void draw_kv_cache_choice(const ModelSummary& m);
  void draw_document_panel();  // document_panel.cpp
  void draw_method_panel();    // method_panel.cpp
  void draw_schedule_tab();    // schedule_tab.cpp
  void draw_qa_tab();          // qa_tab.cpp
  void draw_conversation_bar();
  void draw_thread();
  void draw_fit_choice();
  void draw_compare_tab();     // compare_tab.cpp
  void draw_compare_controls();
  void draw_compare_question_results();  // one question
  void draw_compare_thread_results();    // the threads, turn by turn
  void draw_loss_curves(const std::vector<LossCurve>& curves);  // under either
  void draw_attention_tab();   // attention_tab.cpp
  void draw_evaluation_tab();  // eval_tab.cpp
  void draw_eval_controls(const EvalState& state);
  void draw_eval_results(const EvalState& state);
  void draw_eval_export(const EvalState& state);
  void draw_status_bar();      // app.cpp

  RopeParams rope_params(RopeMethod method) const;
  std::string custom_ramp() const;
  EvalRequest make_eval_request();  // throws std::invalid_argument on bad input
  std::string default_lengths() const;
  int estimated_prompt_tokens() const;  // document + question + template, before tokenizing them together
  AskRequest make_request() const;
  bool begin_tab(const char* name);
  // Conversation (panels/qa_conversation.cpp).
  void sync_conversation();  // the streamed answer into the pending turn
  void send_turn(const std::string& question);
  void fill_conversation_settings();
  int next_turn_estimate(const std::string& question) const;
  int native_context() const;
  // Side by side over the conversation (panels/compare_threads.cpp). loss_curve:
  // also each thread's loss over the documents (a new comparison; a follow-up keeps the curves).
  void send_thread_questions(const std::vector<std::string>& questions, bool loss_curve);
  void sync_thread_comparison();  // the streamed answers into each thread's turns
  void handle_shortcuts();
  // Recent files (settings keys recent_documents / recent_models, '|'-separated).
  void remember_recent(const std::string& key, const std::string& path);
  std::vector<std::string> recent(const std::string& key) const;
  bool draw_recent_menu(const char* id, const std::string& key, std::string* picked);
  // Save PNG (app_panel_png.cpp): the panel drew itself here; a panel that
  // scrolls also gives its scroll and content height (paged export).
  void note_panel_rect(PanelShot which, float x0, float y0, float x1, float y1, float scroll_y = 0, float content_h = 0);
  std::optional<float> panel_png_scroll(PanelShot which) const;  // where a paged export wants the panel scrolled
  void draw_panel_png_button(PanelShot which);

  AppSession& session_;
  Settings& settings_;
  bool scripted_;
  // Cached snapshots, refreshed when the session's generation changes.
  uint64_t seen_generation_ = ~0ull;
  std::optional<ModelSummary> model_;
  std::optional<DocumentSummary> document_;

  // Each panel's state.
  ModelPanelState model_panel_;
  DocumentPanelState document_panel_;
  MethodChoice method_;
  ScheduleTabState schedule_;
  QaTabState qa_;
  CompareTabState compare_;
  AttentionViewState attention_;
  EvalViewState eval_;

  std::optional<PanelPngJob> panel_png_;
  PanelPngResult panel_png_result_;
  bool panel_png_drawn_ = false;  // the job's panel was drawn this frame

  std::string select_tab_, active_tab_;
  std::deque<double> frame_times_;  // when recent frames were drawn, for the FPS readout
};

}  // namespace mrrope::ui
