// The RULER-style prompt generators: length near the target, the items they
// promise in the text, the expected values right, seeds reproducible, and
// haystacks long enough for 32K-token prompts from the bundled samples.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/engine.h"
#include "eval/eval_tasks.h"
#include "eval/haystack.h"
#include "eval/ruler_tasks.h"

namespace mrrope::test {
namespace {

const tok::Tokenizer& tokenizer() {
  static Engine e(std::string(MRROPE_SOURCE_DIR) + "/assets/ctxext-llama-17m-q8_0.gguf");
  return e.tokenizer();
}

// The bundled samples, as the CLI reads them (name order).
const std::string& samples() {
  static const std::string text = [] {
    namespace fs = std::filesystem;
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(std::string(MRROPE_SOURCE_DIR) + "/assets/samples"))
      if (e.path().extension() == ".txt") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    std::string all;
    for (const auto& f : files) {
      std::ifstream in(f);
      std::ostringstream ss;
      ss << in.rdbuf();
      all += ss.str() + "\n\n";
    }
    return all;
  }();
  return text;
}

std::string text_of(const RetrievalPrompt& p) { return tokenizer().detokenize(p.tokens); }

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

void expect_length(const RetrievalPrompt& p, int target) {
  EXPECT_LE(static_cast<int>(p.tokens.size()), target);
  EXPECT_GE(static_cast<int>(p.tokens.size()), target * 9 / 10);
}

TEST(RulerPrompts, MultiKeyAsksOneOfSeveralKeyedNeedles) {
  std::mt19937_64 rng(3);
  for (double depth : {0.0, 0.5, 1.0}) {
    const RetrievalPrompt p = make_multikey_prompt(tokenizer(), samples(), 600, depth, rng);
    expect_length(p, 600);
    const std::string text = text_of(p);
    ASSERT_EQ(p.answers.size(), 1u);
    const size_t q = text.find("\nWhat is the special magic number for ");
    ASSERT_NE(q, std::string::npos);
    // The asked needle and 3 distractors.
    EXPECT_EQ(count_of(text.substr(0, q), "The special magic number for "), 4u);
    const std::string word = text.substr(q + 38, text.find('?', q) - (q + 38));
    EXPECT_NE(text.find("The special magic number for " + word + " is " + p.answers[0] + "."), std::string::npos);
    EXPECT_NEAR(p.depth, depth, 0.05);
  }
}

TEST(RulerPrompts, MultiValueHidesEveryNumberOfOneKey) {
  std::mt19937_64 rng(5);
  const RetrievalPrompt p = make_multivalue_prompt(tokenizer(), samples(), 700, 0.3, rng);
  expect_length(p, 700);
  const std::string text = text_of(p);
  ASSERT_EQ(p.answers.size(), 4u);
  const size_t q = text.find("\nWhat are all the special magic numbers for ");
  ASSERT_NE(q, std::string::npos);
  const std::string word = text.substr(q + 44, text.find(' ', q + 44) - (q + 44));
  for (const auto& v : p.answers)
    EXPECT_NE(text.find("The special magic number for " + word + " is " + v + "."), std::string::npos) << v;
  EXPECT_EQ(p.answer, p.answers[0] + ", " + p.answers[1] + ", " + p.answers[2] + ", " + p.answers[3]);
}

TEST(RulerPrompts, MultiQueryAsksEveryKey) {
  std::mt19937_64 rng(6);
  const RetrievalPrompt p = make_multiquery_prompt(tokenizer(), samples(), 700, 0.7, rng);
  expect_length(p, 700);
  const std::string text = text_of(p);
  ASSERT_EQ(p.answers.size(), 4u);
  const std::string question = text.substr(text.find("\nWhat are the special magic numbers for "));
  for (const auto& v : p.answers) {
    const size_t at = text.find(" is " + v + ".");
    ASSERT_NE(at, std::string::npos) << v;
    const size_t word_at = text.rfind("for ", at) + 4;
    EXPECT_NE(question.find(text.substr(word_at, at - word_at)), std::string::npos);  // its key is asked
  }
}

TEST(RulerPrompts, VariableTrackingChainsInOrder) {
  std::mt19937_64 rng(7);
  const RetrievalPrompt p = make_variable_tracking_prompt(tokenizer(), PasskeyTemplate{}.filler, 500, 0.2, rng);
  expect_length(p, 500);
  const std::string text = text_of(p);
  ASSERT_EQ(p.answers.size(), 5u);
  const size_t first = text.find("VAR " + p.answers[0] + " = ");
  ASSERT_NE(first, std::string::npos);
  size_t prev = first;
  for (size_t i = 1; i < p.answers.size(); ++i) {
    const size_t at = text.find("VAR " + p.answers[i] + " = VAR " + p.answers[i - 1] + ".");
    ASSERT_NE(at, std::string::npos) << i;
    EXPECT_GT(at, prev);  // each link after the one it reads
    prev = at;
  }
  const std::string value = text.substr(first + 12, 5);
  EXPECT_NE(text.find("assigned the value " + value + " in the text above"), std::string::npos);
}

TEST(RulerPrompts, CommonWordsAreTheMostFrequentOfTheList) {
  for (int target : {400, 2000}) {
    std::mt19937_64 rng(8);
    const RetrievalPrompt p = make_common_words_prompt(tokenizer(), samples(), target, rng);
    expect_length(p, target);
    const std::string text = text_of(p);
    std::map<std::string, int> count;
    std::istringstream items(text.substr(0, text.find("\nQuestion:")));
    std::string token;
    while (items >> token)
      if (token.back() == '.' && std::isdigit(static_cast<unsigned char>(token[0]))) {
        std::string word;
        items >> word;
        ++count[word];
      }
    ASSERT_EQ(p.answers.size(), 5u);
    int least_common = 1 << 30, most_other = 0;
    for (const auto& [w, n] : count) {
      if (std::find(p.answers.begin(), p.answers.end(), w) != p.answers.end()) least_common = std::min(least_common, n);
      else most_other = std::max(most_other, n);
    }
    EXPECT_GT(least_common, most_other) << target;
  }
}

TEST(RulerPrompts, DocQaAnswerIsASpanAmongDistractorFacts) {
  std::mt19937_64 rng(9);
  for (int i = 0; i < 6; ++i) {  // every relation comes up
    const RetrievalPrompt p = make_doc_qa_prompt(tokenizer(), samples(), 600, 0.5, rng);
    expect_length(p, 600);
    const std::string text = text_of(p);
    ASSERT_EQ(p.answers.size(), 1u);
    const size_t q = text.find("\nQuestion: ");
    ASSERT_NE(q, std::string::npos);
    const std::string prefix = text.substr(text.find("\nAnswer: ", q) + 9);
    // The answer's prefix completed with the value is a sentence of the document, once.
    EXPECT_EQ(count_of(text.substr(0, q), prefix + " " + p.answers[0] + "."), 1u) << prefix;
    // Four other people's facts of the same kind distract: the fact's words
    // around the name ("lives in the town of", "The profession of") appear 5 times.
    const std::string fact_words = prefix.find(" lives in the town of") != std::string::npos
                                       ? " lives in the town of "
                                       : prefix.substr(0, prefix.find(" of ") + 4);
    EXPECT_EQ(count_of(text.substr(0, q), fact_words), 5u) << fact_words;
  }
}

TEST(RulerPrompts, EveryTaskIsSeededAndIdenticalForTheSameSeed) {
  SweepConfig c;
  const std::string hay = haystack_of_length(samples(), 8000, 1);
  for (const auto& task : eval_tasks()) {
    std::mt19937_64 a(trial_seed(1, std::string(task.name), 512, 0.5, 0)), b(trial_seed(1, std::string(task.name), 512, 0.5, 0));
    const RetrievalPrompt pa = make_task_prompt(task, tokenizer(), c, hay, 512, 0.5, a);
    const RetrievalPrompt pb = make_task_prompt(task, tokenizer(), c, hay, 512, 0.5, b);
    EXPECT_EQ(pa.tokens, pb.tokens) << task.name;
    EXPECT_EQ(pa.answers, pb.answers) << task.name;
    EXPECT_FALSE(pa.answers.empty()) << task.name;
    std::mt19937_64 other(trial_seed(1, std::string(task.name), 512, 0.5, 1));
    EXPECT_NE(make_task_prompt(task, tokenizer(), c, hay, 512, 0.5, other).tokens, pa.tokens) << task.name;
  }
}

TEST(RulerPrompts, HaystackRepeatsParagraphsToAnyLength) {
  const std::string text = "First paragraph.\n\nSecond one.\n\nThird one here.";
  const std::string hay = haystack_of_length(text, 5000, 1);
  EXPECT_GE(hay.size(), 5000u);
  EXPECT_EQ(hay.rfind(text, 0), 0u);  // the text as written comes first
  EXPECT_EQ(hay, haystack_of_length(text, 5000, 1));
  EXPECT_NE(hay, haystack_of_length(text, 5000, 2));  // another seed, another order
  EXPECT_EQ(count_of(hay, "Second one."), count_of(hay, "Third one here."));  // whole paragraphs, equally often
  EXPECT_THROW(haystack_of_length(" \n\n ", 100, 1), std::invalid_argument);
}

TEST(RulerPrompts, ThirtyTwoKNeedleFromTheBundledSamples) {
  // Was "the haystack text is too short for a 32768-token needle prompt".
  const std::string hay = haystack_of_length(samples(), 32768 * 8, 1);
  std::mt19937_64 rng(1);
  const RetrievalPrompt p = make_needle_prompt(tokenizer(), hay, 32768, 0.5, rng);
  expect_length(p, 32768);
}

}  // namespace
}  // namespace mrrope::test
