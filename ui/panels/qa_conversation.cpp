// The conversation's logic in the App: turns sent to the session, the streamed
// answer copied back, the window a thread runs in, and its files. The Q&A tab
// (qa_tab.cpp) draws it.
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

int App::native_context() const {
  if (!model_) return 0;
  return model_->rope.n_ctx_orig > 0 ? model_->rope.n_ctx_orig : model_->n_ctx_train;
}

int App::next_turn_estimate(const std::string& question) const {
  int tokens = (document_ ? document_->tokens : 0) + 16 + static_cast<int>(question.size() / 3) + qa_.max_new_tokens;
  for (const ConversationTurn& t : qa_.conversation.turns)
    if (t.in_context && t.done && t.error.empty()) tokens += turn_tokens_estimate(t);
  return tokens;
}

std::string App::set_max_new_tokens_past_window(int over) {
  sync_conversation();
  const int window = qa_.conversation.settings.window;
  if (window <= 0) return "the conversation has no window yet: ask a first question";
  const int rest = next_turn_estimate(qa_.question) - qa_.max_new_tokens;  // everything but the answer
  if (window - rest + over < 1) return "the window is already full";
  qa_.max_new_tokens = window - rest + over;
  return "";
}

void App::sync_conversation() {
  if (qa_.pending_turn < 0 || qa_.pending_turn >= int(qa_.conversation.turns.size())) return;
  const Answer a = session_.answer();
  ConversationTurn& t = qa_.conversation.turns[size_t(qa_.pending_turn)];
  t.answer = a.text;
  t.prompt_tokens = a.prompt_tokens;
  t.cached_tokens = a.cached_tokens;
  t.restored_tokens = a.restored_tokens;
  t.prefilled_tokens = a.prefilled_tokens;
  t.new_tokens = a.new_tokens;
  t.seconds = a.seconds;
  if (!a.done && session_.busy()) return;
  if (!a.done) {  // stopped while still queued: it never ran
    qa_.pending_turn = -1;
    t.stop_reason = "stopped";
    t.done = true;
    return;
  }
  qa_.pending_turn = -1;
  if (a.needed_tokens > 0) {
    // Did not run: the question goes back into the box and the user chooses.
    FitProblem f{a.needed_tokens, a.window, oldest_turns_to_drop(qa_.conversation, a.needed_tokens, a.window), t.question};
    if (qa_.question.empty()) qa_.question = t.question;
    qa_.conversation.turns.pop_back();
    qa_.fit = f;
    return;
  }
  t.stop_reason = a.stop_reason;
  t.error = a.error;
  t.done = true;
}

void App::ask() {
  sync_conversation();
  if (qa_.pending_turn >= 0 || qa_.question.empty()) return;
  const std::string q = qa_.question;
  send_turn(q);
  if (!qa_.fit) qa_.question.clear();  // sent: the box is free for the next question
}

void App::send_turn(const std::string& question) {
  qa_.fit.reset();
  qa_.message.clear();
  const std::string method = std::string(rope_method_name(method_.method));
  const double scale = method_.auto_scale ? 0.0 : double(method_.scale);
  ConversationSettings& s = qa_.conversation.settings;
  // A new thread, or another method or S: plan the window again (the
  // schedule changes, so the documents are prefilled again anyway).
  const bool replan = s.window <= 0 || s.method != method || s.scale != scale;
  const int needed = next_turn_estimate(question);
  if (replan) {
    const WindowPlan p = plan_window(method_.method, method_.auto_scale, scale, native_context(), needed);
    s.method = method;
    s.scale = scale;
    s.resolved_scale = p.scale;
    s.window = p.window;
  } else if (needed > s.window) {
    qa_.fit = FitProblem{needed, s.window, oldest_turns_to_drop(qa_.conversation, needed, s.window), question};
    return;
  }
  if (qa_.conversation.created.empty()) qa_.conversation.created = local_time("%Y-%m-%d %H:%M");
  ChatRequest r;
  r.ask = make_request();
  r.ask.question = question;
  if (rope_method_takes_user_scale(method_.method))
    r.ask.rope.scale = s.resolved_scale;  // explicit: the schedule stays put while the thread grows
  r.history = context_history(qa_.conversation);
  r.window = s.window;
  ConversationTurn t;
  t.question = question;
  t.method = method;
  qa_.conversation.turns.push_back(t);
  qa_.pending_turn = static_cast<int>(qa_.conversation.turns.size()) - 1;
  session_.chat(r);
}

void App::regenerate() {
  sync_conversation();
  if (qa_.pending_turn >= 0 || qa_.conversation.turns.empty()) return;
  const std::string q = qa_.conversation.turns.back().question;
  qa_.conversation.turns.pop_back();
  send_turn(q);
}

void App::edit_last() {
  sync_conversation();
  if (qa_.pending_turn >= 0 || qa_.conversation.turns.empty()) return;
  qa_.question = qa_.conversation.turns.back().question;
  qa_.conversation.turns.pop_back();
  qa_.focus_question = true;
}

void App::new_conversation() {
  sync_conversation();
  if (qa_.pending_turn >= 0) session_.cancel();
  qa_.pending_turn = -1;
  qa_.conversation = {};
  qa_.fit.reset();
  qa_.path.clear();
  qa_.message.clear();
}

