// RULER's needle variants (multi-key, multi-value, multi-query) in real text,
// with the single needle's sentence so the model sees the template it knows.
#include <algorithm>
#include <stdexcept>

#include "eval/prompt_building.h"
#include "eval/ruler_tasks.h"

namespace mrrope {
namespace {

using prompt::replace_all;

const char* const kNeedle = "The special magic number for {W} is {N}.";
const char* const kOneQuestion = "\nWhat is the special magic number for {W}? The special magic number for {W} is";
const char* const kAllQuestion =
    "\nWhat are all the special magic numbers for {W} mentioned in the text? The special magic numbers for {W} are";

std::string needle(const std::string& word, const std::string& number) {
  return replace_all(replace_all(kNeedle, "{W}", word), "{N}", number);
}

void check(const RulerShape& s) {
  if (s.needles < 1 || s.needles > static_cast<int>(prompt::needle_words().size()))
    throw std::invalid_argument("needles must be within 1.." + std::to_string(prompt::needle_words().size()));
  if (s.digits < 1 || s.digits > 18) throw std::invalid_argument("digits must be within 1..18");
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Distinct numbers, so recall counts each value once.
std::vector<std::string> distinct_numbers(int n, int digits, std::mt19937_64& rng) {
  std::vector<std::string> out;
  while (static_cast<int>(out.size()) < n) {
    std::string v = prompt::random_digits(digits, rng);
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return out;
}

RetrievalPrompt finish(const tok::Tokenizer& tokenizer, const std::string& haystack, int target_tokens,
                       const std::vector<std::pair<double, std::string>>& items, const std::string& question,
                       std::vector<std::string> answers, const std::string& task) {
  const prompt::HaystackPrompt h = prompt::fit_haystack_prompt(tokenizer, haystack, target_tokens, items, "", question, task);
  RetrievalPrompt p;
  p.tokens = h.tokens;
  p.depth = h.depths.front();  // items[0] is the one placed at the requested depth
  p.answer = join(answers);
  p.answers = std::move(answers);
  return p;
}

// Needle i says word_of(i)'s number is numbers[i]: the first sits at the
// requested depth, the others at seeded depths (drawn in order).
template <typename WordOf>
std::vector<std::pair<double, std::string>> place_needles(WordOf word_of, const std::vector<std::string>& numbers,
                                                          double depth, std::mt19937_64& rng) {
  std::vector<std::pair<double, std::string>> items = {{depth, needle(word_of(0), numbers[0])}};
  for (size_t i = 1; i < numbers.size(); ++i) items.push_back({prompt::uniform01(rng), needle(word_of(i), numbers[i])});
  return items;
}

}  // namespace

RetrievalPrompt make_multikey_prompt(const tok::Tokenizer& tokenizer, const std::string& haystack, int target_tokens,
                                     double depth, std::mt19937_64& rng, const RulerShape& shape) {
  check(shape);
  const auto words = prompt::pick_distinct(prompt::needle_words(), static_cast<size_t>(shape.needles), rng);
  const auto numbers = distinct_numbers(shape.needles, shape.digits, rng);
  // words[0] is asked and sits at the depth; the others are distractors at seeded depths.
  const auto items = place_needles([&](size_t i) { return words[i]; }, numbers, depth, rng);
  return finish(tokenizer, haystack, target_tokens, items, replace_all(kOneQuestion, "{W}", words[0]), {numbers[0]},
                "niah-multikey");
}

RetrievalPrompt make_multivalue_prompt(const tok::Tokenizer& tokenizer, const std::string& haystack, int target_tokens,
                                       double depth, std::mt19937_64& rng, const RulerShape& shape) {
  check(shape);
  const std::string word = prompt::needle_words()[rng() % prompt::needle_words().size()];
  const auto numbers = distinct_numbers(shape.needles, shape.digits, rng);
  const auto items = place_needles([&](size_t) { return word; }, numbers, depth, rng);
  return finish(tokenizer, haystack, target_tokens, items, replace_all(kAllQuestion, "{W}", word), numbers,
                "niah-multivalue");
}

RetrievalPrompt make_multiquery_prompt(const tok::Tokenizer& tokenizer, const std::string& haystack, int target_tokens,
                                       double depth, std::mt19937_64& rng, const RulerShape& shape) {
  check(shape);
  const auto words = prompt::pick_distinct(prompt::needle_words(), static_cast<size_t>(shape.needles), rng);
  const auto numbers = distinct_numbers(shape.needles, shape.digits, rng);
  const auto items = place_needles([&](size_t i) { return words[i]; }, numbers, depth, rng);
  const std::string asked = prompt::join_and(words);
  const std::string question = "\nWhat are the special magic numbers for " + asked +
                               "? The special magic numbers for " + asked + " are";
  return finish(tokenizer, haystack, target_tokens, items, question, numbers, "niah-multiquery");
}

}  // namespace mrrope
