#pragma once
// The Q&A tab (qa_tab.cpp draws it, qa_conversation.cpp runs it): the
// conversation about the documents, the question box and its settings, and
// the conversation's files.
#include <optional>
#include <string>
#include <vector>

#include "ui/chat/conversation.h"
#include "ui/panels/panel.h"
#include "ui/widgets/file_browser.h"

namespace mrrope::ui {

class Settings;
struct AskRequest;

// The next turn does not fit the thread's window: the choice the tab offers.
struct FitProblem {
  int needed = 0, window = 0, drop = 0;  // drop: oldest turns that would make room (-1: not enough)
  std::string question;
};

class QaTab : public Panel {
 public:
  using Panel::Panel;
  void draw() override;

  // The question box and its settings (the Side by side asks it too).
  const std::string& question() const { return question_; }
  void set_question(const std::string& q) { question_ = q; }
  void clear_question() { question_.clear(); }
  int max_new_tokens() const { return max_new_tokens_; }
  void set_max_new_tokens(int n) { max_new_tokens_ = n; }
  // Max tokens such that the next turn needs `over` tokens more than the
  // thread's window holds (tests drive the fit choice with it); returns why not.
  std::string set_max_new_tokens_past_window(int over);
  void watch_attention() { probe_during_ask_ = true; }  // the probe runs with each answer
  // The question box as a request under the Method panel's choice (and the
  // Attention tab's probe when watching).
  AskRequest make_request() const;
  // Documents, the turns in context, the question and the template, before tokenizing them together.
  int estimated_prompt_tokens() const;

  // The conversation (qa_conversation.cpp).
  void ask();         // the question box as the next turn
  void regenerate();  // the last question again, its answer replaced
  void edit_last();   // the last question back into the box, its turn removed
  void new_conversation();
  // The choice offered when the next turn does not fit: a larger S (the
  // documents are prefilled again) or dropping the oldest turns.
  void resolve_fit(bool larger_scale);
  void sync();  // the streamed answer into the pending turn (each frame, and before reading)
  const Conversation& conversation() const { return conversation_; }  // as of the last sync
  void fill_conversation_settings();  // the model, method and documents into conversation().settings
  const std::optional<FitProblem>& fit_problem() const { return fit_; }
  // Files; each returns an error for the user, or empty.
  std::string save_conversation(const std::string& path);
  std::string open_conversation(const std::string& path);
  std::string export_conversation(const std::string& dir, std::vector<std::string>* written = nullptr);
  const std::string& message() const { return message_; }  // what the last save, open or export did

  void load(const Settings& s);  // the question box and max tokens
  void save(Settings& s) const;

 private:
  void draw_conversation_bar();
  void draw_thread();
  void draw_fit_choice();
  void send_turn(const std::string& question);
  int next_turn_estimate(const std::string& question) const;

  Conversation conversation_;
  int pending_turn_ = -1;  // the turn being answered
  std::optional<FitProblem> fit_;
  std::string question_ = "Who is the Preacher?";
  int max_new_tokens_ = 32;
  float temperature_ = 0.0f;
  bool probe_during_ask_ = true;  // "watch attention": the Attention tab's probe runs with each answer
  bool focus_question_ = false;   // give the box the keyboard next frame
  std::string path_;              // where the conversation was saved or opened
  std::string export_dir_;        // empty: ~/mrrope-conversations/<timestamp>
  std::string message_;
  FileBrowser browser_{"conversation_browser", {".json"}};
};

}  // namespace mrrope::ui
