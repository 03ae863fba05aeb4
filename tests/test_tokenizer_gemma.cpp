// Gemma's SentencePiece settings as llama.cpp's converter writes them for
// Gemma 2/3 (tokenizer model "llama", add_space_prefix false, <bos> = 2,
// <eos> = 1) and as llama.cpp then tokenizes: no space before the first word
// or after a control token, <end_of_turn> found by its text as the end of a
// turn (so generation stops there). A small vocabulary in Gemma's layout,
// written to GGUF metadata and read back as a model file's would be. No test
// vectors from llama.cpp exist for Gemma's vocabulary (the shared fixtures
// hold llama-spm's, which test_tokenizer_fixtures.cpp checks with the same
// SPM code).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/tokenizer.h"

namespace mrrope::tok {
namespace {

Vocab gemma_like_vocab() {
  // Pieces with scores that merge "Hello", "user" and "model" into one token each.
  const std::vector<std::pair<std::string, float>> pieces = {
      {"<pad>", 0}, {"<eos>", 0}, {"<bos>", 0}, {"<unk>", 0}, {"<start_of_turn>", 0}, {"<end_of_turn>", 0},
      {"\n", -2},   {"\xE2\x96\x81", -2}, {"H", -9}, {"e", -9}, {"l", -9}, {"o", -9}, {"u", -9}, {"s", -9},
      {"r", -9},    {"m", -9},  {"d", -9},   {"He", -5},  {"ll", -4.5f}, {"llo", -4},  {"Hello", -1},
      {"\xE2\x96\x81Hello", -1}, {"us", -3}, {"er", -3.5f}, {"user", -1}, {"mo", -3}, {"de", -3.2f},
      {"del", -3.1f}, {"model", -1}};
  std::vector<std::string> tokens;
  std::vector<float> scores;
  std::vector<TokenType> types;
  for (const auto& [text, score] : pieces) {
    tokens.push_back(text);
    scores.push_back(score);
    types.push_back(tokens.size() <= 6 ? (text == "<unk>" ? TokenType::Unknown : TokenType::Control)
                                       : TokenType::Normal);
  }
  VocabSettings s;
  s.bos = 2, s.eos = 1, s.unk = 3, s.pad = 0;
  s.add_bos = true, s.add_eos = false, s.add_space_prefix = false;
  const Vocab built = build_vocab("llama", "default", tokens, scores, types, {}, s);
  // Through GGUF metadata, as a gemma3 file carries it.
  GgufWriter w;
  w.set_string("general.architecture", "gemma3");
  write_vocab_metadata(w, built);
  const GgufFile f = GgufFile::parse(w.to_bytes(), "gemma-vocab.gguf");
  return load_vocab(f);
}

TokenId id_of(const Vocab& v, const std::string& text) {
  for (size_t i = 0; i < v.tokens.size(); ++i)
    if (v.tokens[i] == text) return TokenId(i);
  ADD_FAILURE() << "no token " << text;
  return kNoToken;
}

TEST(TokenizerGemma, SettingsReadFromTheFile) {
  const Vocab v = gemma_like_vocab();
  EXPECT_EQ(v.model, VocabModel::Spm);
  EXPECT_FALSE(v.add_space_prefix);
  EXPECT_TRUE(v.add_bos);
  EXPECT_EQ(v.bos_id, 2);
  EXPECT_EQ(v.eos_id, 1);
  EXPECT_EQ(v.eot_id, id_of(v, "<end_of_turn>"));
  EXPECT_EQ(v.eog_ids(), (std::vector<TokenId>{1, id_of(v, "<end_of_turn>")}));
}

TEST(TokenizerGemma, NoPrefixSpaceBeforeTheFirstWordOrAfterAControlToken) {
  const Tokenizer tok(gemma_like_vocab());
  const Vocab& v = tok.vocab();
  EXPECT_EQ(tok.tokenize("Hello", true, false), (std::vector<TokenId>{2, id_of(v, "Hello")}));
  EXPECT_EQ(tok.tokenize(" Hello", false, false), (std::vector<TokenId>{id_of(v, "\xE2\x96\x81Hello")}));
  // The chat prompt of the gemma template.
  const std::string prompt = "<start_of_turn>user\nHello<end_of_turn>\n<start_of_turn>model\n";
  const TokenId sot = id_of(v, "<start_of_turn>"), eot = id_of(v, "<end_of_turn>"), nl = id_of(v, "\n");
  EXPECT_EQ(tok.tokenize(prompt, true, true), (std::vector<TokenId>{2, sot, id_of(v, "user"), nl, id_of(v, "Hello"),
                                                                    eot, nl, sot, id_of(v, "model"), nl}));
  // Without add_space_prefix nothing is stripped when detokenizing.
  EXPECT_EQ(tok.detokenize(tok.tokenize(" Hello", false, false)), " Hello");
  EXPECT_EQ(tok.detokenize(tok.tokenize("Hello", false, false)), "Hello");
}

}  // namespace
}  // namespace mrrope::tok
