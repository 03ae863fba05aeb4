#include "eval/eval_tasks.h"

#include <algorithm>
#include <stdexcept>

#include "eval/haystack.h"
#include "eval/ruler_tasks.h"

namespace mrrope {

const std::vector<EvalTaskInfo>& eval_tasks() {
  using S = AnswerScoring;
  // Answer budgets: a number of up to 18 digits; four 7-digit numbers with
  // separators; five 5-letter names; five words; a short span.
  static const std::vector<EvalTaskInfo> tasks = {
      {"passkey", "Passkey retrieval", "the pass key in repeated filler", S::ExactDigits, false, true, true, false,
       kMinPasskeyTokens, 0},
      {"niah", "Needle in a haystack", "one magic number in real text", S::ExactDigits, true, true, true, false,
       kMinNeedleTokens, 0},
      {"niah-multikey", "NIAH multi-key", "one of several keyed numbers asked", S::AllValuesRecall, true, true, true,
       true, kMinRulerNeedleTokens, 0},
      {"niah-multivalue", "NIAH multi-value", "every number of one key asked", S::AllValuesRecall, true, true, false,
       true, kMinRulerNeedleTokens, 48},
      {"niah-multiquery", "NIAH multi-query", "the numbers of several keys asked", S::AllValuesRecall, true, true,
       false, true, kMinRulerNeedleTokens, 48},
      {"variable-tracking", "Variable tracking", "every name in a chain of assignments", S::AllValuesRecall, false,
       true, false, true, kMinVariableTrackingTokens, 48},
      {"common-words", "Common words extraction", "the most frequent words of a list", S::AllValuesRecall, true,
       false, false, true, kMinCommonWordsTokens, 40},
      {"doc-qa", "Document QA", "a span answering a question, with distractor facts", S::ExactSpan, true, true, false,
       true, kMinDocQaTokens, 16},
  };
  return tasks;
}

const EvalTaskInfo& eval_task(std::string_view name) {
  for (const auto& t : eval_tasks())
    if (t.name == name) return t;
  throw std::invalid_argument("unknown task '" + std::string(name) + "' (" + eval_task_names() + ")");
}

std::string eval_task_names(const char* separator) {
  std::string out;
  for (const auto& t : eval_tasks()) out += (out.empty() ? "" : separator) + std::string(t.name);
  return out;
}

int task_min_tokens(const EvalTaskInfo& task, const tok::Tokenizer& tokenizer, const SweepConfig& c) {
  if (task.name == "passkey") return std::max(kMinPasskeyTokens, passkey_prompt_floor(tokenizer, c.passkey));
  if (task.name == "common-words" && !c.haystack.empty())
    return std::max(kMinCommonWordsTokens, common_words_prompt_floor(tokenizer, c.haystack, c.ruler));
  return task.min_tokens;
}

int answer_token_budget(const SweepConfig& c) {
  int most = c.max_new_tokens;
  for (const auto& t : eval_tasks())
    if (t.name == c.task) most = std::max(most, c.answer_token_limit > 0 ? c.answer_token_limit : t.answer_tokens);
  return most;
}

std::string task_haystack(const EvalTaskInfo& task, const SweepConfig& c, int longest, uint64_t sweep_seed) {
  if (!task.needs_text || task.name == "common-words") return c.haystack;
  // Enough for the longest prompt at any characters per token seen in prose
  // (the fit searches up to 8 a token).
  return haystack_of_length(c.haystack, static_cast<size_t>(longest) * 8, sweep_seed);
}

RetrievalPrompt make_task_prompt(const EvalTaskInfo& task, const tok::Tokenizer& tokenizer, const SweepConfig& c,
                                 const std::string& haystack, int length, double depth, std::mt19937_64& rng) {
  const std::string_view n = task.name;
  if (n == "passkey") return make_passkey_prompt(tokenizer, length, depth, rng, c.passkey);
  if (n == "niah") return make_needle_prompt(tokenizer, haystack, length, depth, rng, c.needle);
  if (n == "niah-multikey") return make_multikey_prompt(tokenizer, haystack, length, depth, rng, c.ruler);
  if (n == "niah-multivalue") return make_multivalue_prompt(tokenizer, haystack, length, depth, rng, c.ruler);
  if (n == "niah-multiquery") return make_multiquery_prompt(tokenizer, haystack, length, depth, rng, c.ruler);
  if (n == "variable-tracking")
    return make_variable_tracking_prompt(tokenizer, c.passkey.filler, length, depth, rng, c.ruler);
  if (n == "common-words") return make_common_words_prompt(tokenizer, haystack, length, rng, c.ruler);
  if (n == "doc-qa") return make_doc_qa_prompt(tokenizer, haystack, length, depth, rng, c.ruler);
  throw std::invalid_argument("task '" + std::string(n) + "' has no prompt generator");
}

}  // namespace mrrope
