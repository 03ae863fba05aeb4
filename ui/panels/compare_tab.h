#pragma once
// The Side by side tab (compare_tab.cpp draws it, compare_threads.cpp runs it):
// 2-4 methods on the question box alone, with loss curves, or on the whole
// conversation, each method in a thread of its own.
#include <cstddef>
#include <string>
#include <vector>

#include "ui/chat/thread_comparison.h"
#include "ui/panels/panel.h"
#include "ui/widgets/method_set.h"

namespace mrrope::ui {

// A column's loss per position over the documents (its method's schedule); empty until scored.
struct LossCurve {
  std::string method;
  std::vector<float> loss;
};

class CompareTab : public Panel {
 public:
  using Panel::Panel;
  void draw() override;

  void compare(const std::vector<RopeMethod>& methods);  // the question box alone, with loss curves as the threads'
  // Side by side over the conversation: its answered questions (then the
  // question box's, if asked) under each method, each in a thread of its own.
  // Each returns why not (empty: started).
  std::string compare_conversation(const std::vector<RopeMethod>& methods, bool then_question_box);
  std::string compare_follow_up();  // the question box as the next question of every method's thread
  std::string export_thread_comparison(const std::string& dir, std::vector<std::string>* written = nullptr);
  const ThreadComparison& thread_comparison() { sync_thread_comparison(); return threads_; }
  // The loss curves the tab shows, a column each: the threads' when it shows a
  // conversation (one question or more), else the one question's methods'.
  std::vector<LossCurve> loss_curves();
  bool shows_threads() const { return threads_shown_ && !threads_.empty(); }
  bool has_results() const;  // answers of either kind, for Save PNG

 private:
  void draw_controls();
  void draw_question_results();  // one question
  void draw_thread_results();    // the threads, turn by turn
  void draw_loss_curves(const std::vector<LossCurve>& curves);  // under either
  // loss_curve: also each thread's loss over the documents (a new comparison; a follow-up keeps the curves).
  void send_thread_questions(const std::vector<std::string>& questions, bool loss_curve);
  void sync_thread_comparison();  // the streamed answers into each thread's turns

  MethodSet methods_{RopeMethod::Linear, RopeMethod::Yarn, RopeMethod::MrRopePro};
  bool loss_curve_ = true;
  int source_ = 1;  // 0: the question box; 1: the conversation; 2: the conversation, then the question box
  std::string compared_question_;  // what the one-question comparison ran with (the box may have changed since)
  ThreadComparison threads_;
  size_t first_question_ = 0;      // the running request's first question, in threads_.questions
  bool running_ = false;           // a thread comparison is running: its answers are copied back each frame
  bool threads_shown_ = false;     // the tab shows the threads (else the one-question comparison)
  std::string message_;
};

}  // namespace mrrope::ui
