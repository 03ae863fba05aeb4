// RULER's synthetic aggregation and tracing tasks: variable tracking in
// filler noise, and common-words extraction from a numbered word list.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>

#include "eval/prompt_building.h"
#include "eval/ruler_tasks.h"

namespace mrrope {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Five capital letters, as RULER names its variables; distinct within a prompt.
std::vector<std::string> variable_names(int n, std::mt19937_64& rng) {
  std::vector<std::string> out;
  while (static_cast<int>(out.size()) < n) {
    std::string name;
    for (int i = 0; i < 5; ++i) name += static_cast<char>('A' + rng() % 26);
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

// Lowercase words of 4+ letters in `text`, sorted (the same list on every machine).
std::vector<std::string> words_of(const std::string& text) {
  std::set<std::string> words;
  std::string word;
  bool clean = true;  // only ASCII letters: no half words around apostrophes or digits
  auto flush = [&] {
    if (clean && word.size() >= 4) words.insert(word);
    word.clear();
    clean = true;
  };
  for (char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c))) word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '.' || c == ';' || c == ':') flush();
    else clean = false;
  }
  flush();
  return {words.begin(), words.end()};
}

// The words of `source` the list may use: those the tokenizer writes in at
// most RulerShape::common_word_tokens tokens (after a space, as in the list),
// so the shortest list stays short whichever words a seed picks.
std::vector<std::string> common_word_pool(const tok::Tokenizer& tokenizer, const std::string& source,
                                          const RulerShape& shape) {
  std::vector<std::string> out;
  for (auto& w : words_of(source))
    if (static_cast<int>(tokenizer.tokenize(" " + w, false, false).size()) <= shape.common_word_tokens)
      out.push_back(std::move(w));
  return out;
}

// The prompt around a numbered list of words.
std::string common_words_text(const std::vector<const std::string*>& list, const RulerShape& shape) {
  std::string text =
      "Below is a numbered list of words. In these words, some appear more often than others. Memorize the ones "
      "that appear most often.\n";
  for (size_t i = 0; i < list.size(); ++i) text += std::to_string(i + 1) + ". " + *list[i] + " ";
  const std::string k = std::to_string(shape.common_words);
  return text + "\nQuestion: What are the " + k + " most common words in the above list? Answer: The top " + k +
         " words that appear most often in the list are:";
}

void check_common_words(const RulerShape& shape) {
  if (shape.common_words < 1 || shape.uncommon_frequency < 1 || shape.common_frequency <= shape.uncommon_frequency)
    throw std::invalid_argument("common words: need at least one, appearing more often than the uncommon ones");
  if (shape.common_word_tokens < 1) throw std::invalid_argument("common words: a word needs at least one token");
}

}  // namespace

