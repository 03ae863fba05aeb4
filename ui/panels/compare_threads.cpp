// Side by side over the conversation in the App: the questions chosen, one
// thread per method planned and sent to the session, the streamed answers
// copied back turn by turn, a follow-up asked in every thread, and the export.
// The Side by side tab (compare_tab.cpp) draws it.
#include "ui/app.h"
#include "ui/export/chat_export.h"
#include "ui/panels/compare_tab.h"
#include "ui/util/local_time.h"

namespace mrrope::ui {

std::string App::compare_conversation(const std::vector<RopeMethod>& methods, bool then_question_box) {
  sync_conversation();
  sync_thread_comparison();
  if (session_.busy()) return "busy: wait for the running job or stop it";
  if (methods.size() < 2 || methods.size() > 4) return "choose 2 to 4 methods";
  if (!model_ || !document_ || document_->tokens <= 0) return "open a model and a document first";
  const std::vector<std::string> questions = questions_to_compare(qa_.conversation, then_question_box ? qa_.question : "");
  if (questions.empty()) return "the conversation has no answered question yet: ask one, or compare the question box";
  compare_.methods.clear();  // the tab's checkboxes follow what runs (the script calls this too)
  for (RopeMethod m : methods) compare_.methods.set(m, true);
  fill_conversation_settings();
  compare_.threads = {};
  compare_.threads.created = local_time("%Y-%m-%d %H:%M");
  // Each window is planned for the whole thread, so no method runs out of room halfway.
  const int needed = thread_tokens_estimate(document_->tokens, questions, qa_.max_new_tokens);
  for (RopeMethod m : methods) {
    Conversation t;
    t.created = compare_.threads.created;
    t.settings = qa_.conversation.settings;
    t.documents = qa_.conversation.documents;
    const double scale = method_.auto_scale ? 0.0 : double(method_.scale);
    const WindowPlan p = plan_window(m, method_.auto_scale, scale, native_context(), needed);
    t.settings.method = std::string(rope_method_name(m));
    t.settings.scale = scale, t.settings.resolved_scale = p.scale, t.settings.window = p.window;
    compare_.threads.threads.push_back(std::move(t));
  }
  compare_.threads_shown = true;
  send_thread_questions(questions, compare_.loss_curve);
  return "";
}

std::string App::compare_follow_up() {
  sync_thread_comparison();
  if (compare_.threads.empty()) return "no side-by-side conversation yet: compare the conversation first";
  if (session_.busy()) return "busy: wait for the running job or stop it";
  if (qa_.question.empty()) return "type the follow-up question first";
  for (const Conversation& t : compare_.threads.threads)
    if (t.turns.size() < compare_.threads.questions.size())
      return "a thread stopped before its last question: compare the conversation again";
  compare_.threads_shown = true;
  send_thread_questions({qa_.question}, false);
  qa_.question.clear();
  return "";
}

void App::send_thread_questions(const std::vector<std::string>& questions, bool loss_curve) {
  ThreadCompareRequest r;
  r.questions = questions;
  r.loss_curve = loss_curve;
  for (size_t m = 0; m < compare_.threads.threads.size(); ++m) {
    const ConversationSettings& s = compare_.threads.threads[m].settings;
    const RopeMethod method = parse_rope_method(s.method);
    ChatRequest c;
    c.ask = make_request();
    c.ask.rope = rope_params(method);
    if (method != RopeMethod::None && method != RopeMethod::Native) c.ask.rope.scale = s.resolved_scale;  // the thread's S stays put
    c.ask.probe.reset();
    c.history = thread_history(compare_.threads, m);
    c.window = s.window;
    r.threads.push_back(std::move(c));
  }
  compare_.first_question = compare_.threads.questions.size();
  compare_.threads.questions.insert(compare_.threads.questions.end(), questions.begin(), questions.end());
  compare_.running = true;
  session_.compare_threads(r);
}

void App::sync_thread_comparison() {
  if (!compare_.running) return;
  const std::vector<std::vector<Answer>> answers = session_.thread_comparison();
  const bool busy = session_.busy();
  for (size_t m = 0; m < compare_.threads.threads.size() && m < answers.size(); ++m) {
    std::vector<ConversationTurn>& turns = compare_.threads.threads[m].turns;
    for (size_t q = 0; q < answers[m].size(); ++q) {
      const Answer& a = answers[m][q];
      const size_t at = compare_.first_question + q;
      if (at >= compare_.threads.questions.size()) break;
      if (turns.size() <= at) turns.resize(at + 1);
      ConversationTurn& t = turns[at];
      t.question = compare_.threads.questions[at];
      t.answer = a.text, t.method = a.method, t.stop_reason = a.stop_reason, t.error = a.error;
      t.prompt_tokens = a.prompt_tokens, t.cached_tokens = a.cached_tokens, t.prefilled_tokens = a.prefilled_tokens;
      t.restored_tokens = a.restored_tokens;
      t.new_tokens = a.new_tokens, t.seconds = a.seconds, t.done = a.done;
    }
  }
  if (!busy) compare_.running = false;
}

std::string App::export_thread_comparison(const std::string& dir_in, std::vector<std::string>* written) {
  sync_thread_comparison();
  if (compare_.threads.empty()) return compare_.message = "no side-by-side conversation to export yet";
  const std::string dir = dir_in.empty() ? default_export_dir() : dir_in;
  std::vector<std::string> files;
  if (const std::string err = export_thread_comparison_files(compare_.threads, dir, &files); !err.empty())
    return compare_.message = err;
  compare_.message = "exported " + files[0] + " and side_by_side.json";
  if (written) *written = files;
  return "";
}

}  // namespace mrrope::ui
