#include "eval/retrieval_task.h"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <stdexcept>

#include "eval/prompt_building.h"

namespace mrrope {
using prompt::fit;
using prompt::random_digits;
using prompt::replace_all;
using prompt::sentences_of;
using prompt::tokens_of;

int passkey_prompt_floor(const tok::Tokenizer& tokenizer, const PasskeyTemplate& t) {
  // The key's digits merge differently from key to key ("99999" may be one
  // token where "90817" takes five): the template without the key, then
  // every occurrence of it as one token a digit and one for a space before it.
  const std::string needle = replace_all(t.needle, "{N}", "");
  size_t keys = 0;
  for (size_t at = t.needle.find("{N}"); at != std::string::npos; at = t.needle.find("{N}", at + 3)) ++keys;
  return static_cast<int>(tokens_of(tokenizer, t.intro + " " + needle + t.question).size() +
                          keys * static_cast<size_t>(t.digits + 1));
}

RetrievalPrompt make_passkey_prompt(const tok::Tokenizer& tokenizer, int target_tokens, double depth,
                                    std::mt19937_64& rng, const PasskeyTemplate& t) {
  if (target_tokens < kMinPasskeyTokens)
    throw std::invalid_argument("a passkey prompt needs at least " + std::to_string(kMinPasskeyTokens) + " tokens");
  const std::string key = random_digits(t.digits, rng);
  const std::string needle = replace_all(t.needle, "{N}", key);
  std::vector<std::string> filler = sentences_of(t.filler);
  if (filler.empty()) filler.push_back(t.filler);
  // n filler sentences (cycling through the filler), the needle before sentence round(depth * n).
  auto build = [&](int n) {
    const int before = static_cast<int>(std::lround(depth * n));
    std::string hay;
    for (int i = 0; i < n; ++i) {
      if (i == before) hay += " " + needle;
      hay += " " + filler[static_cast<size_t>(i) % filler.size()];
    }
    if (before >= n) hay += " " + needle;
    return t.intro + hay + t.question;
  };
  const int n = fit(target_tokens + 2, target_tokens,
                    [&](int k) { return static_cast<int>(tokens_of(tokenizer, build(k)).size()); });
  RetrievalPrompt p;
  p.tokens = tokens_of(tokenizer, build(n));
  if (static_cast<int>(p.tokens.size()) > target_tokens)
    throw std::invalid_argument("the passkey intro, needle and question alone exceed " +
                                std::to_string(target_tokens) + " tokens");
  p.answer = key;
  p.answers = {key};
  p.depth = n ? std::min(1.0, static_cast<double>(std::lround(depth * n)) / n) : 0.0;
  return p;
}

RetrievalPrompt make_needle_prompt(const tok::Tokenizer& tokenizer, const std::string& raw_haystack,
                                   int target_tokens, double depth, std::mt19937_64& rng, const NeedleTemplate& t) {
  const std::string haystack = prompt::collapse_spaces(raw_haystack);
  if (target_tokens < kMinNeedleTokens)
    throw std::invalid_argument("a needle prompt needs at least " + std::to_string(kMinNeedleTokens) + " tokens");
  const std::string word = prompt::needle_words()[rng() % prompt::needle_words().size()];
  const std::string number = random_digits(t.digits, rng);
  const std::string needle = replace_all(replace_all(t.needle, "{W}", word), "{N}", number);
  const std::string question = replace_all(t.question, "{W}", word);
  // The needle goes after the sentence end nearest the depth (". "), within the cut text.
  auto build = [&](int chars, bool whole_sentences, double* where) {
    std::string text = prompt::cut_text(haystack, static_cast<size_t>(chars), whole_sentences);
    const size_t target = static_cast<size_t>(depth * text.size());
    size_t best = std::string::npos;
    for (size_t at = text.find(". "); at != std::string::npos; at = text.find(". ", at + 1)) {
      const size_t cut = at + 2;
      if (best == std::string::npos || (cut > target ? cut - target : target - cut) <
                                           (best > target ? best - target : target - best))
        best = cut;
    }
    if (depth <= 0.0) best = 0;
    if (best == std::string::npos || depth >= 1.0) best = text.size();
    if (where) *where = text.empty() ? 0.0 : static_cast<double>(best) / text.size();
    const bool at_end = best == text.size();
    text.insert(best, at_end ? " " + needle : needle + " ");
    return text + question;
  };
  const int max_chars = static_cast<int>(haystack.size());
  const prompt::HaystackCut cut =
      prompt::fit_cut(std::min<int>(max_chars, target_tokens * 8), target_tokens, [&](int n, bool whole) {
        return static_cast<int>(tokens_of(tokenizer, build(n, whole, nullptr)).size());
      });
  RetrievalPrompt p;
  p.tokens = tokens_of(tokenizer, build(cut.chars, cut.whole_sentences, &p.depth));
  if (static_cast<int>(p.tokens.size()) < target_tokens * 9 / 10)
    throw std::invalid_argument("the haystack text is too short for a " + std::to_string(target_tokens) +
                                "-token needle prompt");
  p.answer = number;
  p.answers = {number};
  return p;
}

std::string leading_digits(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  std::string d;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) d += text[i++];
  return d;
}

}  // namespace mrrope
