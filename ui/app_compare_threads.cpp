// Side by side over the conversation in the App: the questions chosen, one
// thread per method planned and sent to the session, the streamed answers
// copied back turn by turn, a follow-up asked in every thread, and the export.
// The Side by side tab (panel_compare.cpp) draws it.
#include <filesystem>
#include <fstream>

#include "ui/app.h"
#include "ui/local_time.h"

namespace mrrope::ui {
namespace {
namespace fs = std::filesystem;
}  // namespace

std::string App::compare_conversation(const std::vector<RopeMethod>& methods, bool then_question_box) {
  sync_conversation();
  sync_thread_comparison();
  if (session_.busy()) return "busy: wait for the running job or stop it";
  if (methods.size() < 2 || methods.size() > 4) return "choose 2 to 4 methods";
  if (!model_ || !document_ || document_->tokens <= 0) return "open a model and a document first";
  const std::vector<std::string> questions = questions_to_compare(conversation_, then_question_box ? question_ : "");
  if (questions.empty()) return "the conversation has no answered question yet: ask one, or compare the question box";
  compare_methods_.clear();  // the tab's checkboxes follow what runs (the script calls this too)
  for (RopeMethod m : methods) compare_methods_.set(m, true);
  fill_conversation_settings();
  thread_comparison_ = {};
  thread_comparison_.created = local_time("%Y-%m-%d %H:%M");
  // Each window is planned for the whole thread, so no method runs out of room halfway.
  const int needed = thread_tokens_estimate(document_->tokens, questions, max_new_tokens_);
  for (RopeMethod m : methods) {
    Conversation t;
    t.created = thread_comparison_.created;
    t.settings = conversation_.settings;
    t.documents = conversation_.documents;
    const double scale = method_.auto_scale ? 0.0 : double(method_.scale);
    const WindowPlan p = plan_window(m, method_.auto_scale, scale, native_context(), needed);
    t.settings.method = std::string(rope_method_name(m));
    t.settings.scale = scale, t.settings.resolved_scale = p.scale, t.settings.window = p.window;
    thread_comparison_.threads.push_back(std::move(t));
  }
  compare_threads_shown_ = true;
  send_thread_questions(questions, compare_loss_);
  return "";
}

std::string App::compare_follow_up() {
  sync_thread_comparison();
  if (thread_comparison_.empty()) return "no side-by-side conversation yet: compare the conversation first";
  if (session_.busy()) return "busy: wait for the running job or stop it";
  if (question_.empty()) return "type the follow-up question first";
  for (const Conversation& t : thread_comparison_.threads)
    if (t.turns.size() < thread_comparison_.questions.size())
      return "a thread stopped before its last question: compare the conversation again";
  compare_threads_shown_ = true;
  send_thread_questions({question_}, false);
  question_.clear();
  return "";
}

void App::send_thread_questions(const std::vector<std::string>& questions, bool loss_curve) {
  ThreadCompareRequest r;
  r.questions = questions;
  r.loss_curve = loss_curve;
  for (size_t m = 0; m < thread_comparison_.threads.size(); ++m) {
    const ConversationSettings& s = thread_comparison_.threads[m].settings;
    const RopeMethod method = parse_rope_method(s.method);
    ChatRequest c;
    c.ask = make_request();
    c.ask.rope = rope_params(method);
    if (method != RopeMethod::None && method != RopeMethod::Native) c.ask.rope.scale = s.resolved_scale;  // the thread's S stays put
    c.ask.probe.reset();
    c.history = thread_history(thread_comparison_, m);
    c.window = s.window;
    r.threads.push_back(std::move(c));
  }
  thread_compare_first_ = thread_comparison_.questions.size();
  thread_comparison_.questions.insert(thread_comparison_.questions.end(), questions.begin(), questions.end());
  thread_compare_running_ = true;
  session_.compare_threads(r);
}

void App::sync_thread_comparison() {
  if (!thread_compare_running_) return;
  const std::vector<std::vector<Answer>> answers = session_.thread_comparison();
  const bool busy = session_.busy();
  for (size_t m = 0; m < thread_comparison_.threads.size() && m < answers.size(); ++m) {
    std::vector<ConversationTurn>& turns = thread_comparison_.threads[m].turns;
    for (size_t q = 0; q < answers[m].size(); ++q) {
      const Answer& a = answers[m][q];
      const size_t at = thread_compare_first_ + q;
      if (at >= thread_comparison_.questions.size()) break;
      if (turns.size() <= at) turns.resize(at + 1);
      ConversationTurn& t = turns[at];
      t.question = thread_comparison_.questions[at];
      t.answer = a.text, t.method = a.method, t.stop_reason = a.stop_reason, t.error = a.error;
      t.prompt_tokens = a.prompt_tokens, t.cached_tokens = a.cached_tokens, t.prefilled_tokens = a.prefilled_tokens;
      t.restored_tokens = a.restored_tokens;
      t.new_tokens = a.new_tokens, t.seconds = a.seconds, t.done = a.done;
    }
  }
  if (!busy) thread_compare_running_ = false;
}

std::string App::export_thread_comparison(const std::string& dir_in, std::vector<std::string>* written) {
  sync_thread_comparison();
  if (thread_comparison_.empty()) return compare_message_ = "no side-by-side conversation to export yet";
  const std::string dir = dir_in.empty() ? default_export_dir() : dir_in;
  const std::string md = (fs::path(dir) / "side_by_side.md").string(), js = (fs::path(dir) / "side_by_side.json").string();
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (const auto& [path, text] : {std::pair{md, thread_comparison_to_markdown(thread_comparison_)},
                                   std::pair{js, thread_comparison_to_json(thread_comparison_)}}) {
    std::ofstream out(path, std::ios::binary);
    if (!(out << text)) return compare_message_ = "could not write " + path;
  }
  compare_message_ = "exported " + md + " and side_by_side.json";
  if (written) *written = {md, js};
  return "";
}

}  // namespace mrrope::ui
