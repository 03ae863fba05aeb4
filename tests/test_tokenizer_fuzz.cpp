// Regressions found by fuzz_tokenizer (tests/fuzz/, tools/fuzz.sh): tokenizer
// metadata that crashed or threw something other than TokenizerError is now
// refused when the vocabulary is loaded, with a message naming the problem.
#include <gtest/gtest.h>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "support/error_of.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace mrrope::tok {
namespace {

// A small byte-level BPE vocabulary ("a", "b", "ab") with the given pre-tokenizer.
GgufWriter bpe_file(const std::string& pre) {
  GgufWriter w;
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", pre);
  w.set_string_array("tokenizer.ggml.tokens", {"a", "b", "ab"});
  w.set_string_array("tokenizer.ggml.merges", {"a b"});
  w.set_u32("tokenizer.ggml.bos_token_id", 0);  // llama-bpe adds BOS; its default id 11 is not here
  return w;
}

// An unknown tokenizer.ggml.pre was accepted by load_vocab and then escaped
// the Tokenizer constructor as std::invalid_argument (an uncaught exception in
// the fuzzer; the engine reported it without the file's name).
TEST(TokFuzz, UnknownPreTokenizerIsRefusedByTheLoader) {
  const GgufFile f = GgufFile::parse(bpe_file("qwen1").to_bytes(), "v.gguf");
  EXPECT_EQ(test::error_of<TokenizerError>([&] { load_vocab(f); }),
            "v.gguf: unsupported BPE pre-tokenizer 'qwen1' (supported: gpt-2, llama-bpe, qwen2, gpt-4o)");
  // Known names and aliases still load and tokenize.
  for (const char* pre : {"", "default", "gpt-2", "llama-bpe", "llama3", "qwen2", "deepseek-r1-qwen", "gpt-4o", "llama4"}) {
    const Tokenizer t(load_vocab(GgufFile::parse(bpe_file(pre).to_bytes(), "v.gguf")));
    EXPECT_EQ(t.tokenize("ab", false, false), std::vector<TokenId>{2}) << pre;
  }
}

// A byte-level BPE token made of code points outside the byte mapping renders
// as llama.cpp's [UNK_BYTE_0x..<token>] marker per code point; for a long token
// that repeated the whole token each time (20000 such code points: 400 MB,
// and gigabytes for a 64 KB token). Long tokens now name only the code point.
TEST(TokFuzz, LongUnmappedBpeTokenPieceStaysLinear) {
  const std::string unmapped(20000, '\x01');  // U+0001 is not a byte-level code point
  const Vocab v = build_vocab("gpt2", "gpt-2", {"a", "b", "ab", "\x01", unmapped}, {}, {}, {"a b"}, {});
  const Tokenizer t(v);
  EXPECT_EQ(t.token_to_piece(3), "[UNK_BYTE_0x01\x01]");  // short tokens: exactly llama.cpp's marker
  const std::string piece = t.token_to_piece(4);
  EXPECT_EQ(piece.size(), 20000 * std::string("[UNK_BYTE_0x01]").size());
  EXPECT_EQ(piece.substr(0, 15), "[UNK_BYTE_0x01]");
}

}  // namespace
}  // namespace mrrope::tok
