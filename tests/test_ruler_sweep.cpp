// The RULER-style tasks end to end through the sweep on the device with the
// bundled model: every task gives rows with scores in range, prompts that are
// the same for every method, a short text stretched into a long enough
// haystack, and reports that carry the new tasks.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/engine.h"
#include "eval/effective_context.h"
#include "eval/eval_tasks.h"
#include "eval/report.h"
#include "eval/sweep.h"
#include "support/gpu_test.h"

namespace mrrope::test {
namespace {

const std::string kModel = std::string(MRROPE_BUNDLED_MODEL);

class RulerSweep : public GpuTest {};

std::vector<std::string> split_expected(const std::string& joined) {
  std::vector<std::string> out;
  for (size_t begin = 0; begin <= joined.size();) {
    const size_t end = std::min(joined.find(", ", begin), joined.size());
    out.push_back(joined.substr(begin, end - begin));
    begin = end + 2;
  }
  return out;
}

// Two tasks (a recall-scored and the exact-match one) at their shortest
// length with a short answer budget keep this to a few seconds on lavapipe;
// the generators and scorers of every task have their own tests.
TEST_F(RulerSweep, RulerTasksRunAndScoreOnTheDevice) {
  Engine e(kModel);
  SweepConfig c;
  c.methods = {RopeMethod::None, RopeMethod::Yarn};  // yarn at S = 1 is none: its rows are copies
  c.lengths = {kMinDocQaTokens};
  c.depths = {0.5};
  c.trials = 1;
  c.max_new_tokens = 8;
  c.answer_token_limit = 8;
  const std::vector<std::string> tasks = {"niah-multivalue", "doc-qa"};
  // About 600 characters: shorter than one prompt, so the sweep must repeat it.
  for (int i = 0; i < 6; ++i)
    c.haystack += "The " + std::to_string(i) + "th keeper walked along the shore at dawn. Gulls circled over the "
                  "nets and the boats.\n\n";
  std::vector<RetrievalRow> all;
  for (const std::string& name : tasks) {
    const EvalTaskInfo& task = eval_task(name);
    c.task = name;
    const auto rows = run_retrieval_sweep(e, gpu(), c);
    ASSERT_EQ(rows.size(), 2u) << task.name;
    for (const auto& r : rows) {
      EXPECT_EQ(r.task, task.name);
      EXPECT_GE(r.score, 0.0);
      EXPECT_LE(r.score, 1.0);
      EXPECT_EQ(r.correct, r.score >= 1);
      EXPECT_FALSE(r.expected.empty());
      EXPECT_LE(r.prompt_tokens, c.lengths[0]);
      EXPECT_GE(r.prompt_tokens, c.lengths[0] * 9 / 10) << task.name;
    }
    // The same prompt for both methods (same seed and values).
    EXPECT_EQ(rows[0].seed, rows[1].seed);
    EXPECT_EQ(rows[0].expected, rows[1].expected);
    EXPECT_EQ(rows[0].score, score_answer(task.scoring, rows[0].generated.empty() ? std::vector<std::string>{}
                                                                                   : split_expected(rows[0].expected),
                                          rows[0].generated));  // the row's score is the scorer's
    all.insert(all.end(), rows.begin(), rows.end());
  }
  const std::string path = testing::TempDir() + "/ruler_results.csv";
  write_results_csv(path, all, {}, RunInfo{});
  std::ifstream in(path);
  std::stringstream csv;
  csv << in.rdbuf();
  for (const auto& task : tasks) EXPECT_NE(csv.str().find("\n" + task + ","), std::string::npos) << task;
  const auto eff = effective_context(all, {}, 512);
  ASSERT_EQ(eff.size(), 2u);
  EXPECT_EQ(eff[0].length_by_task.size(), 2u);
}

}  // namespace
}  // namespace mrrope::test
