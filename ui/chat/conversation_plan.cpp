// The next turn's prompt and the thread's context window (GPU-free).
#include <algorithm>
#include <cmath>

#include "rope/rope_methods.h"
#include "ui/chat/conversation.h"

namespace mrrope::ui {
namespace {

// Room kept for follow-ups when a thread's window is planned: a quarter of the
// first turn, at least 512 tokens.
int follow_up_room(int tokens) { return std::max(512, tokens / 4); }

}  // namespace

std::string format_conversation_prompt(tok::ChatTemplate t, std::string_view documents,
                                       const std::vector<std::pair<std::string, std::string>>& history,
                                       std::string_view question, const tok::ChatSpecialTexts& special) {
  if (history.empty()) return tok::format_document_question(t, documents, question, "", special);
  if (t == tok::ChatTemplate::None) {
    // Plain continuation: the same shape as the first turn, one block per turn.
    std::string out(documents);
    for (const auto& [q, a] : history) out.append("\n\nQuestion: ").append(q).append("\nAnswer:").append(a);
    out.append("\n\nQuestion: ").append(question).append("\nAnswer:");
    return out;
  }
  std::vector<tok::ChatMessage> msgs;
  for (size_t i = 0; i < history.size(); ++i) {
    const std::string first = i == 0 ? std::string(documents) + "\n\n" : std::string();
    msgs.push_back({"user", first + history[i].first});
    msgs.push_back({"assistant", history[i].second});
  }
  msgs.push_back({"user", std::string(question)});
  return tok::format_chat(t, msgs, true, special);
}

std::vector<std::pair<std::string, std::string>> context_history(const Conversation& c) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const ConversationTurn& t : c.turns)
    if (t.in_context && t.done && t.error.empty()) out.emplace_back(t.question, t.answer);
  return out;
}

double scale_to_fit(int needed, int native_ctx) {
  const double s = double(needed + follow_up_room(needed)) / std::max(1, native_ctx);
  return std::max(1.0, std::ceil(s * 2.0) / 2.0);
}

WindowPlan plan_window(RopeMethod method, bool auto_scale, double scale, int native_ctx, int first_turn_tokens) {
  WindowPlan p;
  const int L = std::max(1, native_ctx);
  if (!rope_method_takes_user_scale(method)) {
    // No S of ours: the window is L, or what the first turn needs with room (positions past L are the point of
    // comparing with none; the gauge says they are out of distribution).
    p.scale = 1;
    p.window = first_turn_tokens <= L ? L : first_turn_tokens + follow_up_room(first_turn_tokens);
    return p;
  }
  p.scale = auto_scale || scale <= 0 ? scale_to_fit(first_turn_tokens, L) : scale;
  p.window = static_cast<int>(std::floor(L * p.scale));
  return p;
}

int turn_tokens_estimate(const ConversationTurn& t) {
  return t.new_tokens + static_cast<int>(t.question.size() / 3) + 8;
}

int oldest_turns_to_drop(const Conversation& c, int needed, int window) {
  if (needed <= window) return 0;
  int over = needed - window, dropped = 0;
  for (const ConversationTurn& t : c.turns) {
    if (!t.in_context || !t.done) continue;
    over -= turn_tokens_estimate(t);
    ++dropped;
    if (over <= 0) return dropped;
  }
  return -1;
}

}  // namespace mrrope::ui
