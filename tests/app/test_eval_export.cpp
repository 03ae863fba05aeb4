// The app's Export and `mrrope-cli eval` write their outputs with one writer
// (eval/eval_outputs.h): the same rows give byte-identical results.csv,
// results.json and PNG whichever path wrote them. No GPU.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "eval/eval_outputs.h"
#include "tests/test_eval_rows.h"
#include "ui/export/eval_export.h"

namespace mrrope::ui {
namespace {

namespace fs = std::filesystem;

std::string bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("mrrope-eval-export-" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// What `mrrope-cli eval` does after each part (app/cli/cmd_eval.cpp): the
// part's picture, then results.csv and results.json of everything so far.
void write_as_the_cli(const std::string& dir, const std::string& part, const std::vector<RetrievalRow>& retrieval,
                      const std::vector<PerplexityRow>& perplexity, const RunInfo& info) {
  write_eval_plot(dir, part, retrieval, perplexity, info);
  write_eval_results(dir, retrieval, perplexity, info);
}

EvalState state_with(bool perplexity) {
  EvalState s;
  s.request.perplexity = perplexity;
  s.request.config.task = "passkey";
  s.request.config.seed = 7;
  s.model_name = "tiny.gguf";
  s.device = "test device";
  s.native_length = 512;
  s.seconds = 12.5;
  if (perplexity) {
    for (const char* m : {"none", "yarn"})
      for (int l : {512, 1024}) s.perplexity.push_back(test::eval_ppl(m, l, l == 512 ? 10 : 14));
  } else {
    for (const char* m : {"none", "yarn"})
      for (int l : {512, 1024})
        for (double d : {0.0, 0.5, 1.0}) s.retrieval.push_back(test::eval_row(m, l, l == 512 || m[0] == 'y', d));
  }
  return s;
}

// The RunInfo the app's export fills in, as the CLI would pass it.
RunInfo info_of(const EvalState& s) {
  RunInfo info;
  info.model = s.model_name;
  info.device = s.device;
  info.command = "mrrope-app Evaluation tab";
  info.seconds = s.seconds;
  info.seed = s.request.config.seed;
  info.native_length = s.native_length;
  return info;
}

void expect_same_files(bool perplexity) {
  const EvalState s = state_with(perplexity);
  const std::string tag = perplexity ? "ppl" : "passkey";
  const fs::path app = fresh_dir("app-" + tag), cli = fresh_dir("cli-" + tag);
  const EvalExport x = export_evaluation(s, app.string());
  ASSERT_TRUE(x.error.empty()) << x.error;
  const std::string picture = tag + ".png";
  ASSERT_EQ(x.written.size(), 3u);
  EXPECT_EQ(x.written[0], (app / "results.csv").string());
  EXPECT_EQ(x.written[1], (app / "results.json").string());
  EXPECT_EQ(x.written[2], (app / picture).string());
  write_as_the_cli(cli.string(), tag, s.retrieval, s.perplexity, info_of(s));
  for (const std::string f : {std::string("results.csv"), std::string("results.json"), picture}) {
    const std::string a = bytes((app / f).string()), c = bytes((cli / f).string());
    EXPECT_FALSE(a.empty()) << f;
    EXPECT_TRUE(a == c) << f << " differs between the app's export and the CLI's writing";
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(app), fs::directory_iterator{}), 3);
  EXPECT_EQ(std::distance(fs::directory_iterator(cli), fs::directory_iterator{}), 3);
  fs::remove_all(app);
  fs::remove_all(cli);
}

TEST(EvalExport, RetrievalFilesAreTheCliFiles) { expect_same_files(false); }
TEST(EvalExport, PerplexityFilesAreTheCliFiles) { expect_same_files(true); }

TEST(EvalExport, PlotTitleTakesTheFileNameOfAModelPath) {
  // The CLI's RunInfo has the model's path, the app's its file name: the same picture.
  const EvalState s = state_with(false);
  const fs::path a = fresh_dir("title-a"), b = fresh_dir("title-b");
  RunInfo path_info = info_of(s), name_info = info_of(s);
  path_info.model = "/models/somewhere/tiny.gguf";
  write_eval_plot(a.string(), "passkey", s.retrieval, {}, path_info);
  write_eval_plot(b.string(), "passkey", s.retrieval, {}, name_info);
  EXPECT_TRUE(bytes((a / "passkey.png").string()) == bytes((b / "passkey.png").string()));
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(EvalExport, RefusalsKeepTheirWording) {
  EvalState empty;
  EXPECT_EQ(export_evaluation(empty, "/tmp/x").error, "nothing to export: no finished runs yet");
  EXPECT_EQ(export_evaluation(state_with(true), "").error, "choose a folder to write into");
}

}  // namespace
}  // namespace mrrope::ui
