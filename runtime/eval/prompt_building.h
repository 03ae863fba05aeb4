#pragma once
// Small pieces shared by the prompt generators (retrieval_task.cpp,
// ruler_needles.cpp, ruler_synthetic.cpp, doc_qa.cpp): templating, seeded
// random values, and fitting a prompt to a token budget.
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace mrrope::prompt {

std::string replace_all(std::string s, const std::string& key, const std::string& value);
// n digits, the first not 0 (so the value reads as that many digits).
std::string random_digits(int n, std::mt19937_64& rng);
// With BOS when the vocabulary adds one, as the model sees the prompt.
std::vector<int32_t> tokens_of(const tok::Tokenizer& t, const std::string& text);
// Whitespace runs become single spaces (as in training), so sentence ends are ". ".
std::string collapse_spaces(const std::string& text);
// "A. B. C." -> {"A.", "B.", "C."}.
std::vector<std::string> sentences_of(const std::string& text);
// `count` distinct entries of `pool`, in a seeded order.
std::vector<std::string> pick_distinct(const std::vector<std::string>& pool, size_t count, std::mt19937_64& rng);
// "a, b, c and d".
std::string join_and(const std::vector<std::string>& items);

// The nouns the needles are keyed by.
const std::vector<std::string>& needle_words();

// Largest n in [0, hi] with length(n) <= target, for a length that grows with n.
template <class F>
int fit(int hi, int target, F length) {
  int lo = 0;
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (length(mid) <= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// Real text cut to at most `chars`: at its last sentence end (". "), or with
// `whole_sentences` false at its last word end (RULER cuts its haystacks by
// tokens, mid-sentence), for lengths that whole sentences cannot fill.
std::string cut_text(const std::string& haystack, size_t chars, bool whole_sentences = true);

// The prompt fills at least this share of its length with whole sentences, or
// its haystack is cut at a word instead (eval/prompt_building.cpp: fit_cut).
constexpr double kSentenceCutFill = 0.9;

// The haystack's cut for a prompt of at most `target` tokens: the most
// characters (up to `hi`) that fit, cut at a sentence end when that fills
// kSentenceCutFill of the target, else at a word end. `tokens(chars,
// whole_sentences)` counts the prompt's tokens for a cut.
struct HaystackCut {
  int chars = 0;
  bool whole_sentences = true;
};
template <class Tokens>
HaystackCut fit_cut(int hi, int target, Tokens tokens) {
  const int by_sentence = fit(hi, target, [&](int n) { return tokens(n, true); });
  if (tokens(by_sentence, true) >= static_cast<int>(target * kSentenceCutFill)) return {by_sentence, true};
  return {fit(hi, target, [&](int n) { return tokens(n, false); }), false};
}

// Real text cut to `chars` (cut_text), with each item put after the sentence
// end nearest its depth (0..1; items at one place keep their order; 0 and 1
// are the text's start and end). `depths_out` gets where each item landed, as
// a fraction of the cut text.
std::string insert_at_depths(const std::string& haystack, size_t chars,
                             const std::vector<std::pair<double, std::string>>& items,
                             std::vector<double>* depths_out = nullptr, bool whole_sentences = true);

// Filler sentences cycled to n, with each item before sentence round(depth * n).
std::string insert_in_filler(const std::vector<std::string>& filler, int n,
                             const std::vector<std::pair<double, std::string>>& items);

// Uniform in [0, 1) from 53 bits: the same value with every standard library.
double uniform01(std::mt19937_64& rng);

// intro + real text (cut to fit `target_tokens` by fit_cut, items at their
// depths) + question. Throws std::invalid_argument when the text cannot fill
// 90% of the target even cut at a word (a haystack shorter than the length).
struct HaystackPrompt {
  std::vector<int32_t> tokens;
  std::vector<double> depths;  // where each item landed
};
HaystackPrompt fit_haystack_prompt(const tok::Tokenizer& tokenizer, const std::string& raw_haystack, int target_tokens,
                                   const std::vector<std::pair<double, std::string>>& items, const std::string& intro,
                                   const std::string& question, const std::string& task);

}  // namespace mrrope::prompt
