#include "eval/retrieval_task.h"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <stdexcept>

namespace mrrope {
namespace {

std::string replace_all(std::string s, const std::string& key, const std::string& value) {
  for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size()))
    s.replace(at, key.size(), value);
  return s;
}

std::string random_digits(int n, std::mt19937_64& rng) {
  std::string s;
  s += static_cast<char>('1' + rng() % 9);  // no leading zero
  for (int i = 1; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
  return s;
}

const char* const kWords[] = {"apple",  "river",  "mountain", "candle", "garden", "window", "silver", "dragon",
                              "forest", "anchor", "basket",   "castle", "copper", "desert", "eagle",  "feather",
                              "glacier", "harbor", "island",  "jacket", "kettle", "lantern", "meadow", "needle"};

std::vector<int32_t> tokens_of(const tok::Tokenizer& t, const std::string& text) {
  return t.tokenize(text, /*add_special=*/true, /*parse_special=*/false);
}

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

}  // namespace

// "A. B. C." -> {"A.", "B.", "C."}: the filler's sentences, to pad to the target one at a time.
std::vector<std::string> sentences_of(const std::string& text) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find(". ", begin);
    end = end == std::string::npos ? text.size() : end + 1;
    out.push_back(text.substr(begin, end - begin));
    begin = text.find_first_not_of(' ', end);
    if (begin == std::string::npos) break;
  }
  return out;
}

int passkey_prompt_floor(const tok::Tokenizer& tokenizer, const PasskeyTemplate& t) {
  const std::string needle = replace_all(t.needle, "{N}", std::string(static_cast<size_t>(t.digits), '9'));
  return static_cast<int>(tokens_of(tokenizer, t.intro + " " + needle + t.question).size());
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
  p.depth = n ? std::min(1.0, static_cast<double>(std::lround(depth * n)) / n) : 0.0;
  return p;
}

RetrievalPrompt make_needle_prompt(const tok::Tokenizer& tokenizer, const std::string& raw_haystack,
                                   int target_tokens, double depth, std::mt19937_64& rng, const NeedleTemplate& t) {
  // Whitespace runs become single spaces (as in training), so sentence ends are ". ".
  std::string haystack;
  haystack.reserve(raw_haystack.size());
  for (char c : raw_haystack) {
    const bool space = std::isspace(static_cast<unsigned char>(c));
    if (!space) haystack += c;
    else if (!haystack.empty() && haystack.back() != ' ') haystack += ' ';
  }
  if (target_tokens < kMinNeedleTokens)
    throw std::invalid_argument("a needle prompt needs at least " + std::to_string(kMinNeedleTokens) + " tokens");
  const std::string word = kWords[rng() % (sizeof kWords / sizeof *kWords)];
  const std::string number = random_digits(t.digits, rng);
  const std::string needle = replace_all(replace_all(t.needle, "{W}", word), "{N}", number);
  const std::string question = replace_all(t.question, "{W}", word);
  // The needle goes after the sentence end nearest the depth (". "), within the cut text.
  auto build = [&](int chars, double* where) {
    std::string text = haystack.substr(0, static_cast<size_t>(chars));
    // End the haystack at a sentence end, so the end is a boundary too.
    if (const size_t end = text.rfind(". "); end != std::string::npos) text.resize(end + 1);
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
  const int chars = fit(std::min<int>(max_chars, target_tokens * 8), target_tokens,
                        [&](int n) { return static_cast<int>(tokens_of(tokenizer, build(n, nullptr)).size()); });
  RetrievalPrompt p;
  p.tokens = tokens_of(tokenizer, build(chars, &p.depth));
  if (static_cast<int>(p.tokens.size()) < target_tokens * 9 / 10)
    throw std::invalid_argument("the haystack text is too short for a " + std::to_string(target_tokens) +
                                "-token needle prompt");
  p.answer = number;
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
