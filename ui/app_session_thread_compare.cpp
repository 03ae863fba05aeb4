// Side by side over a conversation, on the worker: each method's thread runs
// its questions in order through run_chat, so within a thread the documents and
// earlier turns come from the KV cache as in a single conversation. There is
// one cache: a thread starts by prefilling again when another method ran last.
#include <numeric>

#include "ui/app_session.h"

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
    if (cancel_) break;
  }
}

std::vector<std::vector<Answer>> AppSession::thread_comparison() const {
  std::lock_guard lock(mutex_);
  return thread_comparison_;
}

}  // namespace mrrope::ui
