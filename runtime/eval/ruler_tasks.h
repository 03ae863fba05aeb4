#pragma once
// RULER-style prompts (Hsieh et al., 2024, "RULER: What's the Real Context
// Size of Your Long-Context Language Models?"), at this project's model scale,
// built to a target length in tokens of the model's own tokenizer:
//   niah-multikey:   several needles "The special magic number for W is N.",
//                    one asked (at the depth), the others are distractors;
//   niah-multivalue: one word with several numbers, all asked;
//   niah-multiquery: several words with a number each, all asked;
//   variable-tracking: "VAR ABCDE = 12345." then a chain "VAR FGHIJ = VAR ABCDE."
//                    in filler text; asked for every name holding the value;
//   common-words:    a numbered list of words where a few appear many times;
//                    asked for the most common ones;
//   doc-qa:          facts "P lives in the town of T." about several people in
//                    real text; asked about one person, the answer is a span
//                    of the document and the other people's facts distract.
// Seeded: the same rng state gives the same prompt.
#include <random>
#include <string>

#include "eval/retrieval_task.h"

namespace mrrope {

// The counts RULER varies, scaled down for a 17M model with a 512-token native context.
struct RulerShape {
  int needles = 4;             // keys (multi-key), values (multi-value), queries (multi-query)
  int digits = 7;              // of each needle's number
  int chain_hops = 4;          // variable tracking: assignments after the first (names = hops + 1)
  int common_words = 5;        // RULER: 10
  int common_frequency = 10;   // RULER: 30
  int uncommon_frequency = 2;  // RULER: 3
  int common_word_tokens = 2;  // list words take at most this many tokens (RULER: short English words)
  int qa_distractors = 4;      // other people with a fact of the same kind
};

// Shortest prompts each template can be built to (question, answer prefix and items).
constexpr int kMinRulerNeedleTokens = 160;
constexpr int kMinVariableTrackingTokens = 160;
constexpr int kMinCommonWordsTokens = 320;
constexpr int kMinDocQaTokens = 160;

// `haystack`: real text, long enough (see eval/haystack.h); whitespace is collapsed.
RetrievalPrompt make_multikey_prompt(const tok::Tokenizer& tokenizer, const std::string& haystack, int target_tokens,
                                     double depth, std::mt19937_64& rng, const RulerShape& shape = {});
RetrievalPrompt make_multivalue_prompt(const tok::Tokenizer& tokenizer, const std::string& haystack,
                                       int target_tokens, double depth, std::mt19937_64& rng,
                                       const RulerShape& shape = {});
RetrievalPrompt make_multiquery_prompt(const tok::Tokenizer& tokenizer, const std::string& haystack,
                                       int target_tokens, double depth, std::mt19937_64& rng,
                                       const RulerShape& shape = {});
// The chain starts at `depth`; its later links follow at seeded places after it.
// `filler`: sentences repeated as noise (RULER uses the passkey filler).
RetrievalPrompt make_variable_tracking_prompt(const tok::Tokenizer& tokenizer, const std::string& filler,
                                              int target_tokens, double depth, std::mt19937_64& rng,
                                              const RulerShape& shape = {});
// Words are taken from `word_source` (real text): lowercase words of 4+
// letters that the tokenizer writes in at most shape.common_word_tokens tokens.
// More uncommon words than the text has raise every word's count alike (the
// common words keep their lead), so any length can be built.
// The most tokens the shortest common-words list of `word_source` can take
// (its longest words as the common ones): a length at least this builds with
// every seed.
int common_words_prompt_floor(const tok::Tokenizer& tokenizer, const std::string& word_source,
                              const RulerShape& shape = {});
RetrievalPrompt make_common_words_prompt(const tok::Tokenizer& tokenizer, const std::string& word_source,
                                         int target_tokens, std::mt19937_64& rng, const RulerShape& shape = {});
RetrievalPrompt make_doc_qa_prompt(const tok::Tokenizer& tokenizer, const std::string& haystack, int target_tokens,
                                   double depth, std::mt19937_64& rng, const RulerShape& shape = {});

}  // namespace mrrope