int common_words_prompt_floor(const tok::Tokenizer& tokenizer, const std::string& word_source,
                              const RulerShape& shape) {
  check_common_words(shape);
  // The common words that take the most tokens, each common_frequency times.
  std::vector<std::pair<size_t, std::string>> by_tokens;
  for (const auto& w : common_word_pool(tokenizer, word_source, shape))
    by_tokens.push_back({tokenizer.tokenize(" " + w, false, false).size(), w});
  const size_t n = std::min(by_tokens.size(), static_cast<size_t>(shape.common_words));
  std::partial_sort(by_tokens.begin(), by_tokens.begin() + static_cast<std::ptrdiff_t>(n), by_tokens.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<const std::string*> list;
  for (int i = 0; i < shape.common_frequency; ++i)
    for (size_t w = 0; w < n; ++w) list.push_back(&by_tokens[w].second);
  // A little room: merges across neighbouring items depend on their order.
  return static_cast<int>(prompt::tokens_of(tokenizer, common_words_text(list, shape)).size()) + 16;
}

RetrievalPrompt make_variable_tracking_prompt(const tok::Tokenizer& tokenizer, const std::string& filler_text,
                                              int target_tokens, double depth, std::mt19937_64& rng,
                                              const RulerShape& shape) {
  if (shape.chain_hops < 1 || shape.chain_hops > 20) throw std::invalid_argument("chain hops must be within 1..20");
  std::vector<std::string> filler = prompt::sentences_of(filler_text);
  if (filler.empty()) throw std::invalid_argument("variable tracking needs filler text");
  const std::string value = prompt::random_digits(5, rng);
  const auto names = variable_names(shape.chain_hops + 1, rng);
  // The first assignment at the depth, each later link after the one before it.
  std::vector<double> at = {depth};
  for (int i = 0; i < shape.chain_hops; ++i) at.push_back(depth + (1 - depth) * prompt::uniform01(rng));
  std::sort(at.begin() + 1, at.end());
  std::vector<std::pair<double, std::string>> items = {{at[0], "VAR " + names[0] + " = " + value + "."}};
  for (int i = 1; i <= shape.chain_hops; ++i)
    items.push_back({at[static_cast<size_t>(i)], "VAR " + names[static_cast<size_t>(i)] + " = VAR " +
                                                     names[static_cast<size_t>(i) - 1] + "."});
  const std::string intro = "Memorize and track the chain of variable assignments hidden in the following text.\n";
  const std::string question = "\nQuestion: Find all variables that are assigned the value " + value +
                               " in the text above. Answer: According to the chain of variable assignments in the "
                               "text above, " + std::to_string(names.size()) + " variables are assigned the value " +
                               value + ", they are:";
  auto build = [&](int n) { return intro + prompt::insert_in_filler(filler, n, items) + question; };
  const int n = prompt::fit(target_tokens + 2, target_tokens, [&](int k) {
    return static_cast<int>(prompt::tokens_of(tokenizer, build(k)).size());
  });
  RetrievalPrompt p;
  p.tokens = prompt::tokens_of(tokenizer, build(n));
  if (static_cast<int>(p.tokens.size()) > target_tokens)
    throw std::invalid_argument("the variable tracking chain and question alone exceed " +
                                std::to_string(target_tokens) + " tokens");
  p.depth = n ? std::min(1.0, static_cast<double>(std::lround(depth * n)) / n) : 0.0;
  p.answer = join(names);
  p.answers = names;
  return p;
}

RetrievalPrompt make_common_words_prompt(const tok::Tokenizer& tokenizer, const std::string& word_source,
                                         int target_tokens, std::mt19937_64& rng, const RulerShape& shape) {
  check_common_words(shape);
  const std::vector<std::string> pool =
      prompt::pick_distinct(common_word_pool(tokenizer, word_source, shape), SIZE_MAX, rng);
  if (pool.size() < static_cast<size_t>(shape.common_words) + 1)
    throw std::invalid_argument("the word source has too few distinct words for the common-words task");
  const std::vector<std::string> common(pool.begin(), pool.begin() + shape.common_words);
  const std::vector<std::string> uncommon(pool.begin() + shape.common_words, pool.end());
  const uint64_t order_seed = rng();  // one list order for every candidate size, so the fit is steady
  // n uncommon occurrences: each uncommon word `uncommon_frequency` times in
  // turn, cycling when the pool runs out; the common words stay ahead by the
  // template's margin.
  auto build = [&](int n) {
    std::vector<const std::string*> list;
    std::map<const std::string*, int> count;
    int most = 0;
    for (int k = 0; k < n; ++k) {
      const std::string* w = &uncommon[static_cast<size_t>(k / shape.uncommon_frequency) % uncommon.size()];
      list.push_back(w);
      most = std::max(most, ++count[w]);
    }
    const int common_count = std::max(shape.common_frequency, most + shape.common_frequency - shape.uncommon_frequency);
    for (const auto& w : common)
      for (int i = 0; i < common_count; ++i) list.push_back(&w);
    std::mt19937_64 order(order_seed);
    for (size_t i = list.size(); i > 1; --i) std::swap(list[i - 1], list[order() % i]);
    return common_words_text(list, shape);
  };
  const int n = prompt::fit(target_tokens, target_tokens, [&](int k) {
    return static_cast<int>(prompt::tokens_of(tokenizer, build(k)).size());
  });
  RetrievalPrompt p;
  p.tokens = prompt::tokens_of(tokenizer, build(n));
  if (static_cast<int>(p.tokens.size()) > target_tokens)
    throw std::invalid_argument("the common words alone exceed " + std::to_string(target_tokens) + " tokens");
  p.answer = join(common);
  p.answers = common;
  return p;
}

}  // namespace mrrope
