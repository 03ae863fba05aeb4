// libFuzzer target for the vocabulary loader and the tokenizer: a fuzzed GGUF
// file's tokenizer.ggml.* metadata (model, pre-tokenizer, tokens, scores,
// token types, merges, special ids and flags) must either build a tokenizer,
// as the engine does (Tokenizer(load_vocab(file))), or throw GgufError /
// TokenizerError. When it builds, a few texts (fixed ones with invalid UTF-8,
// the file's own "fuzz.texts" strings, the input's last bytes) are tokenized
// and detokenized; that may only throw TokenizerError (a vocabulary without a
// token for some byte). A crash, a sanitizer report, a hang, any other
// exception or an id outside the vocabulary is a bug.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace {

using namespace mrrope;
using namespace mrrope::tok;

constexpr std::string_view kFixedTexts[] = {
    "Hello world",
    " leading and  double  spaces ",
    "It's 12345 o'clock, isn't it?\n\n\tTabs\r\n",
    "\xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80 caf\xc3\xa9",      // CJK, emoji, Latin-1
    "\xff\xfe bad \xc3 trunc \xe2\x82 \xf0\x9f\x98 \xed\xa0\x80",  // invalid UTF-8
    std::string_view("nul\0inside", 10),
    "<s></s><|endoftext|><|im_start|>user<|im_end|><|eot_id|>",
};

void check_ids(const Tokenizer& t, const std::vector<TokenId>& ids) {
  for (TokenId id : ids)
    if (!t.vocab().valid(id)) __builtin_trap();
}

void round_trip(const Tokenizer& t, std::string_view text) {
  for (int mode = 0; mode < 4; ++mode) {
    const bool add_special = mode & 1, parse_special = mode & 2;
    std::vector<TokenId> ids;
    try {
      ids = t.tokenize(text, add_special, parse_special);
    } catch (const TokenizerError&) {
      continue;  // a byte the vocabulary has no token for
    }
    check_ids(t, ids);
    DetokenizeOptions opt;
    opt.remove_special = add_special;
    opt.unparse_special = parse_special;
    volatile size_t sink = t.detokenize(ids, opt).size();
    opt.clean_spaces = !t.vocab().clean_spaces;
    sink = sink + t.detokenize(ids, opt).size();
    for (TokenId id : ids) sink = sink + t.token_to_piece(id, parse_special, 1).size();
    (void)sink;
  }
}

void exercise(const Tokenizer& t, std::span<const uint8_t> data, const GgufFile& f) {
  const Vocab& v = t.vocab();
  // Every token's piece, and lookups of every token's text.
  volatile size_t sink = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    sink = sink + t.token_to_piece(TokenId(i), true).size() + t.token_to_piece(TokenId(i), false, 1).size();
    if (t.find_token(v.tokens[i]) == kNoToken) __builtin_trap();
  }
  for (TokenId id : {v.bos_id, v.eos_id, v.eot_id, v.eom_id, v.unk_id, v.sep_id, v.pad_id})
    if (id != kNoToken && !v.valid(id)) __builtin_trap();
  for (TokenId id : v.eog_ids())
    if (!v.valid(id)) __builtin_trap();
  // Out-of-range ids are refused with TokenizerError.
  for (TokenId id : {TokenId(-1), TokenId(v.size()), TokenId(0x7fffffff)}) {
    try {
      sink = sink + t.token_to_piece(id).size();
      __builtin_trap();
    } catch (const TokenizerError&) {
    }
  }
  (void)sink;

  for (std::string_view text : kFixedTexts) round_trip(t, text);
  try {
    for (const std::string& s : f.get_string_array("fuzz.texts")) round_trip(t, s);
  } catch (const GgufError&) {
  }
  const size_t tail = std::min<size_t>(data.size(), 96);
  round_trip(t, std::string_view(reinterpret_cast<const char*>(data.data() + data.size() - tail), tail));
  // The vocabulary's own texts, concatenated (at most 4 KiB), must tokenize too.
  std::string all;
  for (size_t i = 0; i < v.size() && all.size() < 4096; ++i) all += v.tokens[i];
  round_trip(t, all);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  try {
    const GgufFile f = GgufFile::parse(bytes, "fuzz.gguf");
    std::optional<Tokenizer> t;
    try {
      t.emplace(load_vocab(f));
    } catch (const TokenizerError&) {
      return 0;
    }
    exercise(*t, bytes, f);
  } catch (const GgufError&) {
  }
  return 0;
}
