// detokenize(tokenize(s)) == s for every tokenizer, on llama.cpp's fixture
// strings and on a long multilingual text. Byte-level BPE is lossless once
// llama.cpp's " ," clean-up is turned off; SPM's prefix space is removed by
// detokenize exactly as llama.cpp does.
#include "test_tokenizer_common.h"

namespace mrrope::tok {
namespace {

const char* const kNames[] = {"llama-spm", "gpt-2", "llama-bpe", "qwen2"};

const std::string kMultilingual =
    "The quick brown fox jumps over the lazy dog. It's 3.14159 o'clock; we'll see, they've gone!\n"
    "中文：我爱自然语言处理，今天天气很好。長い文脈の言語モデルを評価します。\n"
    "日本語のテキスト：ひらがな、カタカナ、漢字。こんにちは世界！\n"
    "العربية: مرحبا بالعالم، كيف حالك اليوم؟ ١٢٣٤٥\n"
    "Русский текст: Съешь же ещё этих мягких французских булок.\n"
    "Emoji: 👋🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️ 🤖✨\n"
    "Combining marks: e\u0301 a\u0308 n\u0303 o\u0302\u0323 \u0915\u094D\u0937 Z\u0351\u0360\u0353a\u036Blgo\n"
    "Korean: 안녕하세요 세계. Thai: สวัสดีชาวโลก. Hindi: नमस्ते दुनिया।\n"
    "Code:\n```cpp\nint main(int argc, char** argv) {\n\tfor (int i = 0; i < 10; ++i) printf(\"%d\\n\", i);\n"
    "    return 0;  // done\n}\n```\n"
    "Whitespace:   three spaces,\ttab,\r\nCRLF, trailing   \n\n\n"
    "Numbers: 1234567890 12,345.67 0x1F 1e-9 ½ ¾ ⅔ Ⅻ\n"
    "Punctuation: ''''''```````\"\"\"\"......!!!!!!?????? --- === ... «quotes» „Anführung“ 'RE 'M 'D We'Ve a'lL";

std::string detok(const Tokenizer& tok, const std::vector<TokenId>& ids) {
  DetokenizeOptions o;
  o.clean_spaces = false;
  return tok.detokenize(ids, o);
}

class TokRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(TokRoundTrip, FixtureStrings) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, GetParam());
  for (const auto& c : testing::load_cases(GetParam())) {
    EXPECT_EQ(detok(*tok, tok->tokenize(c.text, false, false)), c.text) << GetParam();
    // With BOS added and removed again by remove_special, llama.cpp keeps the
    // SPM prefix space (its detokenize only strips it when no BOS was dropped).
    DetokenizeOptions o;
    o.clean_spaces = false;
    o.remove_special = true;
    const bool keeps_space = tok->vocab().add_space_prefix && tok->vocab().add_bos && !c.text.empty();
    EXPECT_EQ(tok->detokenize(tok->tokenize(c.text, true, false), o), (keeps_space ? " " : "") + c.text)
        << GetParam();
  }
}

TEST_P(TokRoundTrip, MultilingualText) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, GetParam());
  const std::vector<TokenId> ids = tok->tokenize(kMultilingual, false, false);
  EXPECT_EQ(detok(*tok, ids), kMultilingual);
  // Piece by piece through the streaming decoder gives the same text.
  std::string streamed;
  Utf8StreamDecoder dec;
  for (size_t i = 0; i < ids.size(); ++i) streamed += dec.push(tok->token_to_piece(ids[i], true, i == 0 && tok->vocab().add_space_prefix ? 1 : 0));
  streamed += dec.flush();
  EXPECT_EQ(streamed, kMultilingual);
}

TEST_P(TokRoundTrip, SpecialTokenTextStaysTextWithoutParseSpecial) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, GetParam());
  const std::string text = "a <|endoftext|> b <s></s> <|eot_id|><|im_start|>user";
  EXPECT_EQ(detok(*tok, tok->tokenize(text, false, false)), text);
}

INSTANTIATE_TEST_SUITE_P(Tok, TokRoundTrip, ::testing::ValuesIn(kNames),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace mrrope::tok
