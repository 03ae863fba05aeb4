#pragma once
// Side by side over a whole conversation: the same questions asked under 2-4
// methods, each method in a thread of its own (its earlier answers are its
// history, its KV cache prefix is reused from turn to turn as in a single
// conversation). Each thread is a Conversation, so it saves and exports like
// one. No ImGui, no Vulkan: unit-tested in tests/app/test_thread_comparison.cpp.
#include <string>
#include <utility>
#include <vector>

#include "ui/chat/conversation.h"

namespace mrrope::ui {

struct ThreadComparison {
  std::vector<std::string> questions;  // in the order they were asked
  // One per method, in column order: its settings (method, S, window), the
  // documents, and its answers to `questions` (shorter while running, or
  // where the thread stopped on an error).
  std::vector<Conversation> threads;
  std::string created;
  bool empty() const { return threads.empty(); }
};

// The questions a comparison runs: the conversation's answered turns
// (failed ones left out), then `then_ask` when it is not empty.
std::vector<std::string> questions_to_compare(const Conversation& c, const std::string& then_ask);
// Method `m`'s history before its next question: its own answers, not the
// conversation's or another method's.
std::vector<std::pair<std::string, std::string>> thread_history(const ThreadComparison& tc, size_t m);
// Tokens a whole thread of `questions` may need (documents once, every
// question and answer): what each method's window is planned for.
int thread_tokens_estimate(int document_tokens, const std::vector<std::string>& questions, int max_new_tokens);

// {"format": "mrrope-side-by-side", "version": 1, "questions": [...],
//  "threads": [<each method's thread as conversation_to_json writes it>]}.
std::string thread_comparison_to_json(const ThreadComparison& tc);
// Question by question, every method's answer under it.
std::string thread_comparison_to_markdown(const ThreadComparison& tc);

}  // namespace mrrope::ui
