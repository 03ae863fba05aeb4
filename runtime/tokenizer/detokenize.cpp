// Token ids back to text: llama.cpp's token_to_piece and detokenize,
// including its clean-up of spaces before punctuation for BPE vocabularies.
#include <cstdlib>

#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace mrrope::tok {

namespace {

// SPM: U+2581 back to ' ' (llama_unescape_whitespace).
std::string unescape_whitespace(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 3, "\xE2\x96\x81") == 0) {
      out += ' ';
      i += 3;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// BPE: byte-level code points back to bytes (llama_decode_text).
// llama.cpp's marker for a code point outside the byte mapping repeats the
// whole token text, which grows with the square of the token's length (a
// 64 KB token of such code points would take gigabytes). Tokens up to
// kMaxEchoedToken bytes (every real one) keep that marker exactly; longer
// ones show only the code point.
constexpr size_t kMaxEchoedToken = 256;

std::string decode_byte_level(const std::string& s) {
  std::string out;
  const std::string echoed = s.size() <= kMaxEchoedToken ? s : std::string();
  for (uint32_t cp : utf8_to_cpts(s)) {
    const int b = unicode_to_byte(cp);
    if (b >= 0) {
      out += char(b);
    } else {
      // Same marker as llama.cpp for code points outside the byte mapping.
      const std::string utf8 = cpt_to_utf8(cp);
      out += "[UNK_BYTE_0x";
      static const char hex[] = "0123456789abcdef";
      for (char c : utf8) {
        out += hex[uint8_t(c) >> 4];
        out += hex[uint8_t(c) & 15];
      }
      out += echoed + "]";
    }
  }
  return out;
}

}  // namespace

std::string Tokenizer::make_piece(TokenId id) const {
  const std::string& text = vocab_.tokens[size_t(id)];
  switch (vocab_.types[size_t(id)]) {
    case TokenType::Unknown:
    case TokenType::Control:
    case TokenType::UserDefined:
      return text;
    case TokenType::Normal:
      return vocab_.model == VocabModel::Spm ? unescape_whitespace(text) : decode_byte_level(text);
    case TokenType::Byte:
      if (vocab_.model == VocabModel::Spm && text.size() >= 4)
        return std::string(1, char(std::strtol(text.c_str() + 3, nullptr, 16)));
      return "";
    default:  // unused and undefined tokens render as nothing
      return "";
  }
}

std::string Tokenizer::token_to_piece(TokenId id, bool special, int lstrip) const {
  if (!vocab_.valid(id)) throw TokenizerError("token id " + std::to_string(id) + " is outside the vocabulary");
  const TokenType type = vocab_.types[size_t(id)];
  if (!special && (type == TokenType::Control || type == TokenType::Unknown)) return "";
  const std::string& piece = pieces_[size_t(id)];
  size_t skip = 0;
  while (int(skip) < lstrip && skip < piece.size() && piece[skip] == ' ') ++skip;
  return piece.substr(skip);
}

std::string Tokenizer::detokenize(std::span<const TokenId> ids, const DetokenizeOptions& opt) const {
  bool remove_space = vocab_.add_space_prefix;  // undo the SPM prefix space
  if (opt.remove_special && vocab_.add_bos && !ids.empty() && ids.front() == vocab_.bos_id) {
    remove_space = false;
    ids = ids.subspan(1);
  }
  if (opt.remove_special && vocab_.add_eos && !ids.empty() && ids.back() == vocab_.eos_id)
    ids = ids.subspan(0, ids.size() - 1);

  std::string text;
  for (TokenId id : ids) {
    text += token_to_piece(id, opt.unparse_special, remove_space ? 1 : 0);
    remove_space = false;
  }

  if (!opt.clean_spaces.value_or(vocab_.clean_spaces) || text.empty()) return text;
  // llama.cpp's clean-up passes: drop the space in " ?", " !", " .", " ,",
  // then in " 's", " 'm", " 're", " 've".
  std::string a;
  a.reserve(text.size());
  a += text[0];
  for (size_t i = 1; i < text.size(); ++i) {
    const char x = text[i];
    if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) a.pop_back();
    a += x;
  }
  std::string b;
  b.reserve(a.size());
  b += a[0];
  for (size_t i = 1; i < a.size(); ++i) {
    const char x = a[i];
    if (a[i - 1] == ' ' && x == '\'' && i + 1 < a.size()) {
      const char x1 = a[i + 1];
      if (x1 == 's' || x1 == 'm') {
        b.pop_back();
      } else if (i + 2 < a.size()) {
        const char x2 = a[i + 2];
        if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) b.pop_back();
      }
    }
    b += x;
  }
  return b;
}

}  // namespace mrrope::tok
