// The gpt-4o pre-tokenizer (Phi-4-mini, Llama 4; tokenizer.ggml.pre "gpt-4o"
// and its aliases): the split, and vocabularies that name it. Expected words
// are what llama.cpp's unicode_regex_split gives for its form of the regex
// (LLAMA_VOCAB_PRE_TYPE_GPT4O), where case is ASCII only and combining marks
// are not letters (see split_gpt4o in runtime/tokenizer/pretokenize.cpp).
#include <gtest/gtest.h>

#include <sstream>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "test_tokenizer_common.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab.h"

namespace mrrope::tok {
namespace {

using Words = std::vector<std::string>;
constexpr auto k = PreTokenizer::Gpt4o;

TEST(TokGpt4o, CaseRuns) {
  EXPECT_EQ(pre_tokenize("HelloWorld", k), (Words{"Hello", "World"}));
  EXPECT_EQ(pre_tokenize("ABCdef", k), (Words{"ABCdef"}));  // upper* lower+: capitals lead a word
  EXPECT_EQ(pre_tokenize("helloWORLD", k), (Words{"hello", "WORLD"}));
  EXPECT_EQ(pre_tokenize("HTTPServer is", k), (Words{"HTTPServer", " is"}));
  EXPECT_EQ(pre_tokenize("iPhone XRs", k), (Words{"i", "Phone", " XRs"}));
  EXPECT_EQ(pre_tokenize("(foo)", k), (Words{"(foo", ")"}));
  EXPECT_EQ(pre_tokenize("\tX", k), (Words{"\tX"}));  // any non-letter, non-digit but \r \n may lead
  EXPECT_EQ(pre_tokenize("\nX", k), (Words{"\n", "X"}));
  EXPECT_EQ(pre_tokenize("", k), Words{});
}

TEST(TokGpt4o, ContractionsAttachToWordsInAnyCase) {
  EXPECT_EQ(pre_tokenize("DON'T don't He's", k), (Words{"DON'T", " don't", " He's"}));
  EXPECT_EQ(pre_tokenize("I'VE it'LL x'S' WE'RE", k), (Words{"I'VE", " it'LL", " x'S", "'", " WE'RE"}));
  // No word before it: the apostrophe is the optional lead of the next word.
  EXPECT_EQ(pre_tokenize("'s 'Re", k), (Words{"'s", " '", "Re"}));
}

TEST(TokGpt4o, DigitsInThrees) {
  EXPECT_EQ(pre_tokenize("1234567", k), (Words{"123", "456", "7"}));
  EXPECT_EQ(pre_tokenize("3.14159 x12345", k), (Words{"3", ".", "141", "59", " x", "123", "45"}));
  EXPECT_EQ(pre_tokenize("\xD9\xA1\xD9\xA2\xD9\xA3\xD9\xA4", k),  // Arabic-Indic 1234
            (Words{"\xD9\xA1\xD9\xA2\xD9\xA3", "\xD9\xA4"}));
}

TEST(TokGpt4o, PunctuationKeepsFollowingNewlinesAndSlashes) {
  EXPECT_EQ(pre_tokenize("a!!\n/b", k), (Words{"a", "!!\n/", "b"}));
  EXPECT_EQ(pre_tokenize("!!/\r\n//x", k), (Words{"!!/\r\n//", "x"}));
  EXPECT_EQ(pre_tokenize("a/\n/\n", k), (Words{"a", "/\n/\n"}));
  EXPECT_EQ(pre_tokenize(" \xE2\x9C\x93\n/", k), (Words{" \xE2\x9C\x93\n/"}));  // " ✓\n/"
}

TEST(TokGpt4o, WhitespaceLookahead) {
  EXPECT_EQ(pre_tokenize("  hi", k), (Words{" ", " hi"}));
  EXPECT_EQ(pre_tokenize("a   ", k), (Words{"a", "   "}));
  EXPECT_EQ(pre_tokenize("x  \ny", k), (Words{"x", "  \n", "y"}));
  EXPECT_EQ(pre_tokenize("  \n\n ", k), (Words{"  \n\n", " "}));
  EXPECT_EQ(pre_tokenize("foo\r\n", k), (Words{"foo", "\r\n"}));
  EXPECT_EQ(pre_tokenize("hi\t\tthere", k), (Words{"hi", "\t", "\tthere"}));
  EXPECT_EQ(pre_tokenize("a\xE3\x80\x80" "b", k), (Words{"a", "\xE3\x80\x80" "b"}));  // U+3000
}

TEST(TokGpt4o, CjkAndEmoji) {
  EXPECT_EQ(pre_tokenize("中文字 ok", k), (Words{"中文字", " ok"}));
  EXPECT_EQ(pre_tokenize("中ABC", k), (Words{"中", "ABC"}));  // 中 counts as upper and lower
  EXPECT_EQ(pre_tokenize("😀😀 hi", k), (Words{"😀😀", " hi"}));
  EXPECT_EQ(pre_tokenize("😀abc", k), (Words{"😀abc"}));
}

TEST(TokGpt4o, AccentedLettersAsLlamaCpp) {
  EXPECT_EQ(pre_tokenize("École naïve Straße", k), (Words{"École", " naïve", " Straße"}));
  // Non-ASCII capitals are upper and lower: the upper run gives back its last
  // non-ASCII letter to lower+ (Hugging Face's regex keeps "ÉCOLE" whole).
  EXPECT_EQ(pre_tokenize("ÉCOLE", k), (Words{"É", "COLE"}));
  EXPECT_EQ(pre_tokenize("AÀB", k), (Words{"AÀ", "B"}));
  EXPECT_EQ(pre_tokenize("ÉTÉ's", k), (Words{"ÉTÉ's"}));
  // Combining marks are not letters there: they end a word, or lead the next.
  EXPECT_EQ(pre_tokenize("cafe\xCC\x81 ok", k), (Words{"cafe", "\xCC\x81", " ok"}));
  EXPECT_EQ(pre_tokenize("\xCC\x81" "abc", k), (Words{"\xCC\x81" "abc"}));
  EXPECT_EQ(pre_tokenize("x\xCC\x81\xCC\x82", k), (Words{"x", "\xCC\x81\xCC\x82"}));
}

TEST(TokGpt4o, NamesAndAliases) {
  for (const char* name : {"gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"})
    EXPECT_EQ(pre_tokenizer_from_name(name), PreTokenizer::Gpt4o) << name;
  EXPECT_THROW(pre_tokenizer_from_name("gpt-4"), std::invalid_argument);
}

// llama.cpp's test strings (those of ggml-vocab-llama-bpe.gguf.inp) and the
// cases above, split by llama.cpp's unicode_regex_split with its gpt-4o regex:
// gpt-4o-split.out holds each string's word lengths in code points.
TEST(TokGpt4o, MatchesLlamaCppSplits) {
  const std::string dir = testing::fixture_dir();
  const std::string inp = testing::read_text(dir + "/gpt-4o-split.inp");
  std::istringstream out(testing::read_text(dir + "/gpt-4o-split.out"));
  const std::string sep = "\n__ggml_vocab_test__\n";
  size_t cases = 0;
  for (size_t pos = 0; pos < inp.size(); ++cases) {
    const size_t next = inp.find(sep, pos);
    ASSERT_NE(next, std::string::npos);
    const std::string text = inp.substr(pos, next - pos);
    pos = next + sep.size();
    std::string line;
    ASSERT_TRUE(std::getline(out, line)) << "no split for case " << cases;
    std::vector<size_t> expected;
    std::istringstream lengths(line);
    for (size_t n; lengths >> n;) expected.push_back(n);
    EXPECT_EQ(split_words(utf8_to_cpts(text), k), expected) << "case " << cases << ": " << text;
  }
  EXPECT_EQ(cases, 55u);
}

// Byte-level BPE with "a", "B" and the merges "a B" and "B a": whether "aB"
// and "Ba" merge shows where the pre-tokenizer puts word boundaries.
GgufWriter case_vocab(const std::string& pre) {
  GgufWriter w;
  w.set_string("general.architecture", "phi3");
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", pre);
  w.set_string_array("tokenizer.ggml.tokens", {"a", "B", "aB", "Ba", "<|endoftext|>", "<|end|>"});
  w.set_i32_array("tokenizer.ggml.token_type", {1, 1, 1, 1, 3, 3});
  w.set_string_array("tokenizer.ggml.merges", {"a B", "B a"});
  w.set_u32("tokenizer.ggml.bos_token_id", 4);
  w.set_u32("tokenizer.ggml.eos_token_id", 4);
  w.set_bool("tokenizer.ggml.add_bos_token", false);
  return w;
}

TEST(TokGpt4o, GgufWithGpt4oPreLoads) {
  const Vocab v = load_vocab(GgufFile::parse(case_vocab("gpt-4o").to_bytes(), "phi4-mini.gguf"));
  EXPECT_EQ(v.model, VocabModel::Bpe);
  EXPECT_EQ(v.pre, "gpt-4o");
  EXPECT_FALSE(v.clean_spaces);  // as llama.cpp for gpt-4o
  EXPECT_FALSE(v.add_bos);
  EXPECT_EQ(v.eot_id, 5);        // <|end|>, found by its text
  const Tokenizer t(v);
  // "aB" is two words (lower, then upper); "Ba" one.
  EXPECT_EQ(t.tokenize("aB", false, false), (std::vector<TokenId>{0, 1}));
  EXPECT_EQ(t.tokenize("Ba", false, false), (std::vector<TokenId>{3}));
  EXPECT_EQ(t.tokenize("aBa<|end|>", false, true), (std::vector<TokenId>{0, 3, 5}));
  // llama-bpe's \p{L}+ keeps "aB" whole, so the merge applies.
  const Tokenizer llama3(load_vocab(GgufFile::parse(case_vocab("llama-bpe").to_bytes(), "v.gguf")));
  EXPECT_EQ(llama3.tokenize("aB", false, false), (std::vector<TokenId>{2}));
  for (const char* alias : {"llama4", "kanana2", "talkie", "minimax-m2"}) {
    const Tokenizer a(load_vocab(GgufFile::parse(case_vocab(alias).to_bytes(), "v.gguf")));
    EXPECT_EQ(a.tokenize("aB", false, false), (std::vector<TokenId>{0, 1})) << alias;
  }
}

}  // namespace
}  // namespace mrrope::tok
