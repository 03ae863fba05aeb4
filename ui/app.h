#pragma once
// The app's view: one object, one file per panel (ui/panel_*.cpp), reading
// from the AppSession and sending it jobs. Nothing here touches the GPU.
#include <algorithm>
#include <deque>
#include <initializer_list>
#include <string>
#include <vector>

#include "rope/rope_methods.h"
#include "ui/app_session.h"
#include "ui/conversation.h"
#include "ui/eval_export.h"
#include "ui/file_browser.h"
#include "ui/panel_png.h"
#include "ui/settings.h"
#include "ui/thread_comparison.h"

namespace mrrope::ui {

// The method panel's choices, turned into RopeParams on demand.
struct MethodChoice {
  RopeMethod method = RopeMethod::MrRopePro;
  bool auto_scale = true;
  float scale = 4.0f;
  bool set_alpha = false, set_beta = false, set_attn = false;
  float alpha = 32.0f, beta = 1.0f, attn = 1.0f;
  std::string custom_lambda;  // comma/newline separated
};

struct AttentionViewState {
  int layer = 0;
  int head = -1;         // -1: mean of heads
  int band = 0;          // 0 all, 1 low (high-frequency) pairs, 2 middle, 3 high (low-frequency) pairs
  bool log_scale = true;
  bool mask_sink = true;
  bool per_paragraph = false;
  int selected_unit = -1;  // sentence/paragraph the user clicked
  int jump_to_unit = -1;
};

// Methods ticked in a list of checkboxes; lists show them in the registry's
// order (rope_methods()), whatever the order they were ticked in.
class MethodSet {
 public:
  MethodSet(std::initializer_list<RopeMethod> on) : on_(on) {}
  bool has(RopeMethod m) const { return std::find(on_.begin(), on_.end(), m) != on_.end(); }
  void set(RopeMethod m, bool on);
  void clear() { on_.clear(); }
  int size() const { return static_cast<int>(on_.size()); }
  std::vector<RopeMethod> in_registry_order() const;
  // One checkbox per registry method, on one line; `id_suffix` keeps ImGui ids apart.
  void draw_checkboxes(const char* id_suffix);

 private:
  std::vector<RopeMethod> on_;
};

// The Evaluation tab's inputs, as the user (or the script) typed them; turned
// into an EvalRequest when the sweep starts.
struct EvalViewState {
  std::string task = "passkey";  // a task of eval/eval_tasks.h, or "ppl" (perplexity)
  MethodSet methods{RopeMethod::None, RopeMethod::Yarn, RopeMethod::MrRopePro};
  bool lengths_auto = true;  // follow the model: 1x, 2x, 4x, 8x its native context
  std::string lengths;       // "512, 1K, 2048" (eval_args' parse_length)
  std::string depths = "0, 25, 50, 75, 100";  // percent
  int depth_step = 25;
  int trials = 3, seed = 1;
  bool use_document = true;  // perplexity text / haystack: the open document, else the bundled samples
  std::string message;       // why the last Run was refused
  std::string export_dir;    // empty: ~/mrrope-results/<timestamp>
  EvalExport last_export;
  float grid_rect[4] = {0, 0, 0, 0};  // where the grid was drawn last frame (the script dumps it)
  int grid_filled = 0;                // cells (retrieval) or points (perplexity) with data
};


class App {
 public:
  App(AppSession& session, Settings& settings, bool scripted);

  void draw();                 // one frame
  void save_settings();

  // Entry points the script (and the panels) use.
  void open_model(const std::string& path);
  // Adds a document (txt, md, pdf, html) to the conversation; a refusal shows
  // in the Document panel and changes nothing else.
  void open_document(const std::string& path);
  void drop_files(const std::vector<std::string>& paths);  // GLFW's drop callback, or the script
  void set_question(const std::string& q) { question_ = q; }
  const std::string& question() const { return question_; }
  void set_max_new_tokens(int n) { max_new_tokens_ = n; }
  // Max tokens such that the next turn needs `over` tokens more than the
  // thread's window holds (tests drive the fit choice with it); returns why not.
  std::string set_max_new_tokens_past_window(int over);
  void set_kv_cache(KvCacheType type);
  void set_method(RopeMethod m) { method_.method = m; }
  void set_scale(double s) {  // 0 = auto
    method_.auto_scale = s <= 0;
    if (s > 0) method_.scale = static_cast<float>(s);
  }
  void ask();  // the question box as the next turn of the conversation (app_conversation.cpp)
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
  const Conversation& conversation() { sync_conversation(); return conversation_; }
  std::string conversation_message() const { return conversation_message_; }
  void compare(const std::vector<RopeMethod>& methods);  // the question box alone, with loss curves
  // Side by side over the conversation (app_compare_threads.cpp): its answered
  // questions (then the question box's, if asked) under each method, each in a
  // thread of its own. Each returns why not (empty: started).
  std::string compare_conversation(const std::vector<RopeMethod>& methods, bool then_question_box);
  std::string compare_follow_up();  // the question box as the next question of every method's thread
  std::string export_thread_comparison(const std::string& dir, std::vector<std::string>* written = nullptr);
  const ThreadComparison& thread_comparison() { sync_thread_comparison(); return thread_comparison_; }
  void set_schedule_length(int t) { schedule_length_ = t; }
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
  // One per panel file.
  void draw_model_panel();
  void draw_kv_cache_choice(const ModelSummary& m);
  void draw_document_panel();
  void draw_method_panel();
  void draw_schedule_tab();
  void draw_qa_tab();
  void draw_compare_tab();
  void draw_attention_tab();
  void draw_evaluation_tab();
  void draw_status_bar();

