// A tiny real evaluation sweep on the device with the bundled model: result
// rows exist with values in range, reusing the KV cache for the shared prompt
// prefix gives the same answers with fewer prefilled tokens, and cancellation
// keeps finished runs.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "engine/engine.h"
#include "eval/sweep.h"
#include "support/gpu_test.h"

namespace mrrope::test {
namespace {

const std::string kModel = std::string(MRROPE_BUNDLED_MODEL);

class EvalSweep : public GpuTest {};

// `none` alone at one length, the needle at half depth.
SweepConfig none_at_half_depth(int length, int trials) {
  SweepConfig c;
  c.methods = {RopeMethod::None};
  c.lengths = {length};
  c.depths = {0.5};
  c.trials = trials;
  return c;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST_F(EvalSweep, TinyPasskeySweepOnTheDevice) {
  Engine e(kModel);
  SweepConfig c;
  c.methods = {RopeMethod::None, RopeMethod::Yarn};
  c.lengths = {256, 384};
  c.depths = {0.0, 0.5, 1.0};
  c.trials = 1;
  int calls = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const auto rows = run_retrieval_sweep(e, gpu(), c, [&](const SweepProgress& p) {
    ++calls;
    EXPECT_EQ(p.total, 12);
    EXPECT_LE(p.done, 12);
    EXPECT_GE(p.run_fraction, 0.0);
    EXPECT_LE(p.run_fraction, 1.0);
  });
  std::printf("tiny passkey sweep (12 runs): %.1f s\n", seconds_since(t0));
  ASSERT_EQ(rows.size(), 12u);
  EXPECT_GE(calls, 12);
  for (const auto& r : rows) {
    EXPECT_EQ(r.task, "passkey");
    EXPECT_LE(r.prompt_tokens, r.length);
    EXPECT_GE(r.prompt_tokens, r.length - 8);
    EXPECT_GE(r.cached_tokens, 0);
    EXPECT_LE(r.cached_tokens, r.prompt_tokens);
    EXPECT_EQ(r.expected.size(), 5u);
    EXPECT_GE(r.actual_depth, 0.0);
    EXPECT_LE(r.actual_depth, 1.0);
    EXPECT_DOUBLE_EQ(r.rope.scale, 1.0);  // below the native 512 tokens: auto S = 1
    // yarn at S = 1 has none's schedule: its rows are copied (seconds 0), not rerun.
    if (r.rope.method == RopeMethod::None) EXPECT_GT(r.seconds, 0.0);
    if (r.rope.method == RopeMethod::Yarn) EXPECT_EQ(r.seconds, 0.0);
    // Within the native context the model finds the key under plain RoPE.
    if (r.rope.method == RopeMethod::None) EXPECT_TRUE(r.correct) << "generated '" << r.generated << "' for " << r.expected;
  }
  // The same seeds give every method the same prompts.
  EXPECT_EQ(rows[0].seed, rows[3].seed);
  EXPECT_EQ(rows[0].expected, rows[3].expected);
  EXPECT_EQ(rows[0].generated, rows[3].generated);
}

TEST_F(EvalSweep, PrefixReuseGivesIdenticalAnswersWithLessPrefill) {
  Engine e(kModel);
  SweepConfig c;
  c.methods = {RopeMethod::Yarn};
  c.lengths = {300};
  c.depths = {1.0};  // the needle at the end: trials share all the filler before it
  c.trials = 3;
  c.scale = 2;
  auto t0 = std::chrono::steady_clock::now();
  const auto reused = run_retrieval_sweep(e, gpu(), c);
  const double reuse_s = seconds_since(t0);
  c.reuse_prefix = false;
  t0 = std::chrono::steady_clock::now();
  const auto fresh = run_retrieval_sweep(e, gpu(), c);
  const double fresh_s = seconds_since(t0);
  std::printf("3 trials: %.2f s with prefix reuse, %.2f s without\n", reuse_s, fresh_s);
  ASSERT_EQ(reused.size(), 3u);
  ASSERT_EQ(fresh.size(), 3u);
  int cached = 0;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(reused[i].generated, fresh[i].generated) << "trial " << i;
    EXPECT_EQ(reused[i].expected, fresh[i].expected);
    EXPECT_EQ(fresh[i].cached_tokens, 0);
    cached += reused[i].cached_tokens;
  }
  EXPECT_EQ(reused[0].cached_tokens, 0);
  EXPECT_GT(reused[1].cached_tokens, reused[1].prompt_tokens / 2);
  // Less prefill is shown by the cached tokens, not by the clock: on a fast
  // GPU these 300-token prefills cost less than the sweep's fixed overhead
  // (the times are printed for the record, and bench/ is where speed is measured).
  EXPECT_GT(cached, 300);
}

TEST_F(EvalSweep, PerplexityRowsAndCancellation) {
  Engine e(kModel);
  std::ifstream in(std::string(MRROPE_SOURCE_DIR) + "/assets/samples/kjv_ecclesiastes.txt");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto tokens = e.tokenizer().tokenize(text, false, false);
  SweepConfig c;
  c.methods = {RopeMethod::None, RopeMethod::Yarn};
  c.lengths = {64, 128};
  c.chunks = 1;  // 128 tokens: one window at 128, two at 64
  const auto pr = run_perplexity_sweep(e, gpu(), c, tokens);
  ASSERT_EQ(pr.size(), 4u);
  for (const auto& r : pr) {
    EXPECT_GT(r.perplexity, 1.0);
    EXPECT_LT(r.perplexity, 500.0);
    EXPECT_EQ(r.windows, r.length == 64 ? 2 : 1);
    ASSERT_EQ(r.nll_by_position.size(), static_cast<size_t>(kLossBuckets));
    for (double v : r.nll_by_position) EXPECT_GT(v, 0.0);
  }
  EXPECT_EQ(pr[1].seconds, 0.0);  // S = 1: yarn has none's schedule, copied
  EXPECT_EQ(pr[0].perplexity, pr[1].perplexity);
  // Rerun instead of copied: the same value from the device.
  c.copy_identical_schedules = false;
  c.lengths = {64};
  const auto rerun = run_perplexity_sweep(e, gpu(), c, tokens);
  ASSERT_EQ(rerun.size(), 2u);
  EXPECT_GT(rerun[1].seconds, 0.0);
  EXPECT_NEAR(rerun[1].perplexity, rerun[0].perplexity, 1e-3);
  c.lengths = {64, 128};
  c.copy_identical_schedules = true;

  // Cancel during the second run: the first is kept, the interrupted one dropped.
  std::atomic<bool> cancel{false};
  const auto partial = run_perplexity_sweep(e, gpu(), c, tokens, [&](const SweepProgress& p) {
    if (p.done == 1) cancel = true;
  }, &cancel);
  EXPECT_EQ(partial.size(), 1u);
}

TEST_F(EvalSweep, CancelInsideAPrefillDropsThatRun) {
  Engine e(kModel);
  SweepConfig c = none_at_half_depth(128, 2);
  std::atomic<bool> cancel{false};
  const auto rows = run_retrieval_sweep(e, gpu(), c, [&](const SweepProgress& p) {
    if (p.done == 0 && p.run_fraction > 0) cancel = true;  // during the first prompt's prefill
  }, &cancel);
  EXPECT_TRUE(rows.empty());
}

// A length too short for the passkey template with this tokenizer is refused
// before any run starts, naming the minimum, instead of failing mid-sweep.
TEST_F(EvalSweep, PasskeyLengthBelowTheTemplateIsRefusedUpFront) {
  Engine e(kModel);
  SweepConfig c;
  c.methods = {RopeMethod::None};
  c.lengths = {512, 64};
  c.depths = {0.5};
  c.trials = 1;
  const int floor = passkey_prompt_floor(e.tokenizer(), c.passkey);
  ASSERT_GT(floor, 64);  // the default template does not fit in 64 tokens of this vocabulary
  int runs = 0;
  try {
    run_retrieval_sweep(e, gpu(), c, [&](const SweepProgress& p) { runs = p.done; });
    FAIL() << "expected a refusal";
  } catch (const std::invalid_argument& err) {
    EXPECT_NE(std::string(err.what()).find("at least " + std::to_string(floor)), std::string::npos) << err.what();
  }
  EXPECT_EQ(runs, 0);
  c.lengths = {floor + 4};
  EXPECT_EQ(run_retrieval_sweep(e, gpu(), c).size(), 1u);
}

// --seeds N runs seeds S .. S+N-1: each seed's rows are those of a sweep with
// --seed of it alone (any row can be rebuilt), and the seeds give other prompts.
TEST_F(EvalSweep, SeveralSeedsAreSweepsOfEachSeed) {
  Engine e(kModel);
  SweepConfig c = none_at_half_depth(96, 1);
  c.seed = 5;
  c.seeds = 2;
  int total = 0;
  const auto both = run_retrieval_sweep(e, gpu(), c, [&](const SweepProgress& p) { total = p.total; });
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(total, 2);
  EXPECT_EQ(both[0].sweep_seed, 5u);
  EXPECT_EQ(both[1].sweep_seed, 6u);
  EXPECT_NE(both[0].expected, both[1].expected);
  c.seed = 6;
  c.seeds = 1;
  const auto alone = run_retrieval_sweep(e, gpu(), c);
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone[0].sweep_seed, 6u);
  EXPECT_EQ(alone[0].seed, both[1].seed);
  EXPECT_EQ(alone[0].expected, both[1].expected);
  EXPECT_EQ(alone[0].generated, both[1].generated);
}

// on_row hands over each row as it finishes, in the returned order, before
// the progress callback counts it; a cancel between rows keeps exactly the
// rows already handed over.
TEST_F(EvalSweep, RowCallbackSeesEveryRowAsItFinishes) {
  Engine e(kModel);
  SweepConfig c;
  c.methods = {RopeMethod::None, RopeMethod::Yarn};
  c.lengths = {80, 96};
  c.depths = {0.0, 1.0};
  c.trials = 1;
  std::vector<RetrievalRow> seen;
  int done_at_last_progress = 0;
  const auto rows = run_retrieval_sweep(
      e, gpu(), c,
      [&](const SweepProgress& p) {
        EXPECT_LE(p.done, static_cast<int>(seen.size()));  // a counted run was handed over first
        done_at_last_progress = p.done;
      },
      nullptr, [&](const RetrievalRow& r) { seen.push_back(r); });
  ASSERT_EQ(rows.size(), 8u);  // yarn's rows are copies (S = 1) and still reported
  ASSERT_EQ(seen.size(), rows.size());
  EXPECT_EQ(done_at_last_progress, 8);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(seen[i].rope.method, rows[i].rope.method) << i;
    EXPECT_EQ(seen[i].length, rows[i].length) << i;
    EXPECT_EQ(seen[i].depth, rows[i].depth) << i;
    EXPECT_EQ(seen[i].generated, rows[i].generated) << i;
  }

