#include "eval/prompt_building.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace mrrope::prompt {

std::string replace_all(std::string s, const std::string& key, const std::string& value) {
  for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size()))
    s.replace(at, key.size(), value);
  return s;
}

std::string random_digits(int n, std::mt19937_64& rng) {
  std::string s;
  s += static_cast<char>('1' + rng() % 9);
  for (int i = 1; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
  return s;
}

std::vector<int32_t> tokens_of(const tok::Tokenizer& t, const std::string& text) {
  return t.tokenize(text, /*add_special=*/true, /*parse_special=*/false);
}

std::string collapse_spaces(const std::string& raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
    else if (!out.empty() && out.back() != ' ') out += ' ';
  }
  return out;
}

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

std::vector<std::string> pick_distinct(const std::vector<std::string>& pool, size_t count, std::mt19937_64& rng) {
  std::vector<std::string> all = pool;
  // Fisher-Yates by hand: std::shuffle's draws differ between standard libraries.
  for (size_t i = all.size(); i > 1; --i) std::swap(all[i - 1], all[rng() % i]);
  all.resize(std::min(count, all.size()));
  return all;
}

std::string join_and(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  return out;
}

const std::vector<std::string>& needle_words() {
  static const std::vector<std::string> words = {
      "apple",  "river",  "mountain", "candle", "garden", "window",  "silver", "dragon",
      "forest", "anchor", "basket",   "castle", "copper", "desert",  "eagle",  "feather",
      "glacier", "harbor", "island",  "jacket", "kettle", "lantern", "meadow", "needle"};
  return words;
}

std::string cut_text(const std::string& haystack, size_t chars, bool whole_sentences) {
  std::string text = haystack.substr(0, chars);
  if (whole_sentences) {
    // End at a sentence end, so the end is a boundary too.
    if (const size_t end = text.rfind(". "); end != std::string::npos) text.resize(end + 1);
    return text;
  }
  // Not inside a word: back to the last space when the cut falls in one.
  if (text.size() < haystack.size() && haystack[text.size()] != ' ')
    if (const size_t space = text.rfind(' '); space != std::string::npos) text.resize(space);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string insert_at_depths(const std::string& haystack, size_t chars,
                             const std::vector<std::pair<double, std::string>>& items,
                             std::vector<double>* depths_out, bool whole_sentences) {
  std::string text = cut_text(haystack, chars, whole_sentences);
  std::vector<size_t> boundaries = {0};
  for (size_t at = text.find(". "); at != std::string::npos; at = text.find(". ", at + 1)) boundaries.push_back(at + 2);
  boundaries.push_back(text.size());
  std::vector<size_t> where(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const double d = std::clamp(items[i].first, 0.0, 1.0);
    const auto target = static_cast<size_t>(d * static_cast<double>(text.size()));
    auto it = std::lower_bound(boundaries.begin(), boundaries.end(), target);
    size_t best = it == boundaries.end() ? boundaries.back() : *it;
    if (it != boundaries.begin() && (it == boundaries.end() || target - *(it - 1) < *it - target)) best = *(it - 1);
    where[i] = d <= 0 ? 0 : d >= 1 ? text.size() : best;
  }
  if (depths_out) {
    depths_out->clear();
    for (size_t w : where) depths_out->push_back(text.empty() ? 0.0 : static_cast<double>(w) / text.size());
  }
  // From the back, so earlier offsets stay valid; at one offset, later items first.
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return where[a] > where[b]; });
  std::vector<size_t> sorted = order;
  for (size_t k = 0; k < sorted.size();) {
    size_t j = k;
    while (j < sorted.size() && where[sorted[j]] == where[sorted[k]]) ++j;
    std::reverse(sorted.begin() + static_cast<std::ptrdiff_t>(k), sorted.begin() + static_cast<std::ptrdiff_t>(j));
    k = j;
  }
  for (size_t i : sorted) {
    const size_t at = where[i];
    const bool at_end = at == text.size();
    text.insert(at, at_end ? " " + items[i].second : items[i].second + " ");
  }
  return text;
}

std::string insert_in_filler(const std::vector<std::string>& filler, int n,
                             const std::vector<std::pair<double, std::string>>& items) {
  std::vector<std::vector<const std::string*>> before(static_cast<size_t>(n) + 1);
  for (const auto& [depth, item] : items)
    before[static_cast<size_t>(std::clamp<long>(std::lround(depth * n), 0, n))].push_back(&item);
  std::string text;
  for (int i = 0; i <= n; ++i) {
    for (const std::string* item : before[static_cast<size_t>(i)]) text += " " + *item;
    if (i < n) text += " " + filler[static_cast<size_t>(i) % filler.size()];
  }
  return text;
}

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

HaystackPrompt fit_haystack_prompt(const tok::Tokenizer& tokenizer, const std::string& raw_haystack, int target_tokens,
                                   const std::vector<std::pair<double, std::string>>& items, const std::string& intro,
                                   const std::string& question, const std::string& task) {
  const std::string haystack = collapse_spaces(raw_haystack);
  HaystackPrompt p;
  auto build = [&](int chars, bool whole_sentences) {
    return intro + insert_at_depths(haystack, static_cast<size_t>(chars), items, &p.depths, whole_sentences) + question;
  };
  // About 4 characters a token in English prose; 8 leaves room.
  const int hi = static_cast<int>(std::min<size_t>(haystack.size(), static_cast<size_t>(target_tokens) * 8));
  const HaystackCut cut = fit_cut(hi, target_tokens, [&](int n, bool whole) {
    return static_cast<int>(tokens_of(tokenizer, build(n, whole)).size());
  });
  p.tokens = tokens_of(tokenizer, build(cut.chars, cut.whole_sentences));
  if (static_cast<int>(p.tokens.size()) > target_tokens)
    throw std::invalid_argument("the " + task + " question and items alone exceed " + std::to_string(target_tokens) +
                                " tokens");
  if (static_cast<int>(p.tokens.size()) < target_tokens * 9 / 10)
    throw std::invalid_argument("the haystack text is too short for a " + std::to_string(target_tokens) + "-token " +
                                task + " prompt");
  return p;
}

}  // namespace mrrope::prompt
