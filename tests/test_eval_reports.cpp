// Evaluation outputs: the CSV and JSON rows, the markdown tables, and the PNG
// plots (size, non-uniform pixels, the colour of a known heatmap cell).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "eval/paired_comparison.h"
#include "eval/plots.h"
#include "eval/report.h"
#include "test_eval_rows.h"

namespace mrrope::test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t begin = 0;
  for (size_t end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1)
    out.push_back(text.substr(begin, end - begin));
  return out;
}

int fields(const std::string& line) { return static_cast<int>(std::count(line.begin(), line.end(), ',')) + 1; }

const RunInfo kInfo = [] {
  RunInfo i;
  i.model = "model.gguf";
  i.device = "test device";
  i.command = "mrrope-cli eval all";
  i.seconds = 1.5;
  i.seed = 7;
  i.native_length = 512;
  return i;
}();

TEST(EvalReports, CsvHasOneRowPerRunWithEverySetting) {
  const std::string path = testing::TempDir() + "/eval_results.csv";
  std::vector<RetrievalRow> rr = {eval_row("yarn", 512, true), eval_row("yarn", 1024, false)};
  rr[1].generated = " 9,\"9\"";  // quoted in the CSV
  rr[1].rope.d_low = 3;
  rr[1].rope.d_high = 16;
  rr[1].rope.attn_factor = 1.0693;
  const std::vector<PerplexityRow> pr = {eval_ppl("yarn", 512, 20.5)};
  write_results_csv(path, rr, pr, kInfo);
  const auto lines = lines_of(read_file(path));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].rfind("kind,model,device,method,scale,attn_factor,d_low,d_high,length,prompt_tokens,"
                           "cached_tokens,depth,actual_depth,trial,sweep_seed,seed,expected,generated,correct,windows,"
                           "perplexity,mean_nll,nll_bucket0,",
                           0),
            0u)
      << lines[0];
  EXPECT_EQ(lines[0].substr(lines[0].size() - 8), ",seconds");
  EXPECT_EQ(lines[1].rfind("passkey,model.gguf,test device,yarn,1,1,0,0,512,0,0,0,0,0,7,42,12345, 12345.,1,", 0), 0u)
      << lines[1];
  EXPECT_NE(lines[2].find("yarn,2,1.0693,3,16,1024,"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find(",\" 9,\"\"9\"\"\",0,"), std::string::npos) << lines[2];
  EXPECT_EQ(lines[3].rfind("ppl,model.gguf,test device,yarn,", 0), 0u);
  EXPECT_NE(lines[3].find(",2,20.5,0,1,1,"), std::string::npos) << lines[3];
  // Every row has the header's number of fields (the quoted comma aside).
  EXPECT_EQ(fields(lines[1]), fields(lines[0]));
  EXPECT_EQ(fields(lines[2]), fields(lines[0]) + 1);
  EXPECT_EQ(fields(lines[3]), fields(lines[0]));
}

TEST(EvalReports, JsonHoldsRunsSettingsAndEffectiveContext) {
  const std::string path = testing::TempDir() + "/eval_results.json";
  const std::vector<RetrievalRow> rr = {eval_row("yarn", 512, true), eval_row("yarn", 1024, false),
                                        eval_row("none", 512, true)};
  const std::vector<PerplexityRow> pr = {eval_ppl("yarn", 512, 20), eval_ppl("yarn", 1024, 22), eval_ppl("none", 512, 21)};
  write_results_json(path, rr, pr, effective_context(rr, pr, 512), kInfo);
  const std::string json = read_file(path);
  EXPECT_NE(json.find("\"effective_context\": {\"yarn\": 512, \"none\": 512}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"device\": \"test device\""), std::string::npos);
  EXPECT_NE(json.find("\"seed\": 7"), std::string::npos);
  EXPECT_NE(json.find("\"seeds\": 1"), std::string::npos);
  EXPECT_NE(json.find("\"trial\": 0, \"sweep_seed\": 7, \"seed\": 42"), std::string::npos) << json;
  // No mrrope-pro rows: nothing to pair.
  EXPECT_NE(json.find("\"paired_comparison\": {\"a\": \"mrrope-pro\", \"b\": \"yarn\", \"by_length\": []}"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"task\": \"passkey\", \"method\": \"yarn\", \"scale\": 2, \"attn_factor\": 1, \"d_low\": 0, "
                      "\"d_high\": 0, \"length\": 1024"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"generated\": \" 999\", \"correct\": false"), std::string::npos);
  EXPECT_NE(json.find("\"perplexity\": 22, \"mean_nll\": 0, \"nll_by_position\": [1, 1,"), std::string::npos) << json;
  EXPECT_EQ(std::count(json.begin(), json.end(), '{'), std::count(json.begin(), json.end(), '}'));
  EXPECT_EQ(std::count(json.begin(), json.end(), '['), std::count(json.begin(), json.end(), ']'));
}

