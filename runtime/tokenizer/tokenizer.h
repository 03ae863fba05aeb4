#pragma once
// Text <-> token ids, matching llama.cpp's llama_tokenize / llama_detokenize
// exactly: SentencePiece (llm_tokenizer_spm) and byte-level BPE
// (llm_tokenizer_bpe) over a Vocab.
//
// Invalid UTF-8 input never throws: like llama.cpp, SPM passes the raw bytes
// through byte fallback (<0xXX> tokens) and BPE replaces each malformed byte
// with U+FFFD before pre-tokenizing. Use is_valid_utf8() first to reject it.
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/pretokenize.h"
#include "tokenizer/vocab.h"

namespace mrrope::tok {

struct DetokenizeOptions {
  bool remove_special = false;   // drop a leading BOS / trailing EOS the vocab adds itself
  bool unparse_special = false;  // render control tokens as their text (else nothing)
  // Override the vocab's clean_spaces (" ," -> ","); unset = llama.cpp's behaviour.
  std::optional<bool> clean_spaces;
};

class Tokenizer {
 public:
  // `fast_spm_split = false` encodes each SPM text fragment in one merge
  // session, literally as llama.cpp does; the default splits it where no
  // merge can cross, with identical ids (tests compare both).
  explicit Tokenizer(Vocab vocab, bool fast_spm_split = true);

  const Vocab& vocab() const { return vocab_; }

  // llama_tokenize(text, add_special, parse_special): `add_special` adds BOS/EOS
  // per the vocab's add_bos/add_eos; `parse_special` turns the text of control
  // tokens (e.g. "<|eot_id|>") into those tokens. User-defined tokens are
  // always matched, as in llama.cpp.
  std::vector<TokenId> tokenize(std::string_view text, bool add_special, bool parse_special) const;

  // The bytes a token stands for (llama_token_to_piece). Control and unknown
  // tokens give their text when `special`, else nothing. `lstrip` removes up
  // to that many leading spaces. The piece may be a partial UTF-8 sequence.
  std::string token_to_piece(TokenId id, bool special = true, int lstrip = 0) const;

  // llama_detokenize: concatenated pieces (without the SPM prefix space).
  std::string detokenize(std::span<const TokenId> ids, const DetokenizeOptions& options = {}) const;

  // Exact token text lookup; kNoToken when absent.
  TokenId find_token(std::string_view text) const;

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using StringMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

 private:
  void encode_spm(std::string_view text, std::vector<TokenId>& out) const;  // spm.cpp
  void encode_bpe(std::string_view text, std::vector<TokenId>& out) const;  // bpe.cpp
  TokenId spm_byte_token(uint8_t byte) const;
  int bpe_rank(std::string_view left, std::string_view right) const;
  std::string make_piece(TokenId id) const;  // detokenize.cpp

  Vocab vocab_;
  PreTokenizer pre_ = PreTokenizer::Gpt2;
  StringMap token_to_id_;
  StringMap bpe_ranks_;  // key: left + '\xFF' + right (0xFF never occurs in UTF-8)
  std::vector<TokenId> special_tokens_;  // candidates for text partitioning, longest first
  std::vector<std::string> pieces_;      // token_to_piece(id, special = true) for every token
  bool spm_split_at_spaces_ = false;     // see encode_spm
};

}  // namespace mrrope::tok
