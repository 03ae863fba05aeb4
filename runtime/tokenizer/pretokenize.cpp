#include "tokenizer/pretokenize.h"

#include <stdexcept>

#include "tokenizer/unicode.h"

namespace mrrope::tok {

namespace {

// Code points plus their flags, with "past the end" reading as no flags at all
// (distinct from every real code point, which has at least one flag bit).
class Cursor {
 public:
  explicit Cursor(const std::vector<uint32_t>& cpts) : cpts_(cpts) {
    flags_.reserve(cpts.size());
    for (uint32_t c : cpts) flags_.push_back(unicode_flags(c));
  }
  static constexpr uint32_t kEnd = 0xFFFFFFFF;
  size_t size() const { return cpts_.size(); }
  uint32_t cpt(size_t i) const { return i < cpts_.size() ? cpts_[i] : kEnd; }
  uint16_t flags(size_t i) const { return i < flags_.size() ? flags_[i] : 0; }
  bool letter(size_t i) const { return flags(i) & kLetter; }
  bool number(size_t i) const { return flags(i) & kNumber; }
  bool space(size_t i) const { return flags(i) & kWhitespace; }
  // [^\s\p{L}\p{N}] (and not past the end)
  bool other(size_t i) const {
    uint16_t f = flags(i);
    return f != 0 && !(f & (kWhitespace | kLetter | kNumber));
  }

