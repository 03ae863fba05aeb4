#pragma once
// A document chat as data: the documents, the settings it runs under, and its
// turns. Saved and reopened as JSON, exported as Markdown. Also the pieces of
// planning that need no GPU: the prompt text of the next turn, the context
// window a thread runs in, and how many old turns must go for the next to fit.
// No ImGui, no Vulkan: unit-tested in tests/app/test_conversation.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rope/rope_schedule.h"
#include "tokenizer/chat_template.h"

namespace mrrope::ui {

struct ConversationTurn {
  std::string question, answer;
  std::string method;       // rope method id it was answered under
  std::string stop_reason;  // "eos", "length", "stopped", ...; empty while running
  std::string error;
  int prompt_tokens = 0;     // the whole prompt of this turn (documents + history + question)
  int cached_tokens = 0;     // of those, taken from the KV cache
  int restored_tokens = 0;   // of the cached ones, written back from the thread's saved copy (ui/session/kv_prefix_store.h)
  int prefilled_tokens = 0;  // of those, run through the model now
  int new_tokens = 0;
  double seconds = 0;
  bool in_context = true;  // false once the user dropped it to make room (kept in the thread, greyed)
  bool done = false;
};

struct ConversationDocument {
  std::string name, path, format;
  uint64_t bytes = 0;
  int pages = 0;
  // A pasted document (no path) keeps its text here, in the saved JSON, so
  // reopening the conversation needs nothing pasted again. Empty for files.
  std::string text;
};

struct ConversationSettings {
  std::string model_path, model_name;
  std::string method = "mrrope-pro";
  double scale = 0;           // as chosen: 0 = auto
  double resolved_scale = 0;  // S the thread runs at (auto resolved at its first turn)
  int window = 0;             // tokens the thread may use; 0 = not planned yet
  std::optional<double> alpha, beta, attn_factor;
  int max_new_tokens = 64;
  double temperature = 0;
  std::string kv_cache = "f16";
};

struct Conversation {
  ConversationSettings settings;
  std::vector<ConversationDocument> documents;
  std::vector<ConversationTurn> turns;
  std::string created;  // local time, "2026-12-07 14:03"
};

// JSON with every field above ("format": "mrrope-conversation", "version": 1).
std::string conversation_to_json(const Conversation& c);
// Throws std::runtime_error with a message for the user on anything else.
Conversation conversation_from_json(std::string_view text);
// A readable transcript: settings, documents, questions and answers.
std::string conversation_to_markdown(const Conversation& c);
// `s` as a quoted JSON string (the side-by-side export writes with it too).
std::string json_string(std::string_view s);

// The prompt of the next turn. The first turn is exactly the single-question
// prompt (tok::format_document_question), so every later turn starts with the
// same tokens and the KV cache's prefix can be reused.
std::string format_conversation_prompt(tok::ChatTemplate t, std::string_view documents,
                                       const std::vector<std::pair<std::string, std::string>>& history,
                                       std::string_view question, const tok::ChatSpecialTexts& special = {});
// Earlier turns that are still in the context, as (question, answer).
std::vector<std::pair<std::string, std::string>> context_history(const Conversation& c);

// The window a new thread runs in. A fixed S gives L*S (none: L, or what the
// first turn needs if more: nothing is cut, the gauge warns); auto S picks one
// with room for follow-ups (rounded up to 0.5) and keeps it for the thread, so
// the cached prefix stays valid.
struct WindowPlan {
  double scale = 1;
  int window = 0;
};
WindowPlan plan_window(RopeMethod method, bool auto_scale, double scale, int native_ctx, int first_turn_tokens);
// The S that would fit `needed` tokens with the same room for follow-ups.
double scale_to_fit(int needed, int native_ctx);
// Rough token count of a turn in the history (answer tokens are known; the
// question is estimated at 3 bytes a token plus the template's few).
int turn_tokens_estimate(const ConversationTurn& t);
// How many of the oldest in-context turns must leave so `needed` fits `window`;
// -1 when even dropping all of them is not enough.
int oldest_turns_to_drop(const Conversation& c, int needed, int window);

}  // namespace mrrope::ui
