// The Q&A tab's conversation: turns sent to the session, the streamed answer
// copied back, the window a thread runs in, and its files (qa_tab.cpp draws it).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rope/rope_methods.h"
#include "ui/app.h"
#include "ui/export/chat_export.h"
#include "ui/panels/qa_tab.h"
#include "ui/util/local_time.h"

namespace mrrope::ui {

namespace fs = std::filesystem;

int QaTab::next_turn_estimate(const std::string& question) const {
  const std::optional<DocumentSummary>& document = app_.document();
  int tokens = (document ? document->tokens : 0) + 16 + static_cast<int>(question.size() / 3) + max_new_tokens_;
  for (const ConversationTurn& t : conversation_.turns)
    if (t.in_context && t.done && t.error.empty()) tokens += turn_tokens_estimate(t);
  return tokens;
}

int QaTab::estimated_prompt_tokens() const {
  if (!app_.document()) return 0;
  // A rough bound is enough for planning.
  return next_turn_estimate(question_) - max_new_tokens_;
}

AskRequest QaTab::make_request() const {
  AskRequest r;
  r.question = question_;
  r.rope = app_.method_panel().rope_params(app_.method_panel().choice().method);
  r.max_new_tokens = max_new_tokens_;
  r.sampler.temperature = temperature_;
  r.sampler.seed = 1234;
  if (probe_during_ask_)
    r.probe = app_.attention_tab().probe_config(r.rope, estimated_prompt_tokens() + max_new_tokens_);
  return r;
}

std::string QaTab::set_max_new_tokens_past_window(int over) {
  sync();
  const int window = conversation_.settings.window;
  if (window <= 0) return "the conversation has no window yet: ask a first question";
  const int rest = next_turn_estimate(question_) - max_new_tokens_;  // everything but the answer
  if (window - rest + over < 1) return "the window is already full";
  max_new_tokens_ = window - rest + over;
  return "";
}

void QaTab::sync() {
  if (pending_turn_ < 0 || pending_turn_ >= int(conversation_.turns.size())) return;
  const Answer a = app_.session().answer();
  ConversationTurn& t = conversation_.turns[size_t(pending_turn_)];
  t.answer = a.text;
  t.prompt_tokens = a.prompt_tokens;
  t.cached_tokens = a.cached_tokens;
  t.restored_tokens = a.restored_tokens;
  t.prefilled_tokens = a.prefilled_tokens;
  t.new_tokens = a.new_tokens;
  t.seconds = a.seconds;
  if (!a.done && app_.session().busy()) return;
  if (!a.done) {  // stopped while still queued: it never ran
    pending_turn_ = -1;
    t.stop_reason = "stopped";
    t.done = true;
    return;
  }
  pending_turn_ = -1;
  if (a.needed_tokens > 0) {
    // Did not run: the question goes back into the box and the user chooses.
    FitProblem f{a.needed_tokens, a.window, oldest_turns_to_drop(conversation_, a.needed_tokens, a.window), t.question};
    if (question_.empty()) question_ = t.question;
    conversation_.turns.pop_back();
    fit_ = f;
    return;
  }
  t.stop_reason = a.stop_reason;
  t.error = a.error;
  t.done = true;
}

void QaTab::ask() {
  sync();
  if (pending_turn_ >= 0 || question_.empty()) return;
  const std::string q = question_;
  send_turn(q);
  if (!fit_) question_.clear();  // sent: the box is free for the next question
}

void QaTab::send_turn(const std::string& question) {
  fit_.reset();
  message_.clear();
  const MethodChoice& choice = app_.method_panel().choice();
  const std::string method = std::string(rope_method_name(choice.method));
  const double scale = choice.user_scale();
  ConversationSettings& s = conversation_.settings;
  // A new thread, or another method or S: plan the window again (the
  // schedule changes, so the documents are prefilled again anyway).
  const bool replan = s.window <= 0 || s.method != method || s.scale != scale;
  const int needed = next_turn_estimate(question);
  if (replan) {
    const WindowPlan p = plan_window(choice.method, choice.auto_scale, scale, app_.native_context(), needed);
    s.method = method;
    s.scale = scale;
    s.resolved_scale = p.scale;
    s.window = p.window;
  } else if (needed > s.window) {
    fit_ = FitProblem{needed, s.window, oldest_turns_to_drop(conversation_, needed, s.window), question};
    return;
  }
  if (conversation_.created.empty()) conversation_.created = local_time("%Y-%m-%d %H:%M");
  ChatRequest r;
  r.ask = make_request();
  r.ask.question = question;
  if (rope_method_takes_user_scale(choice.method))
    r.ask.rope.scale = s.resolved_scale;  // explicit: the schedule stays put while the thread grows
  r.history = context_history(conversation_);
  r.window = s.window;
  ConversationTurn t;
  t.question = question;
  t.method = method;
  conversation_.turns.push_back(t);
  pending_turn_ = static_cast<int>(conversation_.turns.size()) - 1;
  app_.session().chat(r);
}

void QaTab::regenerate() {
  sync();
  if (pending_turn_ >= 0 || conversation_.turns.empty()) return;
  const std::string q = conversation_.turns.back().question;
  conversation_.turns.pop_back();
  send_turn(q);
}

void QaTab::edit_last() {
  sync();
  if (pending_turn_ >= 0 || conversation_.turns.empty()) return;
  question_ = conversation_.turns.back().question;
  conversation_.turns.pop_back();
  focus_question_ = true;
}

void QaTab::new_conversation() {
  sync();
  if (pending_turn_ >= 0) app_.session().cancel();
  pending_turn_ = -1;
  conversation_ = {};
  fit_.reset();
  path_.clear();
  message_.clear();
}

void QaTab::resolve_fit(bool larger_scale) {
  if (!fit_) return;
  const FitProblem f = *fit_;
  fit_.reset();
  if (larger_scale) {
    MethodChoice& choice = app_.method_panel().choice();
    choice.auto_scale = false;
    choice.scale = static_cast<float>(scale_to_fit(f.needed, app_.native_context()));
    conversation_.settings.window = 0;  // replanned with the new S
  } else {
    int drop = f.drop < 0 ? int(conversation_.turns.size()) : f.drop;
    for (ConversationTurn& t : conversation_.turns)
      if (drop > 0 && t.in_context) t.in_context = false, --drop;
  }
  send_turn(f.question);
  if (!fit_ && question_ == f.question) question_.clear();
}

void QaTab::fill_conversation_settings() {
  ConversationSettings& s = conversation_.settings;
  const MethodChoice& choice = app_.method_panel().choice();
  s.model_path = app_.model_panel().path();
  s.model_name = app_.model() ? app_.model()->name : "";
  if (s.window <= 0) {  // not started: what the next turn would use
    s.method = std::string(rope_method_name(choice.method));
    s.scale = choice.user_scale();
  }
  s.alpha = choice.set_alpha ? std::optional<double>(choice.alpha) : std::nullopt;
  s.beta = choice.set_beta ? std::optional<double>(choice.beta) : std::nullopt;
  s.attn_factor = choice.set_attn ? std::optional<double>(choice.attn) : std::nullopt;
  s.max_new_tokens = max_new_tokens_;
  s.temperature = temperature_;
  s.kv_cache = std::string(kv_cache_type_name(app_.session().kv_type()));
  conversation_.documents.clear();
  if (app_.document())
    for (const DocumentPart& p : app_.document()->parts)
      conversation_.documents.push_back(
          {p.name, p.path, p.format, p.bytes, p.pages, p.path.empty() && p.text ? *p.text : std::string()});
}

std::string QaTab::save_conversation(const std::string& path_in) {
  sync();
  fill_conversation_settings();
  if (conversation_.created.empty()) conversation_.created = local_time("%Y-%m-%d %H:%M");
  const std::string path =
      path_in.empty() ? conversations_folder() + "/" + local_time("%Y%m%d-%H%M%S") + ".json" : path_in;
  const std::string err = write_text_file(path, conversation_to_json(conversation_));
  message_ = err.empty() ? "saved to " + path : err;
  if (err.empty()) path_ = path;
  return err;
}

std::string QaTab::export_conversation(const std::string& dir_in, std::vector<std::string>* written) {
  sync();
  fill_conversation_settings();
  const std::string dir = dir_in.empty() ? conversations_folder() + "/" + local_time("%Y%m%d-%H%M%S") : dir_in;
  std::vector<std::string> files;
  const std::string err = export_conversation_files(conversation_, dir, &files);
  message_ = err.empty() ? "exported " + files[0] + " and conversation.json" : err;
  if (err.empty() && written) *written = files;
  return err;
}

std::string QaTab::open_conversation(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return message_ = "cannot open " + path;
  std::stringstream text;
  text << in.rdbuf();
  Conversation c;
  try {
    c = conversation_from_json(text.str());
  } catch (const std::exception& e) {
    return message_ = path + ": " + e.what();
  }
  new_conversation();
  const ConversationSettings& s = c.settings;
  MethodChoice& choice = app_.method_panel().choice();
  choice.method = parse_rope_method(s.method);  // checked by conversation_from_json
  choice.set_user_scale(s.scale);
  choice.set_alpha = s.alpha.has_value(), choice.alpha = float(s.alpha.value_or(choice.alpha));
  choice.set_beta = s.beta.has_value(), choice.beta = float(s.beta.value_or(choice.beta));
  choice.set_attn = s.attn_factor.has_value(), choice.attn = float(s.attn_factor.value_or(choice.attn));
  max_new_tokens_ = std::clamp(s.max_new_tokens, 1, 4096);
  temperature_ = static_cast<float>(s.temperature);
  if (auto kv = kv_cache_type_from_name(s.kv_cache)) app_.session().set_kv_type(*kv);
  std::vector<std::string> missing;
  if (!s.model_path.empty() && s.model_path != app_.model_panel().path()) {
    std::error_code ec;
    if (fs::is_regular_file(s.model_path, ec)) app_.model_panel().open(s.model_path);
    else missing.push_back("model " + s.model_path);
  }
  app_.session().clear_documents();
  for (const ConversationDocument& d : c.documents) {
    std::error_code ec;
    if (!d.path.empty() && fs::is_regular_file(d.path, ec)) app_.session().add_document_file(d.path);
    else if (d.path.empty() && !d.text.empty()) app_.session().add_document_text(d.name, d.text);  // pasted, saved with it
    else missing.push_back(d.path.empty() ? d.name + " (pasted before its text was saved: paste it again)" : d.path);
  }
  conversation_ = std::move(c);
  path_ = path;
  message_ = "opened " + path;
  if (!missing.empty()) {
    message_ += "; not found: ";
    for (size_t i = 0; i < missing.size(); ++i) message_ += (i ? ", " : "") + missing[i];
    message_ += " (the thread shows; open them to go on)";
  }
  return "";
}

}  // namespace mrrope::ui
