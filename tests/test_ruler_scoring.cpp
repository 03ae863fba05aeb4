// Scoring of the RULER-style tasks: a perfect answer scores 1, a wrong one 0,
// partial recall in between, and the normalization's edge cases; the
// effective length with fractional scores, overall and per task.
#include <gtest/gtest.h>

#include "eval/answer_scoring.h"
#include "eval/effective_context.h"
#include "eval/report.h"
#include "test_eval_rows.h"

namespace mrrope::test {
namespace {

using S = AnswerScoring;

TEST(RulerScoring, RecallCountsEachExpectedValueFound) {
  const std::vector<std::string> v = {"1234567", "7654321", "5550001", "9990002"};
  EXPECT_EQ(score_answer(S::AllValuesRecall, v, " 1234567, 7654321, 5550001 and 9990002."), 1.0);
  EXPECT_EQ(score_answer(S::AllValuesRecall, v, " 9990002 5550001\n7654321 1234567"), 1.0);  // any order
  EXPECT_EQ(score_answer(S::AllValuesRecall, v, " 1234567 and 7654321"), 0.5);
  EXPECT_EQ(score_answer(S::AllValuesRecall, v, " 1111111"), 0.0);
  EXPECT_EQ(score_answer(S::AllValuesRecall, v, ""), 0.0);
  // Whole words only: a prefix of a longer number, or a word inside another, is not found.
  EXPECT_EQ(score_answer(S::AllValuesRecall, {"12345"}, " 123456"), 0.0);
  EXPECT_EQ(score_answer(S::AllValuesRecall, {"art"}, " party"), 0.0);
  // Case does not matter (variable names, words).
  EXPECT_EQ(score_answer(S::AllValuesRecall, {"QWERT", "ASDFG"}, " qwert, Asdfg."), 1.0);
  EXPECT_EQ(score_answer(S::AllValuesRecall, {}, " anything"), 0.0);
}

TEST(RulerScoring, ExactDigitsReadsTheLeadingNumber) {
  EXPECT_EQ(score_answer(S::ExactDigits, {"12345"}, " 12345. Remember"), 1.0);
  EXPECT_EQ(score_answer(S::ExactDigits, {"12345"}, " 123456"), 0.0);
  EXPECT_EQ(score_answer(S::ExactDigits, {"12345"}, " the 12345"), 0.0);
}

TEST(RulerScoring, DocQaIsNormalizedExactMatchOfTheFirstSentence) {
  EXPECT_EQ(score_answer(S::ExactSpan, {"Port Avery"}, " Port Avery."), 1.0);
  EXPECT_EQ(score_answer(S::ExactSpan, {"Port Avery"}, " port  avery!\nQuestion: next"), 1.0);
  EXPECT_EQ(score_answer(S::ExactSpan, {"olive green"}, " the Olive-Green. He also"), 1.0);  // article, punctuation
  EXPECT_EQ(score_answer(S::ExactSpan, {"Harwick"}, " Harwick, a small town."), 0.0);  // more than the span
  EXPECT_EQ(score_answer(S::ExactSpan, {"Harwick"}, " Elmsford."), 0.0);                // a distractor's value
  EXPECT_EQ(score_answer(S::ExactSpan, {"Harwick"}, " Harwick and Elmsford."), 0.0);   // listing candidates
  EXPECT_EQ(score_answer(S::ExactSpan, {"Harwick"}, ""), 0.0);
  EXPECT_EQ(score_answer(S::ExactSpan, {"a"}, " a"), 0.0);  // nothing left after normalization never matches
}

TEST(RulerScoring, Normalization) {
  EXPECT_EQ(normalize_answer("  The  Quick,  brown FOX! "), "quick brown fox");
  EXPECT_EQ(normalize_answer("an apple a day"), "apple day");
  EXPECT_EQ(normalize_answer("Theory"), "theory");  // "the" only as a word
  EXPECT_EQ(first_sentence(" St. Ives"), " St");
  EXPECT_EQ(first_sentence(" 3.5 miles. Then"), " 3.5 miles");
  EXPECT_EQ(first_sentence(" no end"), " no end");
}

TEST(RulerEffectiveContext, MeanScoreAgainstTheThresholdOverallAndPerTask) {
  std::vector<RetrievalRow> rows;
  auto add = [&](const char* task, int length, double score) {
    RetrievalRow r = eval_row("yarn", length, score >= 1);
    r.task = task;
    r.score = score;
    rows.push_back(r);
  };
  add("niah-multivalue", 512, 1.0), add("niah-multivalue", 512, 0.75);  // 87.5%
  add("niah-multivalue", 1024, 0.75), add("niah-multivalue", 1024, 0.75);  // 75%
  add("doc-qa", 512, 1), add("doc-qa", 512, 1);
  add("doc-qa", 1024, 1), add("doc-qa", 1024, 1);
  const auto e = effective_context(rows, {}, 512, 0.85);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_DOUBLE_EQ(e[0].accuracy.at(512), 0.9375);
  EXPECT_DOUBLE_EQ(e[0].accuracy.at(1024), 0.875);
  EXPECT_EQ(e[0].length, 1024);  // the mean over the tasks holds at 1024
  EXPECT_EQ(e[0].length_by_task.at("niah-multivalue"), 512);
  EXPECT_EQ(e[0].length_by_task.at("doc-qa"), 1024);
  // The summary: each task's mean score, and a column per task in the task table's order.
  RunInfo info;
  info.native_length = 512;
  const std::string md = markdown_report(rows, {}, e, info);
  EXPECT_NE(md.find("NIAH multi-value score (recall of the expected values)"), std::string::npos) << md;
  EXPECT_NE(md.find("| yarn | 88% | 75% |"), std::string::npos) << md;
  EXPECT_NE(md.find("Document QA exact match (normalized span)"), std::string::npos) << md;
  EXPECT_NE(md.find("| method | effective context | niah-multivalue | doc-qa |\n|---|---|---|---|\n"
                    "| yarn | 1024 | 512 | 1024 |"),
            std::string::npos)
      << md;
}

}  // namespace
}  // namespace mrrope::test
