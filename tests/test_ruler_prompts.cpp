// The RULER-style prompt generators: length near the target, the items they
// promise in the text, the expected values right, seeds reproducible, and
// haystacks long enough for 32K- and 128K-token prompts of every task from the
// bundled texts, as the sweep builds them (no model run).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/engine.h"
#include "eval/eval_tasks.h"
#include "eval/haystack.h"
#include "eval/prompt_building.h"
#include "eval/ruler_tasks.h"
#include "eval/sample_text.h"

namespace mrrope::test {
namespace {

const tok::Tokenizer& tokenizer() {
  static Engine e(std::string(MRROPE_BUNDLED_MODEL));
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

// The haystack's characters as the prompts see them (whitespace runs collapsed).
size_t prompt_text_size(const std::string& hay) { return prompt::collapse_spaces(hay).size(); }

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
  EXPECT_GE(prompt_text_size(hay), 5000u);
  EXPECT_EQ(hay.rfind(text, 0), 0u);  // the text as written comes first
  EXPECT_EQ(hay, haystack_of_length(text, 5000, 1));
  EXPECT_NE(hay, haystack_of_length(text, 5000, 2));  // another seed, another order
  EXPECT_EQ(count_of(hay, "Second one."), count_of(hay, "Third one here."));  // whole paragraphs, equally often
  EXPECT_THROW(haystack_of_length(" \n\n ", 100, 1), std::invalid_argument);
}

TEST(RulerPrompts, DocumentsSplitAtFormFeeds) {
  EXPECT_EQ(documents_of("one.\f\ntwo.\f\n \n\fthree\n"), (std::vector<std::string>{"one.", "two.", "three\n"}));
  EXPECT_EQ(documents_of("no separator\n\nat all"), (std::vector<std::string>{"no separator\n\nat all"}));
  EXPECT_TRUE(documents_of(" \f\n\f").empty());
  EXPECT_EQ(join_documents({"a.", "b."}), "a.\f\nb.");
  EXPECT_EQ(documents_of(join_documents({"a.\n\nx.", "b."})), (std::vector<std::string>{"a.\n\nx.", "b."}));
}

// Several documents: the text as written, then the documents again whole (a
// document's paragraphs stay together and in order), in a seeded order.
TEST(RulerPrompts, HaystackRepeatsWholeDocuments) {
  const std::string text = join_documents({"Alpha one.\n\nAlpha two.", "Beta one.\n\nBeta two.", "Gamma one."});
  const std::string hay = haystack_of_length(text, 3000, 1);
  EXPECT_GE(prompt_text_size(hay), 3000u);
  EXPECT_EQ(hay.rfind(text, 0), 0u);
  EXPECT_EQ(count_of(hay, "Alpha one.\n\nAlpha two."), count_of(hay, "Gamma one."));
  EXPECT_EQ(count_of(hay, "Alpha one."), count_of(hay, "Alpha one.\n\nAlpha two."));  // never split
  EXPECT_EQ(hay, haystack_of_length(text, 3000, 1));
  EXPECT_NE(hay, haystack_of_length(text, 3000, 2));
  // Counted as the prompts see it: whitespace runs collapsed.
  const std::string spaced = "Word.          \n\n\n\n          Other word.";
  EXPECT_GE(prompt_text_size(haystack_of_length(spaced, 400, 1)), 400u);
}

// The bundled texts: the samples first (as the published results used them),
// then the held-out documents; long enough for 32K tokens without repeats.
TEST(RulerPrompts, BundledTextsAreSamplesThenHeldOutDocuments) {
  const std::vector<std::string> docs = bundled_eval_documents();
  ASSERT_GT(docs.size(), 50u);
  EXPECT_EQ(docs[0].rfind("ABASEMENT, n.", 0), 0u);  // devils_dictionary_a-c.txt, by name
  EXPECT_EQ(join_documents(docs), bundled_eval_text());
  EXPECT_EQ(bundled_eval_text().rfind(samples().substr(0, 1000), 0), 0u);
  EXPECT_GT(tokenizer().tokenize(bundled_eval_text(), false, false).size(), 100000u);
}

// A prompt of `length` tokens at `depth` for each task, with the haystack the
// sweep gives it: at most `length` tokens, at least 90% of it (the filler
// tasks within a sentence), the item asked about where it was asked for, and
// the answer in the text.
void expect_task_prompt_at(const EvalTaskInfo& task, int length, double depth) {
  SCOPED_TRACE(std::string(task.name) + " at " + std::to_string(length) + " tokens, depth " + std::to_string(depth));
  SweepConfig c;
  c.haystack = bundled_eval_text();
  const std::string hay = task_haystack(task, c, length, 1);
  std::mt19937_64 rng(trial_seed(1, std::string(task.name), length, depth, 0));
  const RetrievalPrompt p = make_task_prompt(task, tokenizer(), c, hay, length, depth, rng);
  EXPECT_LE(static_cast<int>(p.tokens.size()), length);
  EXPECT_GE(static_cast<int>(p.tokens.size()), length - length / 100);
  ASSERT_FALSE(p.answers.empty());
  const std::string text = text_of(p);
  // Where the asked item starts, as a share of the prompt (the intro and the
  // question are a few dozen tokens of thousands).
  std::string item;
  if (task.name == "passkey") item = "The pass key is " + p.answers[0] + ".";
  else if (task.name == "variable-tracking") item = "VAR " + p.answers[0] + " = ";
  else if (task.name == "doc-qa") item = text.substr(text.find("\nAnswer: ") + 9) + " " + p.answers[0] + ".";
  else if (task.name != "common-words") item = " is " + p.answers[0] + ".";
  if (!item.empty()) {
    const size_t at = text.find(item);
    ASSERT_NE(at, std::string::npos) << item;
    EXPECT_EQ(text.find(item, at + 1), std::string::npos) << item << " twice";
    EXPECT_NEAR(static_cast<double>(at) / text.size(), depth, 0.01);
    EXPECT_NEAR(p.depth, depth, 0.01);
  }
  for (const auto& v : p.answers) EXPECT_NE(text.find(v), std::string::npos) << v;
  if (task.name == "common-words") {
    // Each common word appears more often than any other word of the list.
    std::map<std::string, int> count;
    std::istringstream items(text.substr(0, text.find("\nQuestion:")));
    std::string token, word;
    while (items >> token)
      if (token.back() == '.' && std::isdigit(static_cast<unsigned char>(token[0])) && items >> word) ++count[word];
    int least_common = 1 << 30, most_other = 0;
    for (const auto& [w, n] : count)
      if (std::find(p.answers.begin(), p.answers.end(), w) != p.answers.end()) least_common = std::min(least_common, n);
      else most_other = std::max(most_other, n);
    EXPECT_GT(least_common, most_other);
  }
}

// Was "the haystack text is too short" beyond the samples' 30K tokens.
TEST(RulerPrompts, EveryTaskAt32KTokens) {
  const double depths[] = {0.0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.0};
  for (size_t i = 0; i < eval_tasks().size(); ++i) expect_task_prompt_at(eval_tasks()[i], 32768, depths[i % 8]);
}

TEST(RulerPrompts, EveryTaskAt128KTokens) {
  const double depths[] = {1.0, 0.9, 0.75, 0.6, 0.45, 0.3, 0.15, 0.0};
  for (size_t i = 0; i < eval_tasks().size(); ++i) expect_task_prompt_at(eval_tasks()[i], 131072, depths[i % 8]);
}

// Was "the haystack text is too short for a 200-token niah-multikey prompt"
// (and niah, multi-value, multi-query, doc-qa) at short lengths, where whole
// sentences of the text (a poem of the Devil's Dictionary) could not fill 90%
// of the length, and "the common words alone exceed 320 tokens" for some
// seeds: every task builds at every length from its minimum, at every depth.
TEST(RulerPrompts, EveryTaskBuildsFromItsShortestLength) {
  SweepConfig c;
  c.haystack = bundled_eval_text();
  for (const auto& task : eval_tasks()) {
    const int shortest = task_min_tokens(task, tokenizer(), c);
    for (int length : {shortest, shortest + 40, std::max(shortest, 200) + 56, 512}) {
      const std::string hay = task_haystack(task, c, length, 1);
      for (double depth : {0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0})
        for (int trial = 0; trial < 3; ++trial) {
          std::mt19937_64 rng(trial_seed(1, std::string(task.name), length, depth, trial));
          RetrievalPrompt p;
          ASSERT_NO_THROW(p = make_task_prompt(task, tokenizer(), c, hay, length, depth, rng))
              << task.name << " at " << length << ", depth " << depth << ", trial " << trial;
          EXPECT_LE(static_cast<int>(p.tokens.size()), length) << task.name;
          EXPECT_GE(static_cast<int>(p.tokens.size()), length * 9 / 10) << task.name << " at " << length;
        }
    }
  }
}

// Where whole sentences cannot fill the length, the haystack ends at a word
// instead (never inside one), and the needles still sit at sentence ends.
TEST(RulerPrompts, LongSentencesAreCutAtAWord) {
  std::string hay = "Short one. ";  // then one "sentence" of about 1000 tokens
  for (int i = 0; i < 120; ++i) hay += "and the wind went over the hill, ";
  std::mt19937_64 rng(2);
  const RetrievalPrompt p = make_multikey_prompt(tokenizer(), hay, 300, 0.5, rng);
  expect_length(p, 300);  // whole sentences would give "Short one." and the needles
  std::string text = text_of(p).substr(0, text_of(p).find("\nWhat is"));
  for (size_t at; (at = text.find("The special magic number for ")) != std::string::npos;)
    text.erase(at, text.find('.', at) + 1 - at);  // the 4 needles out
  std::istringstream words(text);
  const std::set<std::string> whole = {"Short", "one.", "and", "the", "wind", "went", "over", "hill,"};
  for (std::string w; words >> w;) EXPECT_TRUE(whole.count(w)) << "'" << w << "'";
  EXPECT_EQ(prompt::cut_text("one two three. four five", 11, false), "one two");
  EXPECT_EQ(prompt::cut_text("one two three. four five", 7, false), "one two");
  EXPECT_EQ(prompt::cut_text("one two three. four five", 20, true), "one two three.");
  EXPECT_EQ(prompt::cut_text("one two three. four five", 24, false), "one two three. four five");
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