void App::resolve_fit(bool larger_scale) {
  if (!qa_.fit) return;
  const FitProblem f = *qa_.fit;
  qa_.fit.reset();
  if (larger_scale) {
    method_.auto_scale = false;
    method_.scale = static_cast<float>(scale_to_fit(f.needed, native_context()));
    qa_.conversation.settings.window = 0;  // replanned with the new S
  } else {
    int drop = f.drop < 0 ? int(qa_.conversation.turns.size()) : f.drop;
    for (ConversationTurn& t : qa_.conversation.turns)
      if (drop > 0 && t.in_context) t.in_context = false, --drop;
  }
  send_turn(f.question);
  if (!qa_.fit && qa_.question == f.question) qa_.question.clear();
}

void App::fill_conversation_settings() {
  ConversationSettings& s = qa_.conversation.settings;
  s.model_path = model_panel_.path;
  s.model_name = model_ ? model_->name : "";
  if (s.window <= 0) {  // not started: what the next turn would use
    s.method = std::string(rope_method_name(method_.method));
    s.scale = method_.auto_scale ? 0.0 : double(method_.scale);
  }
  s.alpha = method_.set_alpha ? std::optional<double>(method_.alpha) : std::nullopt;
  s.beta = method_.set_beta ? std::optional<double>(method_.beta) : std::nullopt;
  s.attn_factor = method_.set_attn ? std::optional<double>(method_.attn) : std::nullopt;
  s.max_new_tokens = qa_.max_new_tokens;
  s.temperature = qa_.temperature;
  s.kv_cache = std::string(kv_cache_type_name(session_.kv_type()));
  qa_.conversation.documents.clear();
  if (document_)
    for (const DocumentPart& p : document_->parts)
      qa_.conversation.documents.push_back(
          {p.name, p.path, p.format, p.bytes, p.pages, p.path.empty() && p.text ? *p.text : std::string()});
}

std::string App::save_conversation(const std::string& path_in) {
  sync_conversation();
  fill_conversation_settings();
  if (qa_.conversation.created.empty()) qa_.conversation.created = local_time("%Y-%m-%d %H:%M");
  const std::string path =
      path_in.empty() ? conversations_folder() + "/" + local_time("%Y%m%d-%H%M%S") + ".json" : path_in;
  const std::string err = write_text_file(path, conversation_to_json(qa_.conversation));
  qa_.message = err.empty() ? "saved to " + path : err;
  if (err.empty()) qa_.path = path;
  return err;
}

std::string App::export_conversation(const std::string& dir_in, std::vector<std::string>* written) {
  sync_conversation();
  fill_conversation_settings();
  const std::string dir = dir_in.empty() ? conversations_folder() + "/" + local_time("%Y%m%d-%H%M%S") : dir_in;
  std::vector<std::string> files;
  const std::string err = export_conversation_files(qa_.conversation, dir, &files);
  qa_.message = err.empty() ? "exported " + files[0] + " and conversation.json" : err;
  if (err.empty() && written) *written = files;
  return err;
}

std::string App::open_conversation(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return qa_.message = "cannot open " + path;
  std::stringstream text;
  text << in.rdbuf();
  Conversation c;
  try {
    c = conversation_from_json(text.str());
  } catch (const std::exception& e) {
    return qa_.message = path + ": " + e.what();
  }
  new_conversation();
  const ConversationSettings& s = c.settings;
  method_.method = parse_rope_method(s.method);  // checked by conversation_from_json
  method_.auto_scale = s.scale <= 0;
  if (s.scale > 0) method_.scale = static_cast<float>(s.scale);
  method_.set_alpha = s.alpha.has_value(), method_.alpha = float(s.alpha.value_or(method_.alpha));
  method_.set_beta = s.beta.has_value(), method_.beta = float(s.beta.value_or(method_.beta));
  method_.set_attn = s.attn_factor.has_value(), method_.attn = float(s.attn_factor.value_or(method_.attn));
  qa_.max_new_tokens = std::clamp(s.max_new_tokens, 1, 4096);
  qa_.temperature = static_cast<float>(s.temperature);
  if (auto kv = kv_cache_type_from_name(s.kv_cache)) session_.set_kv_type(*kv);
  std::vector<std::string> missing;
  if (!s.model_path.empty() && s.model_path != model_panel_.path) {
    std::error_code ec;
    if (fs::is_regular_file(s.model_path, ec)) open_model(s.model_path);
    else missing.push_back("model " + s.model_path);
  }
  session_.clear_documents();
  for (const ConversationDocument& d : c.documents) {
    std::error_code ec;
    if (!d.path.empty() && fs::is_regular_file(d.path, ec)) session_.add_document_file(d.path);
    else if (d.path.empty() && !d.text.empty()) session_.add_document_text(d.name, d.text);  // pasted, saved with it
    else missing.push_back(d.path.empty() ? d.name + " (pasted before its text was saved: paste it again)" : d.path);
  }
  qa_.conversation = std::move(c);
  qa_.path = path;
  qa_.message = "opened " + path;
  if (!missing.empty()) {
    qa_.message += "; not found: ";
    for (size_t i = 0; i < missing.size(); ++i) qa_.message += (i ? ", " : "") + missing[i];
    qa_.message += " (the thread shows; open them to go on)";
  }
  return "";
}

void App::drop_files(const std::vector<std::string>& paths) {
  for (const std::string& p : paths) {
    const std::string ext = fs::path(p).extension().string();
    if (ext == ".gguf") open_model(p);
    else if (ext == ".json" && open_conversation(p).empty()) continue;
    else open_document(p);
  }
}

}  // namespace mrrope::ui
