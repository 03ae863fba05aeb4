// Side by side over a conversation: which questions, each method's history,
// and the files (GPU-free).
#include "ui/chat/thread_comparison.h"

#include <cstdio>

namespace mrrope::ui {

std::vector<std::string> questions_to_compare(const Conversation& c, const std::string& then_ask) {
  std::vector<std::string> out;
  for (const ConversationTurn& t : c.turns)
    if (t.done && t.error.empty() && t.stop_reason != "stopped") out.push_back(t.question);
  if (!then_ask.empty()) out.push_back(then_ask);
  return out;
}

std::vector<std::pair<std::string, std::string>> thread_history(const ThreadComparison& tc, size_t m) {
  std::vector<std::pair<std::string, std::string>> out;
  if (m >= tc.threads.size()) return out;
  for (const ConversationTurn& t : tc.threads[m].turns)
    if (t.done && t.error.empty()) out.emplace_back(t.question, t.answer);
  return out;
}

int thread_tokens_estimate(int document_tokens, const std::vector<std::string>& questions, int max_new_tokens) {
  int tokens = document_tokens;
  for (const std::string& q : questions) tokens += 16 + static_cast<int>(q.size() / 3) + max_new_tokens;
  return tokens;
}

std::string thread_comparison_to_json(const ThreadComparison& tc) {
  std::string o = "{\n  \"format\": \"mrrope-side-by-side\",\n  \"version\": 1,\n";
  o += "  \"created\": " + json_string(tc.created) + ",\n  \"questions\": [";
  for (size_t i = 0; i < tc.questions.size(); ++i) o += (i ? ", " : "") + json_string(tc.questions[i]);
  o += "],\n  \"threads\": [\n";
  for (size_t m = 0; m < tc.threads.size(); ++m) {
    std::string thread = conversation_to_json(tc.threads[m]);
    while (!thread.empty() && thread.back() == '\n') thread.pop_back();
    o += (m ? ",\n" : "") + thread;
  }
  return o + "\n  ]\n}\n";
}

std::string thread_comparison_to_markdown(const ThreadComparison& tc) {
  std::string o = "# Side by side" + (tc.created.empty() ? std::string() : " of " + tc.created) + "\n\n";
  if (tc.threads.empty()) return o;
  const Conversation& first = tc.threads.front();
  o += "| method | S | context window |\n| --- | --- | --- |\n";
  for (const Conversation& t : tc.threads) {
    char s[32];
    std::snprintf(s, sizeof s, "%.10g", t.settings.resolved_scale);
    o += "| " + t.settings.method + " | " + s + " | " + std::to_string(t.settings.window) + " tokens |\n";
  }
  o += "\nModel: " + (first.settings.model_name.empty() ? first.settings.model_path : first.settings.model_name) +
       "; up to " + std::to_string(first.settings.max_new_tokens) + " new tokens a turn. Each method answers in a " +
       "thread of its own: its earlier answers are its history.\n\n";
  if (!first.documents.empty()) {
    o += "## Documents\n\n";
    for (const ConversationDocument& d : first.documents) o += "- " + d.name + " (" + d.format + ")\n";
    o += "\n";
  }
  for (size_t q = 0; q < tc.questions.size(); ++q) {
    o += "## Question " + std::to_string(q + 1) + "\n\n" + tc.questions[q] + "\n\n";
    for (const Conversation& t : tc.threads) {
      o += "**" + t.settings.method + "**";
      if (q >= t.turns.size()) {
        o += ": *not answered*\n\n";
        continue;
      }
      const ConversationTurn& turn = t.turns[q];
      o += " (" + std::to_string(turn.new_tokens) + " tokens, " + std::to_string(turn.cached_tokens) +
           " prompt tokens from the cache";
      if (!turn.stop_reason.empty()) o += ", stop: " + turn.stop_reason;
      o += "):\n\n" + (turn.error.empty() ? turn.answer : "*error: " + turn.error + "*") + "\n\n";
    }
  }
  return o;
}

}  // namespace mrrope::ui