  RopeParams rope_params(RopeMethod method) const;
  EvalRequest make_eval_request();  // throws std::invalid_argument on bad input
  std::string default_lengths() const;
  void draw_eval_controls(const EvalState& state);
  void draw_eval_results(const EvalState& state);
  void draw_eval_export(const EvalState& state);
  int estimated_prompt_tokens() const;  // document + question + template, before tokenizing them together
  AskRequest make_request() const;
  bool begin_tab(const char* name);
  // Conversation (app_conversation.cpp).
  void sync_conversation();  // the streamed answer into the pending turn
  void send_turn(const std::string& question);
  void fill_conversation_settings();
  int next_turn_estimate(const std::string& question) const;
  int native_context() const;
  void draw_conversation_bar();
  void draw_thread();
  void draw_fit_choice();
  // loss_curve: also each thread's loss over the documents (a new comparison; a follow-up keeps the curves).
  void send_thread_questions(const std::vector<std::string>& questions, bool loss_curve);
  void sync_thread_comparison();  // the streamed answers into each thread's turns
  void draw_compare_controls();
  void draw_compare_question_results();  // panel_compare.cpp: one question, with loss curves
  void draw_compare_thread_results();    // panel_compare.cpp: the threads, turn by turn
  void draw_thread_losses(const std::vector<std::vector<float>>& losses);  // and their loss curves
  void handle_shortcuts();
  // Recent files (settings keys recent_documents / recent_models, '|'-separated).
  void remember_recent(const std::string& key, const std::string& path);
  std::vector<std::string> recent(const std::string& key) const;
  bool draw_recent_menu(const char* id, const std::string& key, std::string* picked);

  AppSession& session_;
  Settings& settings_;
  bool scripted_;
  // Cached snapshots, refreshed when the session's generation changes.
  uint64_t seen_generation_ = ~0ull;
  std::optional<ModelSummary> model_;
  std::optional<DocumentSummary> document_;

  std::string model_path_;
  FileBrowser model_browser_{"model_browser", {".gguf"}};
  FileBrowser document_browser_{"document_browser", {".txt", ".md", ".pdf", ".html", ".htm"}};
  FileBrowser conversation_browser_{"conversation_browser", {".json"}};
  std::string document_path_;
  std::string paste_;
  std::string document_message_;

  Conversation conversation_;
  int pending_turn_ = -1;  // the turn being answered
  struct FitProblem {
    int needed = 0, window = 0, drop = 0;  // drop: oldest turns that would make room (-1: not enough)
    std::string question;
  };
  std::optional<FitProblem> fit_;
 public:
  const std::optional<FitProblem>& fit_problem() const { return fit_; }
 private:
  std::string conversation_path_, export_dir_, conversation_message_;
  bool focus_question_ = false;

  MethodChoice method_;
  std::string question_ = "Who is the Preacher?";
  int max_new_tokens_ = 32;
  float temperature_ = 0.0f;
  MethodSet compare_methods_{RopeMethod::Linear, RopeMethod::Yarn, RopeMethod::MrRopePro};
  bool compare_loss_ = true;
  int compare_source_ = 1;       // 0: the question box; 1: the conversation; 2: the conversation, then the question box
  std::string compared_question_;  // what the one-question comparison ran with (the box may have changed since)
  ThreadComparison thread_comparison_;
  size_t thread_compare_first_ = 0;  // the running request's first question, in thread_comparison_.questions
  bool thread_compare_running_ = false;
  bool compare_threads_shown_ = false;  // the tab shows the threads (else the one-question comparison)
  std::string compare_message_;

  AttentionViewState attention_;
  EvalViewState eval_;
  bool probe_during_ask_ = true;

  // The panel drew itself here; a panel that scrolls also gives its scroll and content height (paged export).
  void note_panel_rect(PanelShot which, float x0, float y0, float x1, float y1, float scroll_y = 0, float content_h = 0);
  std::optional<float> panel_png_scroll(PanelShot which) const;  // where a paged export wants the panel scrolled
  void draw_panel_png_button(PanelShot which);

  std::optional<PanelPngJob> panel_png_;
  PanelPngResult panel_png_result_;
  bool panel_png_drawn_ = false;  // the job's panel was drawn this frame

  std::string select_tab_, active_tab_;
  std::deque<double> frame_times_;  // when recent frames were drawn, for the FPS readout
  int schedule_length_ = 0;          // T for the schedule tab; 0 = the document's length
  std::string custom_ramp() const;
};

// Colours shared by the panels.
namespace colors {
constexpr unsigned kError = 0xFF5A5AFF;    // ImU32 ABGR: red
constexpr unsigned kWarning = 0xFF40C0FF;  // amber
constexpr unsigned kOk = 0xFF70D070;
}  // namespace colors

}  // namespace mrrope::ui
