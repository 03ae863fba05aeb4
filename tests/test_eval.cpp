// Evaluation: prompt construction, scoring, effective context, reports, plots,
// argument errors, and a tiny real sweep with the bundled model on the device.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "engine/engine.h"
#include "eval/canvas.h"
#include "eval/effective_context.h"
#include "eval/plots.h"
#include "eval/report.h"
#include "eval/retrieval_task.h"
#include "eval/sweep.h"
#include "support/gpu_test.h"

namespace mrrope::test {
namespace {

const std::string kModel = std::string(MRROPE_SOURCE_DIR) + "/assets/ctxext-llama-17m-q8_0.gguf";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

const Engine& engine() {
  static Engine e(kModel);
  return e;
}

TEST(EvalPrompts, PasskeyHitsTheTargetLengthAndDepth) {
  std::mt19937_64 rng(3);
  for (int target : {256, 1000}) {
    for (double depth : {0.0, 0.5, 1.0}) {
      const RetrievalPrompt p = make_passkey_prompt(engine().tokenizer(), target, depth, rng);
      EXPECT_LE(static_cast<int>(p.tokens.size()), target);
      EXPECT_GE(static_cast<int>(p.tokens.size()), target - 30) << "target " << target;
      EXPECT_EQ(p.answer.size(), 5u);
      const std::string text = engine().tokenizer().detokenize(p.tokens);
      const size_t at = text.find("The pass key is " + p.answer + ".");
      ASSERT_NE(at, std::string::npos);
      // Depth within the haystack: between the intro and the question.
      const size_t begin = PasskeyTemplate{}.intro.size(), end = text.find("\nWhat is the pass key?");
      const double where = double(at - begin) / double(end - begin);
      EXPECT_NEAR(where, depth, 0.12) << "target " << target << " depth " << depth;
      EXPECT_NE(text.find("What is the pass key? The pass key is"), std::string::npos);
    }
  }
}

TEST(EvalPrompts, NeedleSitsAtASentenceBoundaryNearTheDepth) {
  std::string hay;
  for (int i = 0; i < 400; ++i) hay += "Sentence number " + std::to_string(i) + " talks about the weather. ";
  std::mt19937_64 rng(4);
  for (double depth : {0.0, 0.3, 0.7, 1.0}) {
    const RetrievalPrompt p = make_needle_prompt(engine().tokenizer(), hay, 600, depth, rng);
    EXPECT_LE(p.tokens.size(), 600u);
    EXPECT_EQ(p.answer.size(), 7u);
    EXPECT_NEAR(p.depth, depth, 0.05);
    const std::string text = engine().tokenizer().detokenize(p.tokens);
    const size_t at = text.find("The special magic number for ");
    ASSERT_NE(at, std::string::npos);
    if (at > 0) EXPECT_EQ(text.substr(at - 2, 2), ". ") << "depth " << depth;
  }
  EXPECT_THROW(make_needle_prompt(engine().tokenizer(), "Too short.", 600, 0.5, rng), std::invalid_argument);
}

TEST(EvalScoring, LeadingDigitsAreTheAnswer) {
  EXPECT_EQ(leading_digits(" 71432. Remember"), "71432");
  EXPECT_EQ(leading_digits("71432"), "71432");
  EXPECT_EQ(leading_digits(" the key"), "");
  EXPECT_EQ(leading_digits("  12a34"), "12");
}

RetrievalRow row(const std::string& method, int length, bool correct) {
  RetrievalRow r;
  r.rope.method = method;
  r.length = length;
  r.correct = correct;
  r.task = "passkey";
  r.expected = "12345";
  r.generated = correct ? " 12345." : " 999";
  return r;
}

PerplexityRow ppl(const std::string& method, int length, double value) {
  PerplexityRow r;
  r.rope.method = method;
  r.length = length;
  r.perplexity = value;
  r.nll_by_position.assign(16, 1.0);
  return r;
}

TEST(EvalEffectiveContext, LongestLengthWhereEverythingStillHolds) {
  std::vector<RetrievalRow> rr;
  for (int i = 0; i < 10; ++i) {
    rr.push_back(row("yarn", 512, true));
    rr.push_back(row("yarn", 1024, true));
    rr.push_back(row("yarn", 2048, i < 9));  // 90%
    rr.push_back(row("yarn", 4096, i < 5));  // 50%
    rr.push_back(row("none", 512, true));
    rr.push_back(row("none", 1024, i < 3));
  }
  const std::vector<PerplexityRow> pr = {ppl("yarn", 512, 20), ppl("yarn", 1024, 21), ppl("yarn", 2048, 23),
                                         ppl("yarn", 4096, 40), ppl("none", 512, 20), ppl("none", 1024, 25)};
  const auto e = effective_context(rr, pr, 512, 0.85, 0.10);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].method, "yarn");
  EXPECT_EQ(e[0].length, 1024);  // 2048 has 90% recall but perplexity 23 > 20 * 1.1
  EXPECT_EQ(e[1].length, 512);
  EXPECT_DOUBLE_EQ(e[0].accuracy.at(2048), 0.9);
  const auto loose = effective_context(rr, pr, 512, 0.85, 0.20);
  EXPECT_EQ(loose[0].length, 2048);
  const std::string md = markdown_summary(e);
  EXPECT_NE(md.find("| yarn | 100% / 20.0 | 100% / 21.0 | 90% / 23.0 | 50% / 40.0 | 1024 |"), std::string::npos) << md;
}

