// Side by side over a conversation, on the worker: each method's thread runs
// its questions in order through run_chat, so within a thread the documents and
// earlier turns come from the KV cache as in a single conversation. There is
// one cache: when another method ran last, a thread comes back from its saved
// copy (app_session_prefixes.cpp), or prefills again if the policy had no room.
#include <numeric>

#include "ui/session/app_session.h"

namespace mrrope::ui {
namespace {

// Which method's thread a cache belongs to (its rope and S).
std::string rope_key(const RopeParams& r) {
  return std::string(rope_method_name(r.method)) + "@" + std::to_string(r.scale);
}

}  // namespace

void AppSession::compare_threads(const ThreadCompareRequest& request) {
  {
    std::lock_guard lock(mutex_);
    thread_comparison_.assign(request.threads.size(), {});
    if (request.loss_curve) thread_losses_.assign(request.threads.size(), {});  // a follow-up keeps the curves
  }
  touch();
  enqueue("Comparing methods", [this, request] { run_thread_compare(request); });
}

void AppSession::run_thread_compare(const ThreadCompareRequest& request) {
  // The thread whose method ran last goes first: its prefix is still in the cache.
  std::vector<size_t> order(request.threads.size());
  std::iota(order.begin(), order.end(), size_t(0));
  for (size_t i = 0; i < order.size(); ++i)
    if (rope_key(request.threads[i].ask.rope) == last_thread_rope_) {
      std::rotate(order.begin(), order.begin() + long(i), order.begin() + long(i) + 1);
      break;
    }
  for (size_t m : order) {
    ChatRequest turn = request.threads[m];
    for (size_t q = 0; q < request.questions.size() && !cancel_; ++q) {
      turn.ask.question = request.questions[q];
      Answer result;
      auto publish = [&, m, q](const Answer& a) {
        result = a;
        {
          std::lock_guard lock(mutex_);
          auto& answers = thread_comparison_[m];
          if (answers.size() <= q) answers.resize(q + 1);
          answers[q] = a;
        }
        touch();
      };
      try {
        run_chat(turn, publish);
        last_thread_rope_ = rope_key(turn.ask.rope);
      } catch (const std::exception& e) {
        result.error = e.what(), result.done = true;
        publish(result);
      }
      if (!result.error.empty() || result.stop_reason == "stopped") break;  // this thread ends here
      turn.history.emplace_back(turn.ask.question, result.text);
    }
    if (request.loss_curve && !cancel_) score_thread(m);
    if (cancel_) break;
  }
}

void AppSession::score_thread(size_t thread) {
  std::shared_ptr<const std::string> doc;
  {
    std::lock_guard lock(mutex_);
    if (document_) doc = document_->text;
  }
  if (!doc || !engine_) return;
  park_live_cache();  // scoring fills the cache: the thread's prefix is kept for its next turn
  const std::vector<int32_t> tokens = engine_->tokenize_prompt(*doc);
  ensure_decoder(context_for(static_cast<int>(tokens.size()), 0));
  std::string method = "thread";
  {
    std::lock_guard lock(mutex_);
    if (thread < thread_comparison_.size() && !thread_comparison_[thread].empty())
      method = thread_comparison_[thread].front().method;
  }
  std::vector<float> nll =
      engine_->score(tokens, [&](int done, int total) { set_progress("Loss curve (" + method + ")", done, total); },
                     &cancel_)
          .nll;
  if (cancel_) return;
  {
    std::lock_guard lock(mutex_);
    if (thread < thread_losses_.size()) thread_losses_[thread] = std::move(nll);
  }
  touch();
}

std::vector<std::vector<float>> AppSession::thread_losses() const {
  std::lock_guard lock(mutex_);
  return thread_losses_;
}

std::vector<std::vector<Answer>> AppSession::thread_comparison() const {
  std::lock_guard lock(mutex_);
  return thread_comparison_;
}

}  // namespace mrrope::ui
