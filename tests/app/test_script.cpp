// mrrope-app --script without an App (ui/script/): lines, comments and line
// numbers, refusals naming their line, the demo and the help from the command
// table, and the arguments of compare and eval. No GPU, no window.
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "ui/script/script.h"
#include "ui/script/script_args.h"

namespace mrrope::ui {
namespace {

std::string error_of(const std::string& text) {
  try {
    Script s(text, "out");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(Script, CommentsAndBlankLinesAreSkippedAndLinesKeepTheirNumbers) {
  const Script s("# a comment\n\n   \nmodel default\r\n  question Who is it?  \nwait 30\n", "out");
  ASSERT_EQ(s.lines().size(), 3u);
  EXPECT_EQ(s.lines()[0].number, 4);
  EXPECT_EQ(s.lines()[0].command, "model");
  EXPECT_EQ(s.lines()[0].arg, "default");
  EXPECT_EQ(s.lines()[1].number, 5);
  EXPECT_EQ(s.lines()[1].command, "question");
  EXPECT_EQ(s.lines()[1].arg, "Who is it?");
  EXPECT_EQ(s.lines()[2].command, "wait");
  EXPECT_EQ(s.lines()[2].arg, "30");
  EXPECT_FALSE(s.finished());
  EXPECT_EQ(s.exit_status(), 0);
}

TEST(Script, AnUnknownCommandIsRefusedWithItsLine) {
  EXPECT_EQ(error_of("model default\n# fine\nfrobnicate now\n"), "script line 3: unknown command 'frobnicate'");
  EXPECT_EQ(error_of("Model default\n"), "script line 1: unknown command 'Model'");  // names are exact
}

TEST(Script, AScriptWithoutCommandsIsRefused) {
  EXPECT_EQ(error_of(""), "the script has no commands");
  EXPECT_EQ(error_of("# only comments\n\n"), "the script has no commands");
}

TEST(Script, TheDemoParses) {
  const Script s(Script::demo_text("/src"), "");
  ASSERT_FALSE(s.lines().empty());
  EXPECT_EQ(s.lines().front().command, "model");
  EXPECT_EQ(s.lines().back().command, "quit");
  bool document = false;
  for (const auto& line : s.lines()) document |= line.command == "document" && line.arg == "/src/tests/app/demo_document.txt";
  EXPECT_TRUE(document);
}

TEST(Script, HelpListsEveryCommandOnceWithItsArguments) {
  const std::string help = Script::commands_help();
  for (const char* name : {"model", "document", "drop", "paste", "ask", "wait", "click", "compare", "compare-conversation",
                           "eval", "eval-export", "screenshot", "attention-png", "compare-png", "fps-report", "quit"}) {
    std::istringstream lines(help);
    int found = 0;
    for (std::string line; std::getline(lines, line);)
      found += line.rfind("  " + std::string(name) + " ", 0) == 0 || line == "  " + std::string(name);
    EXPECT_EQ(found, 1) << name;
  }
  EXPECT_NE(help.find("  click LABEL\n"), std::string::npos);
  EXPECT_NE(help.find("  resize W H\n"), std::string::npos);
}

TEST(ScriptArgs, CompareTakesTwoToFourMethods) {
  std::vector<RopeMethod> methods;
  EXPECT_EQ(parse_compare_methods("none mrrope-pro", &methods, nullptr), "");
  EXPECT_EQ(methods, (std::vector<RopeMethod>{RopeMethod::None, RopeMethod::MrRopePro}));
  methods.clear();
  bool then_question = false;
  EXPECT_EQ(parse_compare_methods("yarn then-question mrrope-pro", &methods, &then_question), "");
  EXPECT_TRUE(then_question);
  EXPECT_EQ(methods, (std::vector<RopeMethod>{RopeMethod::Yarn, RopeMethod::MrRopePro}));
  methods.clear();
  EXPECT_EQ(parse_compare_methods("yarn", &methods, nullptr), "takes 2 to 4 methods");
  methods.clear();
  EXPECT_EQ(parse_compare_methods("none linear yarn mrrope-pro none", &methods, nullptr), "takes 2 to 4 methods");
  methods.clear();
  // `compare` knows no then-question: the word is a method name, and not one.
  EXPECT_NE(parse_compare_methods("yarn then-question mrrope-pro", &methods, nullptr), "");
  methods.clear();
  EXPECT_NE(parse_compare_methods("yarn nosuch", &methods, nullptr).find("nosuch"), std::string::npos);
}

TEST(ScriptArgs, EvalSetsTheTabsInputs) {
  EvalInputs v;
  EXPECT_EQ(apply_eval_args("passkey methods=none,mrrope-pro lengths=256,1K depths=0,100 trials=2 seed=7", v), "");
  EXPECT_EQ(v.task, "passkey");
  EXPECT_EQ(v.methods.in_registry_order(), (std::vector<RopeMethod>{RopeMethod::None, RopeMethod::MrRopePro}));
  EXPECT_FALSE(v.lengths_auto);
  EXPECT_EQ(v.lengths, "256,1K");
  EXPECT_EQ(v.depths, "0,100");
  EXPECT_EQ(v.trials, 2);
  EXPECT_EQ(v.seed, 7);

  EvalInputs w;
  EXPECT_EQ(apply_eval_args("needle", w), "");
  EXPECT_EQ(w.task, "niah");
  EXPECT_TRUE(w.lengths_auto);  // untouched settings keep the tab's defaults
  EXPECT_EQ(apply_eval_args("perplexity", w), "");
  EXPECT_EQ(w.task, "ppl");
}

TEST(ScriptArgs, EvalRefusalsSayWhy) {
  EvalInputs v;
  EXPECT_EQ(apply_eval_args("bogus", v).rfind("eval takes a task first: ppl or ", 0), 0u);
  EXPECT_EQ(apply_eval_args("passkey trials", v), "expected key=value, got 'trials'");
  EXPECT_EQ(apply_eval_args("passkey colour=red", v),
            "unknown eval setting 'colour' (methods, lengths, depths, trials, seed)");
  EXPECT_NE(apply_eval_args("passkey methods=none,nosuch", v).find("nosuch"), std::string::npos);
  try {
    apply_eval_args("passkey trials=many", v);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("trials"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mrrope::ui