TEST(EvalReports, MarkdownTablesPerTask) {
  std::vector<RetrievalRow> rr;
  for (int i = 0; i < 4; ++i) rr.push_back(eval_row("yarn", 1024, i < 3)), rr.push_back(eval_row("yarn", 512, true));
  const std::vector<PerplexityRow> pr = {eval_ppl("yarn", 512, 20), eval_ppl("yarn", 1024, 21.04)};
  const std::string md = markdown_report(rr, pr, effective_context(rr, pr, 512), kInfo);
  EXPECT_NE(md.find("| method | 512 | 1K |"), std::string::npos) << md;
  EXPECT_NE(md.find("| yarn | 100% | 75% |"), std::string::npos) << md;
  EXPECT_NE(md.find("| yarn | 20 | 21 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| yarn | 512 |"), std::string::npos) << md;
  EXPECT_EQ(md.find("Needle"), std::string::npos);  // no niah rows, no niah table
}

// The textbook values of the exact sign test (McNemar's exact test), and
// the example of docs/results.md: 15 pairs right only under one method, 2
// only under the other, p = 0.002.
TEST(EvalReports, SignTestPValues) {
  EXPECT_EQ(sign_test_p_value(0, 0), 1.0);
  EXPECT_EQ(sign_test_p_value(3, 3), 1.0);
  EXPECT_NEAR(sign_test_p_value(5, 0), 2.0 / 32, 1e-12);
  EXPECT_NEAR(sign_test_p_value(0, 5), 2.0 / 32, 1e-12);
  EXPECT_NEAR(sign_test_p_value(15, 2), 2.0 * (1 + 17 + 136) / 131072, 1e-12);
  EXPECT_NEAR(sign_test_p_value(18, 4), 2.0 * (1 + 22 + 231 + 1540 + 7315) / 4194304, 1e-12);
  EXPECT_NEAR(sign_test_p_value(9, 10), 1.0, 1e-12);
  EXPECT_GT(sign_test_p_value(3000, 3000), 0.98);  // large n stays finite
  EXPECT_LT(sign_test_p_value(3300, 2700), 1e-12);
}

// Two methods, two seeds: rows pair by (task, length, seed, depth, trial), the
// means are over the pairs, ties count as pairs but not as wins.
std::vector<RetrievalRow> paired_rows() {
  std::vector<RetrievalRow> rr;
  for (uint64_t seed : {1, 2})
    for (int trial = 0; trial < 4; ++trial)
      for (const char* m : {"yarn", "mrrope-pro"}) {
        RetrievalRow r = eval_row(m, 2048, false);
        r.sweep_seed = seed;
        r.trial = trial;
        r.seed = seed * 100 + trial;
        // mrrope-pro right in 7 of 8, yarn in 2: 6 prompts only mrrope-pro gets, 1 only yarn, 1 both.
        r.score = std::string(m) == "yarn" ? (trial < 1) : (seed == 1 || trial > 0);
        r.correct = r.score == 1;
        rr.push_back(r);
      }
  RetrievalRow unpaired = eval_row("yarn", 2048, true);  // no mrrope-pro row of this prompt
  unpaired.sweep_seed = 2;
  unpaired.trial = 9;
  rr.push_back(unpaired);
  return rr;
}

