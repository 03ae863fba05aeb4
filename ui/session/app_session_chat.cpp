// A turn of the document chat on the worker. The prompt is the documents, the
// earlier turns and the question; the KV cache keeps the tokens of the last
// turn (prompt and answer), so only the part after their common prefix is
// prefilled: the documents once per schedule, then a few tokens per turn. A
// thread under another schedule is kept aside as a copy and comes back from it.
#include <algorithm>
#include <chrono>

#include "sampling/sampler.h"
#include "sampling/stop_strings.h"
#include "tokenizer/utf8_stream.h"
#include "ui/session/app_session.h"
#include "ui/chat/conversation.h"

namespace mrrope::ui {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void AppSession::chat(const ChatRequest& request) {
  enqueue_answer(request.ask.rope.method, [this, request](const Publish& publish) { run_chat(request, publish); });
}

void AppSession::run_chat(const ChatRequest& request, const std::function<void(const Answer&)>& publish_to) {
  const AskRequest& ask = request.ask;
  Answer a;
  a.method = std::string(rope_method_name(ask.rope.method));
  auto publish = [&] { publish_to(a); };
  std::shared_ptr<const std::string> doc;
  {
    std::lock_guard lock(mutex_);
    if (document_) doc = document_->text;
  }
  if (!engine_) throw std::runtime_error("no model is open");
  if (!doc || doc->empty()) throw std::runtime_error("there is no document: open a file or paste text");
  const auto t0 = std::chrono::steady_clock::now();
  set_progress("Tokenizing prompt", 0, 0);
  const tok::Vocab& v = engine_->tokenizer().vocab();
  tok::ChatSpecialTexts special;
  if (v.valid(v.bos_id)) special.bos = v.tokens[size_t(v.bos_id)];
  if (v.valid(v.eos_id)) special.eos = v.tokens[size_t(v.eos_id)];
  const tok::ChatTemplate tmpl = engine_->chat_template();
  const std::string text = format_conversation_prompt(tmpl, *doc, request.history, ask.question, special);
  const std::vector<int32_t> prompt =
      engine_->tokenizer().tokenize(text, /*add_special=*/true, /*parse_special=*/tmpl != tok::ChatTemplate::None);
  a.prompt_tokens = static_cast<int>(prompt.size());
  const int needed = a.prompt_tokens + ask.max_new_tokens;
  const int window = std::max(request.window, 1);
  if (needed > window) {
    a.needed_tokens = needed;
    a.window = window;
    publish();
    throw std::runtime_error("the next turn needs " + std::to_string(needed) + " tokens (" +
                             std::to_string(a.prompt_tokens) + " prompt + " + std::to_string(ask.max_new_tokens) +
                             " to answer) but the conversation's context holds " + std::to_string(window));
  }
  const RopeTable& table = engine_->set_rope(ask.rope, window);
  a.rope_description = table.description;
  publish();
  ensure_decoder(context_for(window, 0));
  GpuModel& model = engine_->model();

  // The cache is reusable only under the same schedule (keys are stored rotated):
  // the live cache's, or this schedule's thread's saved copy (app_session_prefixes.cpp).
  const size_t shared = take_prefix(table, prompt, &a.restored_tokens);
  a.cached_tokens = static_cast<int>(shared);
  a.prefilled_tokens = a.prompt_tokens - a.cached_tokens;

  const std::vector<std::string> pieces = arm_probe(ask.probe, prompt, window);
  auto publish_probe = [&] { publish_attention(ask.probe, pieces, a.prompt_tokens); };

  const auto t_prefill = std::chrono::steady_clock::now();
  std::vector<float> logits = model.prefill(
      std::span(prompt).subspan(shared),
      [&](int done, int total) {
        set_progress("Prefill (" + a.method + ")", done, total);
        publish_probe();
      },
      &cancel_);
  const double prefill_seconds = seconds_since(t_prefill);
  if (logits.empty() || cancel_) {
    forget_cache();  // a cancelled prefill leaves the cache part-written
    model.reset();
    model.set_probe(std::nullopt);
    a.stop_reason = "stopped";
    a.done = true;
    a.seconds = seconds_since(t0);
    publish();
    return;
  }
  kv_tokens_.assign(prompt.begin(), prompt.end());
  a.prefill_tps = prefill_seconds > 0 ? a.prefilled_tokens / prefill_seconds : 0;

  SamplerParams sp = ask.sampler;
  Sampler sampler(sp);
  for (int32_t t : prompt) sampler.accept(t);
  tok::Utf8StreamDecoder utf8;
  // A base model continues with the next "Question:" of its own: the turn ends there.
  StopStringMatcher stops(tmpl == tok::ChatTemplate::None ? std::vector<std::string>{"\nQuestion:"}
                                                          : std::vector<std::string>{});
  const auto eog = v.eog_ids();
  auto emit = [&](const std::string& s) {
    if (s.empty()) return;
    a.text += s;
    publish();
  };
  const auto t_decode = std::chrono::steady_clock::now();
  a.stop_reason = "length";
  for (int i = 0; i < ask.max_new_tokens; ++i) {
    if (cancel_) {
      a.stop_reason = "stopped";
      break;
    }
    const int32_t token = sampler.sample(logits);
    if (std::find(eog.begin(), eog.end(), token) != eog.end()) {
      a.stop_reason = "eos";
      break;
    }
    sampler.accept(token);
    ++a.new_tokens;
    a.seconds = seconds_since(t0);
    set_progress("Generating (" + a.method + ")", a.new_tokens, ask.max_new_tokens);
    emit(stops.feed(utf8.push(engine_->tokenizer().token_to_piece(token, false))));
    if (stops.stopped()) {
      a.stop_reason = "stop string";
      break;
    }
    if (model.n_past() >= model.n_ctx()) {
      a.stop_reason = "context full";
      break;
    }
    logits = model.forward(std::span(&token, 1));
    kv_tokens_.push_back(token);
  }
  if (!stops.stopped()) emit(stops.feed(utf8.flush()) + stops.flush());
  const double decode_seconds = seconds_since(t_decode);
  a.decode_tps = decode_seconds > 0 ? a.new_tokens / decode_seconds : 0;
  publish_probe();
  model.set_probe(std::nullopt);
  a.seconds = seconds_since(t0);
  a.done = true;
  publish();
}

}  // namespace mrrope::ui