 private:
  const std::vector<uint32_t>& cpts_;
  std::vector<uint16_t> flags_;
};

uint32_t ascii_lower(uint32_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

// Length of a contraction ('s 't 're 've 'm 'll 'd) at `pos`, or 0.
size_t contraction_len(const Cursor& c, size_t pos, bool ignore_case) {
  if (c.cpt(pos) != '\'') return 0;
  // Only ASCII letters lower-case to s/t/r/v/m/l/d/e, so ASCII folding is exact.
  auto at = [&](size_t i) { return ignore_case ? ascii_lower(c.cpt(i)) : c.cpt(i); };
  uint32_t a = at(pos + 1);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  uint32_t b = at(pos + 2);
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  return 0;
}

void split_gpt2(const Cursor& c, std::vector<size_t>& out) {
  const size_t n = c.size();
  size_t pos = 0;
  while (pos < n) {
    const size_t start = pos;
    if (size_t k = contraction_len(c, pos, false)) {
      out.push_back(k);
      pos += k;
      continue;
    }
    // " ?X+" for X in letters, numbers, others: the optional space joins the run.
    const size_t first = c.cpt(pos) == ' ' ? pos + 1 : pos;
    if (c.letter(first)) {
      pos = first;
      while (c.letter(pos)) ++pos;
    } else if (c.number(first)) {
      pos = first;
      while (c.number(pos)) ++pos;
    } else if (c.other(first)) {
      pos = first;
      while (c.other(pos)) ++pos;
    } else {
      size_t ws = 0;
      while (c.space(pos + ws)) ++ws;
      if (ws > 1 && pos + ws < n) pos += ws - 1;  // \s+(?!\S): leave one space for the next word
      else if (ws > 0) pos += ws;                 // \s+
      else pos += 1;                              // unreachable with real flags; keeps progress
    }
    out.push_back(pos - start);
  }
}

bool is_newline(uint32_t cp) { return cp == '\r' || cp == '\n'; }

// The alternatives that end llama3's and gpt-4o's regexes, tried at `pos` in
// order; each advances `pos` and records the word(s) when it matches.

// \p{N}{1,max}: a run of digits splits into groups counted from the left.
bool match_digit_groups(const Cursor& c, size_t& pos, size_t max_digits, std::vector<size_t>& out) {
  if (!c.number(pos)) return false;
  size_t group = pos;
  while (c.number(pos)) {
    if (++pos - group >= max_digits) {
      out.push_back(pos - group);
      group = pos;
    }
  }
  if (pos > group) out.push_back(pos - group);
  return true;
}

// ' ?[^\s\p{L}\p{N}]+[\r\n]*', or with `slash` ' ?[^\s\p{L}\p{N}]+[\r\n/]*'.
bool match_others(const Cursor& c, size_t& pos, bool slash, std::vector<size_t>& out) {
  const size_t start = pos;
  const size_t first = c.cpt(pos) == ' ' ? pos + 1 : pos;
  if (!c.other(first)) return false;
  pos = first;
  while (c.other(pos)) ++pos;
  while (is_newline(c.cpt(pos)) || (slash && c.cpt(pos) == '/')) ++pos;
  out.push_back(pos - start);
  return true;
}

// '\s*[\r\n]+|\s+(?!\S)|\s+', the last alternatives: always advances.
void match_spaces(const Cursor& c, size_t& pos, std::vector<size_t>& out) {
  const size_t start = pos;
  size_t ws = 0;
  size_t after_last_newline = 0;
  while (c.space(pos + ws)) {
    if (is_newline(c.cpt(pos + ws))) after_last_newline = pos + ws + 1;
    ++ws;
  }
  if (after_last_newline > 0) pos = after_last_newline;  // \s*[\r\n]+
  else if (ws > 1 && pos + ws < c.size()) pos += ws - 1;  // \s+(?!\S)
  else if (ws > 0) pos += ws;                             // \s+
  else pos += 1;                                          // unreachable with real flags; keeps progress
  out.push_back(pos - start);
}

void split_llama3(const Cursor& c, size_t max_digits, std::vector<size_t>& out) {
  const size_t n = c.size();
  size_t pos = 0;
  while (pos < n) {
    const size_t start = pos;
    if (size_t k = contraction_len(c, pos, true)) {
      pos += k;
      out.push_back(pos - start);
      continue;
    }
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (!(is_newline(c.cpt(pos)) || c.number(pos)) && (c.letter(pos) || c.letter(pos + 1))) {
      ++pos;
      while (c.letter(pos)) ++pos;
      out.push_back(pos - start);
      continue;
    }
    if (match_digit_groups(c, pos, max_digits, out)) continue;
    if (match_others(c, pos, false, out)) continue;
    match_spaces(c, pos, out);
  }
}

// gpt-4o as llama.cpp runs it. Its tokenizer.json regex
//   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
//   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
//   \p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
// is replaced there (src/llama-vocab.cpp, LLAMA_VOCAB_PRE_TYPE_GPT4O) by one
// where "upper" is ((?=\p{L})[^a-z]) and "lower" ((?=\p{L})[^A-Z]), matched by
// std::regex (first alternative that matches, with backtracking). So, unlike
// Hugging Face's tokenizer:
//   - case is ASCII only: every non-ASCII letter counts as both upper and lower
//     ("ÉCOLE" -> "É" "COLE", since the first alternative backtracks to the
//     last non-ASCII letter of the upper run);
//   - combining marks (\p{M}) are not letters: "e\u0301" -> "e" "\u0301".
// Ids must match llama.cpp, so this follows llama.cpp.
bool upper_like(const Cursor& c, size_t i) { return c.letter(i) && !(c.cpt(i) >= 'a' && c.cpt(i) <= 'z'); }
bool lower_like(const Cursor& c, size_t i) { return c.letter(i) && !(c.cpt(i) >= 'A' && c.cpt(i) <= 'Z'); }

void split_gpt4o(const Cursor& c, std::vector<size_t>& out) {
  const size_t n = c.size();
  size_t pos = 0;
  while (pos < n) {
    const size_t start = pos;
    // The two letter alternatives share the optional [^\r\n\p{L}\p{N}] prefix.
    const bool prefix = !(is_newline(c.cpt(pos)) || c.letter(pos) || c.number(pos));
    const size_t word = prefix ? pos + 1 : pos;
    if (c.letter(word)) {
      size_t upper_end = word;
      while (upper_like(c, upper_end)) ++upper_end;
      size_t end;
      if (c.cpt(upper_end) >= 'a' && c.cpt(upper_end) <= 'z') {
        // upper* lower+: the upper run, then the lower-like run after it.
        end = upper_end;
        while (lower_like(c, end)) ++end;
      } else {
        // No ASCII lower-case letter follows. upper* lower+ still matches when
        // the upper run holds a non-ASCII letter: backtracking makes the last
        // one the single lower+ letter. Otherwise upper+ lower* takes the
        // whole run (ASCII capitals only).
        end = upper_end;
        while (end > word && c.cpt(end - 1) < 0x80) --end;
        if (end == word) end = upper_end;
      }
      end += contraction_len(c, end, true);  // (?i:'s|'t|'re|'ve|'m|'ll|'d)?
      out.push_back(end - start);
      pos = end;
      continue;
    }
    if (match_digit_groups(c, pos, 3, out)) continue;
    if (match_others(c, pos, true, out)) continue;
    match_spaces(c, pos, out);
  }
}

}  // namespace

bool is_gpt4o_pre_name(const std::string& name) {
  return name == "gpt-4o" || name == "llama4" || name == "kanana2" || name == "talkie" || name == "minimax-m2";
}

PreTokenizer pre_tokenizer_from_name(const std::string& name) {
  if (name == "gpt-2" || name == "gpt2" || name == "default" || name.empty()) return PreTokenizer::Gpt2;
  if (name == "llama-bpe" || name == "llama3" || name == "llama-v3" || name == "falcon3" ||
      name == "smaug-bpe" || name == "dbrx" || name == "pixtral")
    return PreTokenizer::Llama3;
  if (name == "qwen2" || name == "deepseek-r1-qwen" || name == "qwen35") return PreTokenizer::Qwen2;
  if (is_gpt4o_pre_name(name)) return PreTokenizer::Gpt4o;
  throw std::invalid_argument("unsupported BPE pre-tokenizer '" + name +
                              "' (supported: gpt-2, llama-bpe, qwen2, gpt-4o)");
}

std::vector<size_t> split_words(const std::vector<uint32_t>& cpts, PreTokenizer kind) {
  Cursor c(cpts);
  std::vector<size_t> lengths;
  lengths.reserve(cpts.size() / 3 + 1);
  switch (kind) {
    case PreTokenizer::Gpt2: split_gpt2(c, lengths); break;
    case PreTokenizer::Llama3: split_llama3(c, 3, lengths); break;
    case PreTokenizer::Qwen2: split_llama3(c, 1, lengths); break;
    case PreTokenizer::Gpt4o: split_gpt4o(c, lengths); break;
  }
  return lengths;
}

std::vector<std::string> pre_tokenize(std::string_view text, PreTokenizer kind) {
  const std::vector<uint32_t> cpts = utf8_to_cpts(text);
  std::vector<std::string> words;
  size_t at = 0;
  for (size_t len : split_words(cpts, kind)) {
    std::string w;
    for (size_t i = at; i < at + len; ++i) append_utf8(w, cpts[i]);
    words.push_back(std::move(w));
    at += len;
  }
  return words;
}

}  // namespace mrrope::tok
