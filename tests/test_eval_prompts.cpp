// Evaluation prompts: token counts near the target, the needle at the requested
// depth (and at a sentence boundary for NIAH), reproducible seeds.
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "eval/retrieval_task.h"
#include "eval/sweep.h"

namespace mrrope::test {
namespace {

const tok::Tokenizer& tokenizer() {
  static Engine e(std::string(MRROPE_BUNDLED_MODEL));
  return e.tokenizer();
}

TEST(EvalPrompts, PasskeyHitsTheTargetLengthAndDepth) {
  std::mt19937_64 rng(3);
  for (int target : {96, 256, 1000, 4096}) {
    for (double depth : {0.0, 0.25, 0.5, 1.0}) {
      const RetrievalPrompt p = make_passkey_prompt(tokenizer(), target, depth, rng);
      EXPECT_LE(static_cast<int>(p.tokens.size()), target);
      EXPECT_GE(static_cast<int>(p.tokens.size()), target - 8) << "target " << target;  // within a sentence
      EXPECT_EQ(p.answer.size(), 5u);
      const std::string text = tokenizer().detokenize(p.tokens);
      EXPECT_EQ(text.find(PasskeyTemplate{}.intro), text.find("There is"));
      const std::string needle = "The pass key is " + p.answer + ". Remember it. " + p.answer + " is the pass key.";
      const size_t at = text.find(needle);
      ASSERT_NE(at, std::string::npos) << text;
      // Depth: the filler before the needle over all the filler (intro to question, less the needle).
      const size_t begin = text.find(PasskeyTemplate{}.intro) + PasskeyTemplate{}.intro.size();
      const size_t end = text.find("\nWhat is the pass key? The pass key is");
      ASSERT_NE(end, std::string::npos);
      EXPECT_EQ(end + std::string("\nWhat is the pass key? The pass key is").size(), text.size());
      const double where = double(at - begin) / double(end - begin - needle.size() - 1);
      EXPECT_NEAR(where, depth, target >= 256 ? 0.05 : 0.2) << "target " << target << " depth " << depth;
      EXPECT_NEAR(p.depth, depth, target >= 256 ? 0.02 : 0.2);
    }
  }
  EXPECT_THROW(make_passkey_prompt(tokenizer(), 16, 0.5, rng), std::invalid_argument);
}

TEST(EvalPrompts, NeedleSitsAtASentenceBoundaryNearTheDepth) {
  std::string hay;
  for (int i = 0; i < 400; ++i) hay += "Sentence number " + std::to_string(i) + " talks\nabout the weather.  ";
  std::mt19937_64 rng(4);
  for (double depth : {0.0, 0.3, 0.5, 0.7, 1.0}) {
    const RetrievalPrompt p = make_needle_prompt(tokenizer(), hay, 600, depth, rng);
    EXPECT_LE(p.tokens.size(), 600u);
    // The haystack is cut at a sentence end: short of the target by less than one sentence.
    const size_t sentence = tokenizer().tokenize("Sentence number 123 talks\nabout the weather.  ", false, false).size();
    EXPECT_GT(p.tokens.size() + sentence, 600u);
    EXPECT_EQ(p.answer.size(), 7u);
    EXPECT_NEAR(p.depth, depth, 0.03);
    const std::string text = tokenizer().detokenize(p.tokens);
    const size_t at = text.find("The special magic number for ");
    ASSERT_NE(at, std::string::npos);
    EXPECT_NE(text.find(" is " + p.answer + "."), std::string::npos);
    if (at > 0) EXPECT_EQ(text.substr(at - 2, 2), ". ") << "depth " << depth;  // after a sentence end
    const size_t q = text.find("\nWhat is the special magic number for ");
    ASSERT_NE(q, std::string::npos);
    // The word of the question is the needle's.
    const std::string word = text.substr(at + 29, text.find(' ', at + 29) - (at + 29));
    EXPECT_NE(text.find("The special magic number for " + word + " is", q), std::string::npos);
  }
  EXPECT_THROW(make_needle_prompt(tokenizer(), "Too short.", 600, 0.5, rng), std::invalid_argument);
}

TEST(EvalPrompts, SeedsAreReproducibleAndSharedByMethods) {
  const uint64_t s = trial_seed(1, "passkey", 512, 0.5, 2);
  EXPECT_EQ(s, trial_seed(1, "passkey", 512, 0.5, 2));
  EXPECT_NE(s, trial_seed(1, "passkey", 512, 0.5, 3));
  EXPECT_NE(s, trial_seed(2, "passkey", 512, 0.5, 2));
  EXPECT_NE(s, trial_seed(1, "niah", 512, 0.5, 2));
  std::mt19937_64 a(s), b(s);
  EXPECT_EQ(make_passkey_prompt(tokenizer(), 300, 0.5, a).tokens, make_passkey_prompt(tokenizer(), 300, 0.5, b).tokens);
}

TEST(EvalPrompts, CustomTemplatesAreUsed) {
  PasskeyTemplate t;
  t.intro = "Remember the code.";
  t.filler = "Blah blah. Ho hum.";
  t.needle = "The code is {N}.";
  t.question = "\nThe code is";
  t.digits = 3;
  std::mt19937_64 rng(9);
  const RetrievalPrompt p = make_passkey_prompt(tokenizer(), 100, 0.5, rng, t);
  const std::string text = tokenizer().detokenize(p.tokens);
  EXPECT_EQ(p.answer.size(), 3u);
  EXPECT_NE(text.find("The code is " + p.answer + "."), std::string::npos) << text;
  EXPECT_NE(text.find("Ho hum."), std::string::npos);
}

}  // namespace
}  // namespace mrrope::test
