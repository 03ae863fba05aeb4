// Evaluation scoring: exact digits read from the continuation, and the
// effective context length from accuracy and perplexity per length.
#include <gtest/gtest.h>

#include "eval/effective_context.h"
#include "eval/retrieval_task.h"
#include "test_eval_rows.h"

namespace mrrope::test {
namespace {

TEST(EvalScoring, LeadingDigitsAreTheAnswer) {
  EXPECT_EQ(leading_digits(" 71432. Remember"), "71432");
  EXPECT_EQ(leading_digits("71432"), "71432");
  EXPECT_EQ(leading_digits(" the key"), "");
  EXPECT_EQ(leading_digits("  12a34"), "12");
  EXPECT_EQ(leading_digits(""), "");
  // Exact match: a prefix or a longer number is wrong.
  EXPECT_NE(leading_digits(" 7143"), "71432");
  EXPECT_NE(leading_digits(" 714321"), "71432");
}

TEST(EvalEffectiveContext, LongestLengthWhereEverythingStillHolds) {
  std::vector<RetrievalRow> rr;
  for (int i = 0; i < 10; ++i) {
    rr.push_back(eval_row("yarn", 512, true));
    rr.push_back(eval_row("yarn", 1024, true));
    rr.push_back(eval_row("yarn", 2048, i < 9));  // 90%
    rr.push_back(eval_row("yarn", 4096, i < 5));  // 50%
    rr.push_back(eval_row("none", 512, true));
    rr.push_back(eval_row("none", 1024, i < 3));
  }
  const std::vector<PerplexityRow> pr = {eval_ppl("yarn", 512, 20), eval_ppl("yarn", 1024, 21),
                                         eval_ppl("yarn", 2048, 23), eval_ppl("yarn", 4096, 40),
                                         eval_ppl("none", 512, 20),  eval_ppl("none", 1024, 25)};
  const auto e = effective_context(rr, pr, 512, 0.85, 0.10);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].method, RopeMethod::Yarn);
  EXPECT_EQ(e[0].length, 1024);  // 2048 has 90% recall but perplexity 23 > 20 * 1.1
  EXPECT_EQ(e[1].length, 512);
  EXPECT_DOUBLE_EQ(e[0].accuracy.at(2048), 0.9);
  EXPECT_EQ(effective_context(rr, pr, 512, 0.85, 0.20)[0].length, 2048);  // looser margin
  EXPECT_EQ(effective_context(rr, pr, 512, 0.95, 0.20)[0].length, 1024);  // stricter threshold
  EXPECT_EQ(effective_context(rr, {}, 512, 0.85, 0.10)[0].length, 2048);  // retrieval only
  EXPECT_EQ(effective_context({}, pr, 512, 0.85, 0.10)[0].length, 1024);  // perplexity only
  // Not even the shortest length passes: 0.
  EXPECT_EQ(effective_context({eval_row("ntk", 512, false)}, {}, 512)[0].length, 0);
}

}  // namespace
}  // namespace mrrope::test
