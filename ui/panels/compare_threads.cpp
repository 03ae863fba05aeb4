// The Side by side tab's runs: the question box alone under each method, or
// the conversation, one thread per method planned and sent to the session, the
// streamed answers copied back turn by turn, a follow-up asked in every
// thread, and the export (compare_tab.cpp draws it).
#include "ui/app.h"
#include "ui/export/chat_export.h"
#include "ui/panels/compare_tab.h"
#include "ui/util/local_time.h"

namespace mrrope::ui {

bool CompareTab::has_results() const { return !app_.session().comparison().empty() || !threads_.empty(); }

void CompareTab::compare(const std::vector<RopeMethod>& methods) {
  QaTab& qa = app_.qa_tab();
  qa.sync();
  // Keep the tab's checkboxes in step with what runs (the script calls this too).
  methods_.clear();
  for (RopeMethod m : methods) methods_.set(m, true);
  std::vector<RopeParams> list;
  for (RopeMethod m : methods) list.push_back(app_.method_panel().rope_params(m));
  AskRequest r = qa.make_request();
  // The question box empties once a question is sent: compare the last one then.
  if (r.question.empty() && !qa.conversation().turns.empty()) r.question = qa.conversation().turns.back().question;
  r.loss_curve = loss_curve_;
  r.probe.reset();
  compared_question_ = r.question;  // the panel and its PNG show this, whatever the box holds later
  threads_shown_ = false;
  app_.session().compare(r, list);
}

std::string CompareTab::compare_conversation(const std::vector<RopeMethod>& methods, bool then_question_box) {
  QaTab& qa = app_.qa_tab();
  qa.sync();
  sync_thread_comparison();
  const std::optional<DocumentSummary>& document = app_.document();
  if (app_.session().busy()) return "busy: wait for the running job or stop it";
  if (methods.size() < 2 || methods.size() > 4) return "choose 2 to 4 methods";
  if (!app_.model() || !document || document->tokens <= 0) return "open a model and a document first";
  const std::vector<std::string> questions =
      questions_to_compare(qa.conversation(), then_question_box ? qa.question() : "");
  if (questions.empty()) return "the conversation has no answered question yet: ask one, or compare the question box";
  methods_.clear();  // the tab's checkboxes follow what runs (the script calls this too)
  for (RopeMethod m : methods) methods_.set(m, true);
  qa.fill_conversation_settings();
  threads_ = {};
  threads_.created = local_time("%Y-%m-%d %H:%M");
  // Each window is planned for the whole thread, so no method runs out of room halfway.
  const int needed = thread_tokens_estimate(document->tokens, questions, qa.max_new_tokens());
  const MethodChoice& choice = app_.method_panel().choice();
  for (RopeMethod m : methods) {
    Conversation t;
    t.created = threads_.created;
    t.settings = qa.conversation().settings;
    t.documents = qa.conversation().documents;
    const double scale = choice.user_scale();
    const WindowPlan p = plan_window(m, choice.auto_scale, scale, app_.native_context(), needed);
    t.settings.method = std::string(rope_method_name(m));
    t.settings.scale = scale, t.settings.resolved_scale = p.scale, t.settings.window = p.window;
    threads_.threads.push_back(std::move(t));
  }
  threads_shown_ = true;
  send_thread_questions(questions, loss_curve_);
  return "";
}

std::string CompareTab::compare_follow_up() {
  sync_thread_comparison();
  QaTab& qa = app_.qa_tab();
  if (threads_.empty()) return "no side-by-side conversation yet: compare the conversation first";
  if (app_.session().busy()) return "busy: wait for the running job or stop it";
  if (qa.question().empty()) return "type the follow-up question first";
  for (const Conversation& t : threads_.threads)
    if (t.turns.size() < threads_.questions.size())
      return "a thread stopped before its last question: compare the conversation again";
  threads_shown_ = true;
  send_thread_questions({qa.question()}, false);
  qa.clear_question();
  return "";
}

void CompareTab::send_thread_questions(const std::vector<std::string>& questions, bool loss_curve) {
  ThreadCompareRequest r;
  r.questions = questions;
  r.loss_curve = loss_curve;
  for (size_t m = 0; m < threads_.threads.size(); ++m) {
    const ConversationSettings& s = threads_.threads[m].settings;
    const RopeMethod method = parse_rope_method(s.method);
    ChatRequest c;
    c.ask = app_.qa_tab().make_request();
    c.ask.rope = app_.method_panel().rope_params(method);
    if (method != RopeMethod::None && method != RopeMethod::Native) c.ask.rope.scale = s.resolved_scale;  // the thread's S stays put
    c.ask.probe.reset();
    c.history = thread_history(threads_, m);
    c.window = s.window;
    r.threads.push_back(std::move(c));
  }
  first_question_ = threads_.questions.size();
  threads_.questions.insert(threads_.questions.end(), questions.begin(), questions.end());
  running_ = true;
  app_.session().compare_threads(r);
}

void CompareTab::sync_thread_comparison() {
  if (!running_) return;
  const std::vector<std::vector<Answer>> answers = app_.session().thread_comparison();
  const bool busy = app_.session().busy();
  for (size_t m = 0; m < threads_.threads.size() && m < answers.size(); ++m) {
    std::vector<ConversationTurn>& turns = threads_.threads[m].turns;
    for (size_t q = 0; q < answers[m].size(); ++q) {
      const Answer& a = answers[m][q];
      const size_t at = first_question_ + q;
      if (at >= threads_.questions.size()) break;
      if (turns.size() <= at) turns.resize(at + 1);
      ConversationTurn& t = turns[at];
      t.question = threads_.questions[at];
      t.answer = a.text, t.method = a.method, t.stop_reason = a.stop_reason, t.error = a.error;
      t.prompt_tokens = a.prompt_tokens, t.cached_tokens = a.cached_tokens, t.prefilled_tokens = a.prefilled_tokens;
      t.restored_tokens = a.restored_tokens;
      t.new_tokens = a.new_tokens, t.seconds = a.seconds, t.done = a.done;
    }
  }
  if (!busy) running_ = false;
}

std::string CompareTab::export_thread_comparison(const std::string& dir_in, std::vector<std::string>* written) {
  sync_thread_comparison();
  if (threads_.empty()) return message_ = "no side-by-side conversation to export yet";
  const std::string dir = dir_in.empty() ? default_export_dir() : dir_in;
  std::vector<std::string> files;
  if (const std::string err = export_thread_comparison_files(threads_, dir, &files); !err.empty())
    return message_ = err;
  message_ = "exported " + files[0] + " and side_by_side.json";
  if (written) *written = files;
  return "";
}

}  // namespace mrrope::ui
