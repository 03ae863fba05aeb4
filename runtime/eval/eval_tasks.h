#pragma once
// The retrieval tasks a sweep can run, one entry each: its name (the CLI mode,
// the CSV `kind`, the PNG's file name), how its answers are scored, what it
// needs, and the generator of its prompts. The sweep, the CLI, the reports and
// the app's Evaluation tab read this table instead of naming tasks.
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "eval/answer_scoring.h"
#include "eval/sweep.h"

namespace mrrope {

struct EvalTaskInfo {
  std::string_view name;
  std::string_view title;        // headings of tables and plots
  std::string_view description;  // one line for help texts
  AnswerScoring scoring;
  bool needs_text;      // real text: the haystack, or the word source of common-words
  bool uses_depth;      // false: depths only multiply the seeded trials (common-words)
  bool numeric_answer;  // decoding stops when the number ends; else at the first line break
  bool ruler;           // part of `eval ruler`
  int min_tokens;
  int answer_tokens;    // the decoding budget (at least the sweep's max_new_tokens)
};

const std::vector<EvalTaskInfo>& eval_tasks();
// Throws std::invalid_argument naming the valid tasks.
const EvalTaskInfo& eval_task(std::string_view name);
std::string eval_task_names(const char* separator = ", ");

// The shortest prompt the task's template allows with this tokenizer (and,
// for common-words, the config's word source) for every seed.
int task_min_tokens(const EvalTaskInfo& task, const tok::Tokenizer& tokenizer, const SweepConfig& config);
// The most tokens any task of the sweep decodes (its KV cache needs room for them).
int answer_token_budget(const SweepConfig& config);

// What a sweep hands make_task_prompt for one of its seeds: the config's text
// made long enough for `longest` tokens (eval/haystack.h, seeded by
// `sweep_seed`), or the text itself for the tasks that do not cut it to length
// (common-words reads its words; passkey and variable-tracking make filler).
std::string task_haystack(const EvalTaskInfo& task, const SweepConfig& config, int longest, uint64_t sweep_seed);

// `haystack`: the text already made long enough (task_haystack), or the
// word source for common-words.
RetrievalPrompt make_task_prompt(const EvalTaskInfo& task, const tok::Tokenizer& tokenizer, const SweepConfig& config,
                                 const std::string& haystack, int length, double depth, std::mt19937_64& rng);

}  // namespace mrrope