  // Cancelled from inside the callback after the first row: the sweep stops
  // before the next run and returns exactly the row handed over.
  std::atomic<bool> cancel{false};
  seen.clear();
  const auto partial = run_retrieval_sweep(e, gpu(), c, {}, &cancel, [&](const RetrievalRow& r) {
    seen.push_back(r);
    cancel = true;
  });
  ASSERT_EQ(partial.size(), 1u);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].generated, partial[0].generated);

  // Perplexity rows too.
  std::ifstream in(std::string(MRROPE_SOURCE_DIR) + "/assets/samples/kjv_ecclesiastes.txt");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  SweepConfig p;
  p.methods = {RopeMethod::None, RopeMethod::Yarn};
  p.lengths = {32};
  p.chunks = 1;
  std::vector<PerplexityRow> ppl_seen;
  const auto ppl = run_perplexity_sweep(e, gpu(), p, e.tokenizer().tokenize(text, false, false), {}, nullptr,
                                        [&](const PerplexityRow& r) { ppl_seen.push_back(r); });
  ASSERT_EQ(ppl_seen.size(), ppl.size());
  ASSERT_EQ(ppl.size(), 2u);
  EXPECT_EQ(ppl_seen[1].perplexity, ppl[1].perplexity);
}

}  // namespace
}  // namespace mrrope::test
