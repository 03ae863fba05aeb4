#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <stdexcept>

#include "tokenizer/unicode.h"

namespace mrrope::tok {

Tokenizer::Tokenizer(Vocab vocab, bool fast_spm_split) : vocab_(std::move(vocab)) {
  token_to_id_.reserve(vocab_.size());
  // Later duplicates win, as with llama.cpp's token_to_id[text] = id.
  for (size_t i = 0; i < vocab_.size(); ++i) token_to_id_[vocab_.tokens[i]] = TokenId(i);

  if (vocab_.model == VocabModel::Bpe) {
    try {
      pre_ = pre_tokenizer_from_name(vocab_.pre);
    } catch (const std::invalid_argument& e) {
      throw TokenizerError(e.what());  // a Vocab not made by build_vocab
    }
    bpe_ranks_.reserve(vocab_.merges.size());
    for (size_t i = 0; i < vocab_.merges.size(); ++i) {
      // llama.cpp splits at the first space after the first byte.
      const std::string& m = vocab_.merges[i];
      const size_t pos = m.find(' ', 1);
      std::string key = pos == std::string::npos ? std::string("\xFF") : m.substr(0, pos) + '\xFF' + m.substr(pos + 1);
      bpe_ranks_.emplace(std::move(key), int32_t(i));  // first occurrence keeps its rank
    }
  }

  for (size_t i = 0; i < vocab_.size(); ++i) {
    TokenType t = vocab_.types[i];
    if (t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown)
      special_tokens_.push_back(TokenId(i));
  }
  std::stable_sort(special_tokens_.begin(), special_tokens_.end(), [&](TokenId a, TokenId b) {
    return vocab_.tokens[size_t(a)].size() > vocab_.tokens[size_t(b)].size();
  });

  if (vocab_.model == VocabModel::Spm && fast_spm_split) {
    // True when no token has U+2581 right after another character, so SPM
    // merges can never cross such a point (encode_spm splits there).
    static constexpr std::string_view kSpace = "\xE2\x96\x81";
    spm_split_at_spaces_ = true;
    for (const std::string& t : vocab_.tokens) {
      const std::string_view v(t);
      if (!is_valid_utf8(v)) spm_split_at_spaces_ = false;
      for (size_t p = v.find(kSpace, 1); p != std::string_view::npos; p = v.find(kSpace, p + 1))
        if (p < kSpace.size() || v.substr(p - kSpace.size(), kSpace.size()) != kSpace) spm_split_at_spaces_ = false;
      if (!spm_split_at_spaces_) break;
    }
  }

  pieces_.reserve(vocab_.size());
  for (size_t i = 0; i < vocab_.size(); ++i) pieces_.push_back(make_piece(TokenId(i)));
}

TokenId Tokenizer::find_token(std::string_view text) const {
  auto it = token_to_id_.find(text);
  return it == token_to_id_.end() ? kNoToken : it->second;
}

namespace {

struct Fragment {
  TokenId token;  // kNoToken: raw text [offset, offset + length)
  size_t offset;
  size_t length;
};

}  // namespace

std::vector<TokenId> Tokenizer::tokenize(std::string_view text, bool add_special, bool parse_special) const {
  // Partition the text on special tokens, longest first (llama.cpp's
  // tokenizer_st_partition): each token splits every raw fragment at its
  // non-overlapping occurrences from the left.
  std::vector<Fragment> frags;
  if (!text.empty()) frags.push_back({kNoToken, 0, text.size()});
  std::vector<Fragment> next;
  for (TokenId id : special_tokens_) {
    const TokenType type = vocab_.types[size_t(id)];
    if (!parse_special && (type == TokenType::Control || type == TokenType::Unknown)) continue;
    const std::string& special = vocab_.tokens[size_t(id)];
    if (special.empty()) continue;
    bool found = false;
    for (const Fragment& f : frags)
      if (f.token == kNoToken && text.substr(f.offset, f.length).find(special) != std::string_view::npos) {
        found = true;
        break;
      }
    if (!found) continue;
    next.clear();
    for (const Fragment& f : frags) {
      if (f.token != kNoToken) {
        next.push_back(f);
        continue;
      }
      size_t off = f.offset, len = f.length;
      while (len > 0) {
        const size_t m = text.substr(0, off + len).find(special, off);
        if (m == std::string_view::npos) {
          next.push_back({kNoToken, off, len});
          break;
        }
        if (m > off) next.push_back({kNoToken, off, m - off});
        next.push_back({id, 0, 0});
        const size_t end = m + special.size();
        len = off + len - end;
        off = end;
      }
    }
    frags.swap(next);
  }

  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 2);
  if (add_special && vocab_.add_bos) out.push_back(vocab_.bos_id);
  if (vocab_.model == VocabModel::Spm) {
    bool prev_special = true;  // the first fragment gets the prefix space
    std::string buf;
    for (const Fragment& f : frags) {
      if (f.token != kNoToken) {
        out.push_back(f.token);
        prev_special = true;
        continue;
      }
      buf.clear();
      if (vocab_.add_space_prefix && prev_special) buf = ' ';
      buf.append(text.substr(f.offset, f.length));
      encode_spm(buf, out);
      prev_special = false;
    }
  } else {
    for (const Fragment& f : frags) {
      if (f.token != kNoToken) out.push_back(f.token);
      else encode_bpe(text.substr(f.offset, f.length), out);
    }
  }
  if (add_special && vocab_.add_eos) out.push_back(vocab_.eos_id);
  return out;
}

}  // namespace mrrope::tok
