// Special tokens, BOS/EOS, detokenization details and invalid input, per
// llama.cpp's semantics.
#include "test_tokenizer_common.h"
#include "support/error_of.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/unicode.h"

namespace mrrope::tok {
namespace {

TEST(TokSpecial, SpmBosAndPrefixSpace) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "llama-spm");
  const Vocab& v = tok->vocab();
  EXPECT_EQ(v.bos_id, 1);
  EXPECT_EQ(v.eos_id, 2);
  EXPECT_EQ(v.unk_id, 0);
  EXPECT_TRUE(v.add_bos);
  EXPECT_FALSE(v.add_eos);
  EXPECT_TRUE(v.add_space_prefix);
  EXPECT_EQ(tok->tokenize("", true, false), std::vector<TokenId>{1});
  EXPECT_TRUE(tok->tokenize("", false, false).empty());
  const auto hello = tok->tokenize("Hello", false, false);
  auto with_bos = tok->tokenize("Hello", true, false);
  ASSERT_FALSE(with_bos.empty());
  EXPECT_EQ(with_bos[0], 1);
  EXPECT_EQ(std::vector<TokenId>(with_bos.begin() + 1, with_bos.end()), hello);
  // "▁Hello" is one token: the prefix space joins the word.
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_EQ(v.tokens[size_t(hello[0])], "\xE2\x96\x81Hello");
  EXPECT_EQ(tok->token_to_piece(hello[0]), " Hello");
  EXPECT_EQ(tok->detokenize(hello), "Hello");
}

TEST(TokSpecial, SpmParseSpecialRestartsPrefixSpace) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "llama-spm");
  // After a control token the next text gets the prefix space again.
  std::vector<TokenId> expected{1};
  for (TokenId id : tok->tokenize("Hi", false, false)) expected.push_back(id);
  EXPECT_EQ(tok->tokenize("<s>Hi", false, true), expected);
  // Without parse_special "<s>" is ordinary text.
  EXPECT_NE(tok->tokenize("<s>Hi", false, false), expected);
}

TEST(TokSpecial, SpmFastSplitGivesLlamaCppIds) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "llama-spm");
  const Tokenizer literal(tok->vocab(), /*fast_spm_split=*/false);
  std::string text;
  for (const auto& c : testing::load_cases("llama-spm")) text += c.text + (text.size() % 3 ? " " : "  \n ");
  text += "\xF0\xE2\x96\x81 x \xE2\x96\x81\xE2\x96\x81 y\xC3";  // invalid bytes around U+2581
  EXPECT_EQ(tok->tokenize(text, true, false), literal.tokenize(text, true, false));
  EXPECT_EQ(tok->tokenize(text, true, true), literal.tokenize(text, true, true));
}

TEST(TokSpecial, SpmByteFallbackAndInvalidUtf8) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "llama-spm");
  // An unpaired byte goes through byte fallback (<0xFF>), as in llama.cpp.
  const auto ids = tok->tokenize("\xFF", false, false);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(tok->vocab().tokens[size_t(ids[1])], "<0xFF>");
  EXPECT_EQ(tok->detokenize(ids), "\xFF");
  EXPECT_FALSE(is_valid_utf8(tok->detokenize(ids)));
  // Truncated sequences do not crash either.
  for (const char* bad : {"\xE4\xB8", "a\xC3", "\xF0\x9F\x98", "\x80\x80\x80"})
    EXPECT_EQ(tok->detokenize(tok->tokenize(bad, false, false)), bad);
}

TEST(TokSpecial, Gpt2DefaultsAndCleanSpaces) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "gpt-2");
  const Vocab& v = tok->vocab();
  EXPECT_EQ(v.model, VocabModel::Bpe);
  EXPECT_FALSE(v.add_bos);
  EXPECT_TRUE(v.clean_spaces);
  EXPECT_EQ(tok->tokenize("Hello world", true, false), tok->tokenize("Hello world", false, false));
  // llama.cpp's detokenize removes the space before , . ! ? and in " 's".
  const auto ids = tok->tokenize("Hello , world ! It 's", false, false);
  EXPECT_EQ(tok->detokenize(ids), "Hello, world! It's");
  DetokenizeOptions raw;
  raw.clean_spaces = false;
  EXPECT_EQ(tok->detokenize(ids, raw), "Hello , world ! It 's");
}