TEST(EvalReports, PairedComparisonPoolsSeeds) {
  const auto rr = paired_rows();
  const auto c = paired_comparison(rr, RopeMethod::MrRopePro, RopeMethod::Yarn);
  ASSERT_EQ(c.size(), 2u);  // 2048, then all lengths
  EXPECT_EQ(c[0].length, 2048);
  EXPECT_EQ(c[1].length, 0);
  EXPECT_EQ(c[0].pairs, 8);
  EXPECT_DOUBLE_EQ(c[0].mean_a, 7.0 / 8);
  EXPECT_DOUBLE_EQ(c[0].mean_b, 2.0 / 8);
  EXPECT_EQ(c[0].a_better, 6);
  EXPECT_EQ(c[0].b_better, 1);
  EXPECT_NEAR(c[0].p_value, 2.0 * (1 + 7) / 128, 1e-12);
  EXPECT_EQ(paired_comparison(rr, RopeMethod::None, RopeMethod::Yarn).size(), 0u);
  RunInfo info = kInfo;
  info.seeds = 2;
  const std::string md = markdown_report(rr, {}, effective_context(rr, {}, 512), info);
  EXPECT_NE(md.find("Passkey retrieval accuracy (exact digits), greedy, 2 seeds pooled:"), std::string::npos) << md;
  EXPECT_NE(md.find("Paired comparison, mrrope-pro vs yarn (the same prompts; every retrieval task, 2 seeds pooled; p:"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 2K | 8 | 88% | 25% | 6 | 1 | 0.125 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| all | 8 | 88% | 25% | 6 | 1 | 0.125 |"), std::string::npos) << md;
  const std::string path = testing::TempDir() + "/eval_paired.json";
  write_results_json(path, rr, {}, {}, info);
  const std::string json = read_file(path);
  EXPECT_NE(json.find("\"seeds\": 2"), std::string::npos);
  EXPECT_NE(json.find("{\"length\": 2048, \"pairs\": 8, \"mean_a\": 0.875, \"mean_b\": 0.25, \"a_better\": 6, "
                      "\"b_better\": 1, \"p_value\": 0.125}"),
            std::string::npos)
      << json;
}

TEST(EvalReports, HeatmapPngHasTheRightSizeAndCellColours) {
  const std::string path = testing::TempDir() + "/eval_heatmap.png";
  std::vector<RetrievalRow> rr;
  for (int l : {512, 1024, 2048})
    for (double d : {0.0, 0.5, 1.0}) {
      rr.push_back(eval_row("none", l, l == 512, d));
      rr.push_back(eval_row("yarn", l, l < 2048 || d == 0.5, d));
    }
  const Canvas drawn = draw_retrieval_heatmaps(rr, "test heatmap");
  drawn.save_png(path);
  const Canvas png = Canvas::load_png(path);
  ASSERT_EQ(png.width(), drawn.width());
  ASSERT_EQ(png.height(), drawn.height());
  const HeatmapLayout g = heatmap_layout(rr);
  ASSERT_EQ(g.methods, (std::vector<std::string>{"none", "yarn"}));
  EXPECT_GE(png.width(), g.cell_x(1, 2) + g.cell_w);
  EXPECT_GE(png.height(), g.cell_y(1, 2) + g.cell_h);
  // A cell's corner (away from its value text) has the recall colour.
  auto corner = [&](int m, int r, int c) { return png.pixel(g.cell_x(m, c) - g.cell_w / 2 + 3, g.cell_y(m, r) - g.cell_h / 2 + 3); };
  const Rgb green = recall_colour(1), red = recall_colour(0);
  const Rgb ok = corner(0, 0, 0), bad = corner(0, 2, 2), yarn_mid = corner(1, 1, 2);
  EXPECT_EQ(std::tie(ok.r, ok.g, ok.b), std::tie(green.r, green.g, green.b));
  EXPECT_EQ(std::tie(bad.r, bad.g, bad.b), std::tie(red.r, red.g, red.b));
  EXPECT_EQ(std::tie(yarn_mid.r, yarn_mid.g, yarn_mid.b), std::tie(green.r, green.g, green.b));
  EXPECT_GT(green.g, green.r);
  EXPECT_GT(red.r, red.g);
  std::set<int> colours;
  for (int y = 0; y < png.height(); y += 3)
    for (int x = 0; x < png.width(); x += 3) {
      const Rgb p = png.pixel(x, y);
      colours.insert(p.r << 16 | p.g << 8 | p.b);
    }
  EXPECT_GE(colours.size(), 4u);  // white, black text, red, green at least

  // Six methods: a grid of two rows of three panels.
  std::vector<RetrievalRow> six;
  for (const char* m : {"none", "linear", "ntk", "yarn", "mrrope-uni", "mrrope-pro"})
    six.push_back(eval_row(m, 512, std::string(m) == "mrrope-pro"));
  const HeatmapLayout g6 = heatmap_layout(six);
  const Canvas grid = draw_retrieval_heatmaps(six, "grid");
  EXPECT_EQ(g6.panel_rows(), 2);
  EXPECT_EQ(g6.panel_y(5), g6.panel_y(3));
  EXPECT_GT(g6.panel_y(3), g6.panel_y(2));
  const Rgb last = grid.pixel(g6.cell_x(5, 0) - g6.cell_w / 2 + 3, g6.cell_y(5, 0) - g6.cell_h / 2 + 3);
  EXPECT_EQ(std::tie(last.r, last.g, last.b), std::tie(green.r, green.g, green.b));
}

TEST(EvalReports, PerplexityPngHasLinesLegendAndLossCurves) {
  const std::string path = testing::TempDir() + "/eval_ppl.png";
  std::vector<PerplexityRow> pr;
  for (int l : {512, 1024, 2048, 4096}) pr.push_back(eval_ppl("none", l, 20.0 * l / 512)), pr.push_back(eval_ppl("yarn", l, 20));
  plot_perplexity(pr, path, "test perplexity");
  const Canvas png = Canvas::load_png(path);
  EXPECT_GE(png.width(), 1000);
  EXPECT_EQ(png.height(), 640);
  // Both series' colours appear.
  int first = 0, second = 0;
  for (int y = 0; y < png.height(); ++y)
    for (int x = 0; x < png.width(); ++x) {
      const Rgb p = png.pixel(x, y);
      const Rgb a = series_colour(0), b = series_colour(1);
      first += p.r == a.r && p.g == a.g && p.b == a.b;
      second += p.r == b.r && p.g == b.g && p.b == b.b;
    }
  EXPECT_GT(first, 200);
  EXPECT_GT(second, 200);
}

// A collapsed method leaves the capped axis; its true value is written at the
// top edge, so two plots differing only in that value differ only there.
TEST(EvalReports, PerplexityAboveTheAxisIsLabelledWithItsValue) {
  auto plot = [](double collapsed) {
    std::vector<PerplexityRow> pr;
    for (int l : {512, 1024, 2048}) pr.push_back(eval_ppl("yarn", l, 20));
    for (int l : {512, 1024}) pr.push_back(eval_ppl("none", l, 20));
    pr.push_back(eval_ppl("none", 2048, collapsed));
    return draw_perplexity(pr, "clipped");
  };
  const Canvas a = plot(300), b = plot(900);
  int differing = 0, lowest_row = 0;
  for (int y = 0; y < a.height(); ++y)
    for (int x = 0; x < a.width(); ++x) {
      const Rgb p = a.pixel(x, y), q = b.pixel(x, y);
      if (p.r != q.r || p.g != q.g || p.b != q.b) ++differing, lowest_row = std::max(lowest_row, y);
    }
  EXPECT_GT(differing, 10);
  EXPECT_LT(lowest_row, 120);  // only the label near the top edge changed
}

TEST(EvalReports, CanvasDrawsText) {
  Canvas c(100, 40);
  c.text(30, 20, "8K", {0, 0, 0});
  int dark = 0;
  for (int y = 20; y < 40; ++y)
    for (int x = 30; x < 60; ++x) dark += c.pixel(x, y).r < 100;
  EXPECT_GT(dark, 10);
  EXPECT_THROW(Canvas::load_png(testing::TempDir() + "/no_such.png"), std::runtime_error);
}

}  // namespace
}  // namespace mrrope::test
