// Unicode categories, UTF-8 handling, pre-tokenizer splits and the streaming
// UTF-8 decoder.
#include <gtest/gtest.h>

#include "tokenizer/pretokenize.h"
#include "tokenizer/unicode.h"
#include "tokenizer/utf8_stream.h"

namespace mrrope::tok {
namespace {

using Words = std::vector<std::string>;

TEST(TokUnicode, CategoryFlags) {
  EXPECT_TRUE(unicode_flags('a') & kLetter);
  EXPECT_TRUE(unicode_flags(0x4E2D) & kLetter);   // 中
  EXPECT_TRUE(unicode_flags(0x0661) & kNumber);   // Arabic-Indic one
  EXPECT_TRUE(unicode_flags(0x00BD) & kNumber);   // ½ (No)
  EXPECT_TRUE(unicode_flags(0x0301) & kAccentMark);
  EXPECT_TRUE(unicode_flags(0x3000) & kWhitespace);
  EXPECT_TRUE(unicode_flags(0x0085) & kWhitespace);
  EXPECT_FALSE(unicode_flags(0x200B) & kWhitespace);  // zero width space is Cf, not White_Space
  EXPECT_FALSE(unicode_flags(0x1C) & kWhitespace);
  EXPECT_TRUE(unicode_flags(0x1F600) & kSymbol);
  EXPECT_EQ(unicode_flags(0x10FFFF + 1), kUndefined);
}

TEST(TokUnicode, ByteLevelMapping) {
  EXPECT_EQ(byte_to_unicode(' '), "\xC4\xA0");   // Ġ
  EXPECT_EQ(byte_to_unicode('\n'), "\xC4\x8A");  // Ċ
  EXPECT_EQ(byte_to_unicode('A'), "A");
  for (int b = 0; b < 256; ++b) {
    auto cps = utf8_to_cpts(byte_to_unicode(uint8_t(b)));
    ASSERT_EQ(cps.size(), 1u);
    EXPECT_EQ(unicode_to_byte(cps[0]), b);
  }
  EXPECT_EQ(unicode_to_byte(0x4E2D), -1);
}

TEST(TokUnicode, LenientDecodingLikeLlamaCpp) {
  EXPECT_EQ(utf8_to_cpts("a\xC3\xA4"), (std::vector<uint32_t>{'a', 0xE4}));
  EXPECT_EQ(utf8_to_cpts("\xFF" "a"), (std::vector<uint32_t>{0xFFFD, 'a'}));
  EXPECT_EQ(utf8_to_cpts("\xE4\xB8"), (std::vector<uint32_t>{0xFFFD, 0xFFFD}));
}

TEST(TokUnicode, Validation) {
  size_t at = 99;
  EXPECT_TRUE(is_valid_utf8("héllo 中 😀"));
  EXPECT_FALSE(is_valid_utf8("ab\xC0\x80", &at));  // overlong
  EXPECT_EQ(at, 2u);
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));     // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_EQ(sanitize_utf8("a\xFF" "b\xE4\xB8"), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
}

TEST(TokPreTokenize, Llama3) {
  const auto k = PreTokenizer::Llama3;
  EXPECT_EQ(pre_tokenize("Hello world", k), (Words{"Hello", " world"}));
  EXPECT_EQ(pre_tokenize("1234567", k), (Words{"123", "456", "7"}));
  EXPECT_EQ(pre_tokenize("I'VE it's", k), (Words{"I", "'VE", " it", "'s"}));
  EXPECT_EQ(pre_tokenize("  hi", k), (Words{" ", " hi"}));
  EXPECT_EQ(pre_tokenize("a\n\n b", k), (Words{"a", "\n\n", " b"}));
  EXPECT_EQ(pre_tokenize("x  \ny", k), (Words{"x", "  \n", "y"}));
  EXPECT_EQ(pre_tokenize("?!\n\nz", k), (Words{"?!\n\n", "z"}));
  EXPECT_EQ(pre_tokenize("a   ", k), (Words{"a", "   "}));
  EXPECT_EQ(pre_tokenize("Straße١٢٣٤", k), (Words{"Straße", "١٢٣", "٤"}));
  EXPECT_EQ(pre_tokenize("(foo)", k), (Words{"(foo", ")"}));
}

TEST(TokPreTokenize, Qwen2SingleDigits) {
  EXPECT_EQ(pre_tokenize("x 1234", PreTokenizer::Qwen2), (Words{"x", " ", "1", "2", "3", "4"}));
}

TEST(TokPreTokenize, Gpt2) {
  const auto k = PreTokenizer::Gpt2;
  EXPECT_EQ(pre_tokenize("I'VE it's", k), (Words{"I", "'", "VE", " it", "'s"}));
  EXPECT_EQ(pre_tokenize("1234567", k), (Words{"1234567"}));
  EXPECT_EQ(pre_tokenize(" 12 ab", k), (Words{" 12", " ab"}));
  EXPECT_EQ(pre_tokenize("a  b", k), (Words{"a", " ", " b"}));
  EXPECT_EQ(pre_tokenize("a\n\nb", k), (Words{"a", "\n", "\n", "b"}));
  EXPECT_EQ(pre_tokenize("", k), Words{});
}

TEST(TokPreTokenize, UnknownNameIsRejected) {
  EXPECT_THROW(pre_tokenizer_from_name("mystery"), std::invalid_argument);
  EXPECT_EQ(pre_tokenizer_from_name("llama-bpe"), PreTokenizer::Llama3);
}

TEST(Utf8Stream, HoldsSplitSequences) {
  const std::string smile = "\xF0\x9F\x98\x80";  // 😀
  Utf8StreamDecoder d;
  EXPECT_EQ(d.push("a" + smile.substr(0, 1)), "a");
  EXPECT_EQ(d.pending(), 1u);
  EXPECT_EQ(d.push(smile.substr(1, 2)), "");
  EXPECT_EQ(d.pending(), 3u);
  EXPECT_EQ(d.push(smile.substr(3) + "b"), smile + "b");
  EXPECT_EQ(d.pending(), 0u);
  EXPECT_EQ(d.flush(), "");
}

TEST(Utf8Stream, EveryByteSplitOfMixedText) {
  const std::string text = "中文 é 😀 Ω\xCC\x81 end";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    Utf8StreamDecoder d;
    std::string out = d.push(text.substr(0, cut));
    EXPECT_TRUE(is_valid_utf8(out));
    out += d.push(text.substr(cut));
    out += d.flush();
    EXPECT_EQ(out, text) << "cut at " << cut;
  }
  // One byte at a time.
  Utf8StreamDecoder d;
  std::string out;
  for (char c : text) out += d.push(std::string_view(&c, 1));
  EXPECT_EQ(out + d.flush(), text);
}

TEST(Utf8Stream, InvalidBytesBecomeReplacementChars) {
  const std::string fffd = "\xEF\xBF\xBD";
  Utf8StreamDecoder d;
  EXPECT_EQ(d.push("a\xFF" "b"), "a" + fffd + "b");
  EXPECT_EQ(d.push("\xC3" "x"), fffd + "x");        // lead byte followed by a non-continuation
  EXPECT_EQ(d.push("\xED\xA0\x80"), fffd + fffd + fffd);  // surrogates are ill-formed
  EXPECT_EQ(d.push("\xE4\xB8"), "");                // incomplete: held back...
  EXPECT_EQ(d.flush(), fffd);                       // ...and replaced at the end
  EXPECT_EQ(d.push("\x80"), fffd);                  // stray continuation byte
}

}  // namespace
}  // namespace mrrope::tok