TEST(TokSpecial, Llama3ControlTokens) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "llama-bpe");
  const Vocab& v = tok->vocab();
  EXPECT_EQ(v.size(), 128256u);
  EXPECT_EQ(v.bos_id, 128000);
  EXPECT_EQ(v.eos_id, 128001);
  EXPECT_EQ(v.eot_id, 128009);
  EXPECT_TRUE(v.add_bos);
  EXPECT_TRUE(v.ignore_merges);
  EXPECT_EQ(v.type(128009), TokenType::Control);
  const auto ids = tok->tokenize("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", true, true);
  ASSERT_GE(ids.size(), 6u);
  EXPECT_EQ(ids[0], 128000);
  EXPECT_EQ(ids[1], 128006);
  EXPECT_EQ(ids[3], 128007);
  EXPECT_EQ(ids.back(), 128009);
  // Control tokens render only when asked.
  EXPECT_EQ(tok->token_to_piece(128009, false), "");
  EXPECT_EQ(tok->token_to_piece(128009, true), "<|eot_id|>");
  DetokenizeOptions o;
  o.remove_special = true;
  EXPECT_EQ(tok->detokenize(ids, o), "user\n\nHi");
  o.unparse_special = true;
  EXPECT_EQ(tok->detokenize(ids, o), "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>");
  // Without parse_special the marker is plain text.
  EXPECT_GT(tok->tokenize("<|eot_id|>", false, false).size(), 1u);
}

TEST(TokSpecial, QwenAddedTokens) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "qwen2");
  const Vocab& v = tok->vocab();
  EXPECT_FALSE(v.add_bos);
  EXPECT_FALSE(v.clean_spaces);
  const TokenId im_start = tok->find_token("<|im_start|>");
  const TokenId im_end = tok->find_token("<|im_end|>");
  const TokenId think = tok->find_token("<think>");
  ASSERT_NE(im_start, kNoToken);
  ASSERT_NE(think, kNoToken);
  EXPECT_EQ(v.type(im_start), TokenType::Control);
  EXPECT_EQ(v.type(think), TokenType::UserDefined);  // added, not special
  EXPECT_EQ(v.eos_id, im_end);                        // tokenizer_config.json's eos_token
  EXPECT_EQ(v.eot_id, im_end);
  // User-defined tokens are matched even without parse_special (llama.cpp).
  const auto ids = tok->tokenize("<think>x", false, false);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids[0], think);
  EXPECT_EQ(tok->tokenize("<|im_start|>", false, true), std::vector<TokenId>{im_start});
}

TEST(TokSpecial, BpeInvalidUtf8BecomesReplacementChar) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "llama-bpe");
  // llama.cpp replaces each malformed byte by U+FFFD before pre-tokenizing.
  EXPECT_EQ(tok->tokenize("a\xFF" "b", false, false), tok->tokenize("a\xEF\xBF\xBD" "b", false, false));
  EXPECT_EQ(tok->tokenize("\xE4\xB8", false, false), tok->tokenize("\xEF\xBF\xBD\xEF\xBF\xBD", false, false));
}

TEST(TokSpecial, OutOfRangeIdIsAnError) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "gpt-2");
  EXPECT_THROW(tok->token_to_piece(-1), TokenizerError);
  EXPECT_THROW(tok->token_to_piece(TokenId(tok->vocab().size())), TokenizerError);
}

TEST(TokVocab, BuildVocabDefaultsAndErrors) {
  Vocab spm = build_vocab("llama", "", {"<unk>", "<s>", "</s>", "a"}, {0, 0, 0, -1},
                          {TokenType::Unknown, TokenType::Control, TokenType::Control, TokenType::Normal}, {}, {});
  EXPECT_EQ(spm.bos_id, 1);
  EXPECT_TRUE(spm.add_space_prefix);
  VocabSettings s;
  s.add_space_prefix = false;
  s.pad = 99;  // out of range: the default is kept, as in llama.cpp
  Vocab spm2 = build_vocab("llama", "", {"<unk>", "<s>", "</s>"}, {}, {}, {}, s);
  EXPECT_FALSE(spm2.add_space_prefix);
  EXPECT_EQ(spm2.bos_id, 1);
  // BOS and EOS outside the vocabulary would silently become other tokens: refused.
  s.bos = 99;
  EXPECT_EQ(test::error_of<TokenizerError>([&] { build_vocab("llama", "", {"<unk>", "<s>", "</s>"}, {}, {}, {}, s); }),
            "BOS token id 99 is outside the vocabulary of 3 tokens");
  s.bos.reset();
  s.eos = 3;
  EXPECT_EQ(test::error_of<TokenizerError>([&] { build_vocab("llama", "", {"<unk>", "<s>", "</s>"}, {}, {}, {}, s); }),
            "EOS token id 3 is outside the vocabulary of 3 tokens");
  // A vocabulary of empty strings would make every prompt vanish.
  EXPECT_EQ(test::error_of<TokenizerError>([] { build_vocab("llama", "", {"", "", ""}, {}, {}, {}, {}); }),
            "vocabulary: all 3 tokens are empty strings");
  EXPECT_THROW(build_vocab("bert", "", {"a"}, {}, {}, {}, {}), TokenizerError);
  EXPECT_THROW(build_vocab("gpt2", "gpt-2", {"a"}, {}, {}, {}, {}), TokenizerError);  // no merges
  EXPECT_THROW(build_vocab("llama", "", {"a", "b"}, {1.0f}, {}, {}, {}), TokenizerError);
  // An unknown pre-tokenizer is refused when the vocabulary is built (see
  // test_tokenizer_fuzz.cpp), and by a Tokenizer given such a Vocab directly.
  Vocab bpe = build_vocab("gpt2", "gpt-2", {"a", "b", "ab"}, {}, {}, {"a b"}, {});
  bpe.pre = "made-up";
  EXPECT_THROW(Tokenizer{bpe}, TokenizerError);
}

