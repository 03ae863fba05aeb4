#pragma once
// Synthetic retrieval prompts with the field's familiar templates, built to a
// target length in tokens of the model's own tokenizer:
//   passkey: the intro, repeated filler with the pass key sentence at a depth,
//            then "What is the pass key? The pass key is";
//   needle:  real text (the haystack) with "The special magic number for WORD
//            is N." at the sentence boundary nearest the depth, then the question.
// These match what the bundled model was trained on (tools/train/train.py).
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace mrrope {

// Shortest prompts the templates can be built to.
constexpr int kMinPasskeyTokens = 64;  // the default intro, needle and question take about 60
constexpr int kMinNeedleTokens = 48;

struct PasskeyTemplate {
  std::string intro =
      "There is an important info hidden inside a lot of irrelevant text. Find it and memorize it. "
      "I will quiz you about the important information there.";
  std::string filler = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";
  std::string needle = "The pass key is {N}. Remember it. {N} is the pass key.";  // {N}: the value
  std::string question = "\nWhat is the pass key? The pass key is";
  int digits = 5;
};

struct NeedleTemplate {
  std::string needle = "The special magic number for {W} is {N}.";
  std::string question = "\nWhat is the special magic number for {W}? The special magic number for {W} is";
  int digits = 7;
};

struct RetrievalPrompt {
  std::vector<int32_t> tokens;  // BOS included when the vocabulary adds one
  std::string answer;           // what is expected, as shown in reports (values joined by ", ")
  std::vector<std::string> answers;  // the values scored (one for passkey, needle and QA)
  double depth = 0;             // where the needle ended up, as a fraction of the haystack
};

// The filler is repeated sentence by sentence (not only whole fillers), so the
// prompt lands within a sentence (about 5 tokens) of the target.
// Tokens that a passkey prompt of any key fits in with this tokenizer and
// template (intro, needle, question, no filler; each key counted at a token a
// digit), so a sweep can refuse a too-short length before it starts.
int passkey_prompt_floor(const tok::Tokenizer& tokenizer, const PasskeyTemplate& t);

RetrievalPrompt make_passkey_prompt(const tok::Tokenizer& tokenizer, int target_tokens, double depth,
                                    std::mt19937_64& rng, const PasskeyTemplate& t = {});

// `haystack` is long real text (it is cut to length; it must be long enough).
RetrievalPrompt make_needle_prompt(const tok::Tokenizer& tokenizer, const std::string& haystack, int target_tokens,
                                   double depth, std::mt19937_64& rng, const NeedleTemplate& t = {});

// The digits a model produced, read from the start of its continuation
// (leading spaces skipped, stops at the first non-digit); exact match scores.
std::string leading_digits(const std::string& text);

}  // namespace mrrope