TEST(EvalReports, CsvJsonAndPngAreWritten) {
  const std::string dir = testing::TempDir();
  const std::vector<RetrievalRow> rr = {row("yarn", 512, true), row("yarn", 1024, false), row("none", 512, true)};
  const std::vector<PerplexityRow> pr = {ppl("yarn", 512, 20), ppl("yarn", 1024, 22), ppl("none", 512, 21)};
  const RunInfo info{"model.gguf", "test device", "test", 1.5};
  write_retrieval_csv(dir + "/r.csv", rr, info);
  write_perplexity_csv(dir + "/p.csv", pr, info);
  write_results_json(dir + "/r.json", rr, pr, effective_context(rr, pr, 512), info);
  const std::string csv = read_file(dir + "/r.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  EXPECT_NE(csv.find("model.gguf,test device,passkey,yarn"), std::string::npos);
  const std::string json = read_file(dir + "/r.json");
  EXPECT_NE(json.find("\"effective_context\": {\"yarn\": 512, \"none\": 512}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"generated\": \" 999\""), std::string::npos);
  plot_retrieval_heatmaps(rr, dir + "/h.png", "test");
  plot_perplexity(pr, dir + "/p.png", "test");
  for (const char* f : {"/h.png", "/p.png"}) {
    const std::string png = read_file(dir + f);
    ASSERT_GT(png.size(), 1000u) << f;
    EXPECT_EQ(png.substr(1, 3), "PNG") << f;
  }
}

TEST(EvalReports, CanvasDrawsRecallColoursAndText) {
  Canvas c(100, 40);
  c.fill_rect(0, 0, 10, 10, recall_colour(1.0));
  c.fill_rect(10, 0, 10, 10, recall_colour(0.0));
  EXPECT_GT(c.pixel(5, 5).g, c.pixel(5, 5).r);    // green for full recall
  EXPECT_GT(c.pixel(15, 5).r, c.pixel(15, 5).g);  // red for none
  c.text(30, 20, "8K", {0, 0, 0});
  int dark = 0;
  for (int y = 20; y < 40; ++y)
    for (int x = 30; x < 60; ++x) dark += c.pixel(x, y).r < 100;
  EXPECT_GT(dark, 10);
}

class EvalSweep : public GpuTest {};

TEST_F(EvalSweep, BadArgumentsAreClearErrors) {
  SweepConfig c;
  c.methods = {"yarn", "bogus"};
  try {
    validate(c, engine());
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("bogus"), std::string::npos) << e.what();
  }
  c.methods = {"yarn"};
  c.lengths = {512, 0};
  EXPECT_THROW(validate(c, engine()), std::invalid_argument);
  c.lengths = {};
  EXPECT_THROW(validate(c, engine()), std::invalid_argument);
  c.lengths = {512};
  c.methods = {};
  EXPECT_THROW(validate(c, engine()), std::invalid_argument);
}

// A real sweep on the device with the bundled model: passkey at its native
// length under none is found (the model retrieves 100% at 512 in PyTorch).
TEST_F(EvalSweep, TinyPasskeyAndPerplexitySweepOnTheDevice) {
  Engine e(kModel);
  SweepConfig c;
  c.methods = {"none", "yarn"};
  c.lengths = {200};
  c.depths = {0.0, 1.0};
  c.trials = 1;
  const auto rows = run_retrieval_sweep(e, gpu(), c);
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& r : rows) {
    EXPECT_LE(r.prompt_tokens, 200);
    EXPECT_EQ(r.expected.size(), 5u);
    if (r.rope.method == "none") EXPECT_TRUE(r.correct) << "generated '" << r.generated << "' for " << r.expected;
  }
  EXPECT_DOUBLE_EQ(rows[2].rope.scale, 1.0);  // yarn at 200 < 512 tokens: auto S = 1
  const auto tokens = e.tokenizer().tokenize(read_file(std::string(MRROPE_SOURCE_DIR) + "/assets/samples/kjv_ecclesiastes.txt"), false, false);
  c.lengths = {128};
  c.max_windows = 1;
  const auto pr = run_perplexity_sweep(e, gpu(), c, tokens);
  ASSERT_EQ(pr.size(), 2u);
  EXPECT_GT(pr[0].perplexity, 1.0);
  EXPECT_LT(pr[0].perplexity, 200.0);
  EXPECT_NEAR(pr[0].perplexity, pr[1].perplexity, 1e-3);  // S = 1: yarn equals none
}

}  // namespace
}  // namespace mrrope::test