// A special id that no int32 holds is reported as written, not truncated into
// another token.
TEST(TokVocab, GgufIdWiderThanInt32IsRefusedAsWritten) {
  GgufWriter w;
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>"});
  w.set_u64("tokenizer.ggml.bos_token_id", 1ull << 32);  // 1 after truncation to 32 bits
  EXPECT_EQ(test::error_of<TokenizerError>([&] { load_vocab(GgufFile::parse(w.to_bytes(), "v.gguf")); }),
            "v.gguf: tokenizer.ggml.bos_token_id = 4294967296 is not a token id");
}

TEST(TokVocab, ImportSmallTokenizerJson) {
  const char* json = R"({
    "added_tokens": [{"id": 5, "content": "<|end|>", "special": true},
                     {"id": 6, "content": "<tool>", "special": false}],
    "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "\u0120": 3},
              "merges": ["a b", ["\u0120", "a"]]}})";
  Vocab v = import_hf_tokenizer(json, "qwen2", R"({"eos_token": {"content": "<|end|>"}, "chat_template": "<|im_start|>"})");
  ASSERT_EQ(v.size(), 7u);
  EXPECT_EQ(v.tokens[3], "\xC4\xA0");
  EXPECT_EQ(v.tokens[4], "[PAD4]");
  EXPECT_EQ(v.type(4), TokenType::Unused);
  EXPECT_EQ(v.type(5), TokenType::Control);
  EXPECT_EQ(v.type(6), TokenType::UserDefined);
  EXPECT_EQ(v.merges[1], "\xC4\xA0 a");
  EXPECT_EQ(v.eos_id, 5);
  EXPECT_EQ(v.chat_template, "<|im_start|>");
  Tokenizer tok(v);
  EXPECT_EQ(tok.tokenize("ab<tool>", false, false), (std::vector<TokenId>{2, 6}));
  EXPECT_THROW(import_hf_tokenizer("{\"model\": ", "qwen2"), TokenizerError);
  EXPECT_THROW(import_hf_tokenizer(R"({"model": {"type": "Unigram"}})", "qwen2"), TokenizerError);
}

// A vocabulary written through GgufWriter reads back identically and
// tokenizes the same (tokenizer.json -> GGUF conversion).
TEST(TokVocab, WriteMetadataRoundTrip) {
  for (const char* name : {"llama-spm", "qwen2"}) {
    MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, name);
    GgufWriter w;
    write_vocab_metadata(w, tok->vocab());
    const std::vector<uint8_t> bytes = w.to_bytes();
    const Vocab back = load_vocab(GgufFile::parse(bytes));
    const Vocab& v = tok->vocab();
    EXPECT_EQ(back.tokens, v.tokens);
    EXPECT_EQ(back.types, v.types);
    EXPECT_EQ(back.scores, v.scores);
    EXPECT_EQ(back.merges, v.merges);
    EXPECT_EQ(back.bos_id, v.bos_id);
    EXPECT_EQ(back.eos_id, v.eos_id);
    EXPECT_EQ(back.eot_id, v.eot_id);
    EXPECT_EQ(back.add_bos, v.add_bos);
    EXPECT_EQ(back.add_space_prefix, v.add_space_prefix);
    EXPECT_EQ(back.chat_template, v.chat_template);
    const Tokenizer again(back);
    for (const auto& c : testing::load_cases(name))
      EXPECT_EQ(again.tokenize(c.text, true, true), tok->tokenize(c.text, true, true)) << name;
  }
}

}  // namespace
}  // namespace mrrope::tok
