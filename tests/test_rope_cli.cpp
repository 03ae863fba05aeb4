// The RoPE command-line flags: llama.cpp's names and ours, consumed from an
// argument list that keeps everything else, and clear errors on bad values.
// Numbers are compared exactly: they are parsed, not computed.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "rope/rope_cli_options.h"

namespace mrrope {
namespace {

using Args = std::vector<std::string>;

void expect_cli_error(Args args, const std::string& fragment) {
  try {
    parse_rope_cli_options(args);
    ADD_FAILURE() << "no error, expected one containing '" << fragment << "'";
  } catch (const RopeError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(RopeCli, ConsumesOurFlagsAndKeepsTheRestInOrder) {
  Args args = {"-m", "model.gguf", "--rope-method", "mrrope-pro", "--rope-scale", "4", "-n", "128",
               "--rope-alpha=16", "--rope-beta", "2", "--rope-attn-factor", "1.2", "--temp", "0"};
  const RopeParams p = parse_rope_cli_options(args);
  EXPECT_EQ(args, (Args{"-m", "model.gguf", "-n", "128", "--temp", "0"}));
  EXPECT_EQ(p.method, RopeMethod::MrRopePro);
  EXPECT_EQ(p.scale, 4.0);
  EXPECT_EQ(p.alpha, 16.0);
  EXPECT_EQ(p.beta, 2.0);
  EXPECT_EQ(p.attn_factor, 1.2);
}

TEST(RopeCli, LlamaCppFlags) {
  Args args = {"--rope-scaling", "yarn",          "--rope-scale",     "4",   "--rope-freq-base", "1000000",
               "--yarn-orig-ctx", "32768",        "--yarn-beta-fast", "24",  "--yarn-beta-slow", "2",
               "--yarn-attn-factor", "1.1",       "--yarn-ext-factor", "0.5"};
  const RopeParams p = parse_rope_cli_options(args);
  EXPECT_TRUE(args.empty());
  EXPECT_EQ(p.method, RopeMethod::Yarn);
  EXPECT_EQ(p.scale, 4.0);
  EXPECT_EQ(p.freq_base, 1e6);
  EXPECT_EQ(p.orig_ctx, 32768);
  EXPECT_EQ(p.alpha, 24.0);
  EXPECT_EQ(p.beta, 2.0);
  EXPECT_EQ(p.yarn_attn_factor, 1.1);
  EXPECT_EQ(p.yarn_ext_factor, 0.5);

  Args freq_scale = {"--rope-scaling", "linear", "--rope-freq-scale", "0.25"};
  EXPECT_EQ(parse_rope_cli_options(freq_scale).scale, 4.0);
  Args none = {"--rope-scaling=none"};
  EXPECT_EQ(parse_rope_cli_options(none).method, RopeMethod::None);
}

TEST(RopeCli, DefaultsAreNativeAndUntouchedWithoutFlags) {
  Args args = {"prompt", "--other", "x"};
  const RopeParams p = parse_rope_cli_options(args);
  EXPECT_EQ(args.size(), 3u);
  EXPECT_EQ(p.method, RopeMethod::Native);
  EXPECT_EQ(p.scale, 0.0);
  EXPECT_FALSE(p.alpha);
  EXPECT_FALSE(p.attn_factor);
}

TEST(RopeCli, ScaleAuto) {
  Args args = {"--rope-method", "yarn", "--rope-scale", "auto"};
  EXPECT_EQ(parse_rope_cli_options(args).scale, 0.0);
  Args after_number = {"--rope-scale", "3", "--rope-scale", "auto", "--rope-method", "ntk"};
  EXPECT_EQ(parse_rope_cli_options(after_number).scale, 0.0);
  expect_cli_error({"--rope-scale", "auto"}, "needs an extension method");
}

TEST(RopeCli, ScheduleFileSelectsCustom) {
  const std::string path = testing::TempDir() + "rope_cli_schedule.txt";
  {
    std::ofstream out(path);
    out << "# lambdas\n1.1, 1.2\n1.3\n";
  }
  Args args = {"--rope-schedule", path, "x"};
  const RopeParams p = parse_rope_cli_options(args);
  EXPECT_EQ(args, Args{"x"});
  EXPECT_EQ(p.method, RopeMethod::Custom);
  EXPECT_EQ(p.custom_lambda, (std::vector<double>{1.1, 1.2, 1.3}));
  Args explicit_custom = {"--rope-method", "custom", "--rope-schedule", path};
  EXPECT_EQ(parse_rope_cli_options(explicit_custom).method, RopeMethod::Custom);
  expect_cli_error({"--rope-method", "yarn", "--rope-schedule", path}, "conflicts");
  {
    std::ofstream out(path);
    out << "1.1\n0.7\n";
  }
  expect_cli_error({"--rope-schedule", path}, "line 2: lambda 0.7 must be >= 1");
  std::remove(path.c_str());
}

// longrope on any model: the long factors from a file in the schedule format.
TEST(RopeCli, FactorsFileSelectsLongRope) {
  const std::string path = testing::TempDir() + "rope_cli_factors.txt";
  {
    std::ofstream out(path);
    out << "# long factors, one per pair\n1, 1.5, 4\n8\n";
  }
  Args args = {"--rope-factors", path, "--rope-scale", "4", "x"};
  const RopeParams p = parse_rope_cli_options(args);
  EXPECT_EQ(args, Args{"x"});
  EXPECT_EQ(p.method, RopeMethod::LongRope);
  EXPECT_EQ(p.longrope_factors, (std::vector<double>{1, 1.5, 4, 8}));
  EXPECT_EQ(p.scale, 4);
  expect_cli_error({"--rope-method", "yarn", "--rope-factors", path}, "conflicts");
  std::remove(path.c_str());
  expect_cli_error({"--rope-factors", path}, "--rope-factors: rope schedule: cannot open");
}

TEST(RopeCli, BadValuesGiveClearErrors) {
  expect_cli_error({"--rope-scale", "four"}, "--rope-scale expects a number, got 'four'");
  expect_cli_error({"--rope-scale", "0.5"}, "S must be >= 1");
  expect_cli_error({"--rope-scale", "4x"}, "expects a number");
  expect_cli_error({"--rope-scale"}, "--rope-scale needs a value");
  expect_cli_error({"--rope-freq-scale", "2"}, "(0, 1]");
  expect_cli_error({"--rope-freq-base", "-5"}, "must be > 1");
  expect_cli_error({"--yarn-orig-ctx", "81.5"}, "--yarn-orig-ctx expects an integer, got '81.5'");
  expect_cli_error({"--rope-alpha", "1", "--rope-beta", "2"}, "must be greater than");
  expect_cli_error({"--yarn-beta-fast", "0"}, "must be > 0");
  expect_cli_error({"--yarn-ext-factor", "1.5"}, "[0, 1]");
  expect_cli_error({"--rope-attn-factor", "-1"}, "must be > 0");
  expect_cli_error({"--rope-method", "mrope"}, "valid: none, linear, ntk, yarn, mrrope-uni, mrrope-pro, custom, longrope, native");
  expect_cli_error({"--rope-scaling", "ntk"}, "not one of none, linear, yarn");
  expect_cli_error({"--rope-scaling", "yarn", "--rope-method", "mrrope-pro"}, "conflicts");
  expect_cli_error({"--rope-method", "custom"}, "needs --rope-schedule");
  expect_cli_error({"--rope-schedule", "/nonexistent/lambdas.txt"}, "cannot open");
}

TEST(RopeCli, UsageListsEveryFlag) {
  const std::string usage = rope_cli_usage();
  for (const char* flag : {"--rope-method", "--rope-scaling", "--rope-scale", "--rope-freq-scale", "--rope-freq-base",
                           "--rope-schedule", "--rope-alpha", "--rope-beta", "--yarn-beta-fast", "--yarn-beta-slow",
                           "--yarn-orig-ctx", "--yarn-ext-factor", "--yarn-attn-factor", "--rope-attn-factor",
                           "mrrope-pro", "auto"})
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  // Every flag in the usage is accepted.
  Args args = {"--rope-method", "mrrope-uni", "--rope-scale", "2", "--rope-freq-base", "10000", "--yarn-orig-ctx", "4096",
               "--yarn-beta-fast", "32", "--yarn-beta-slow", "1", "--yarn-ext-factor", "1", "--yarn-attn-factor", "1",
               "--rope-attn-factor", "1", "--rope-alpha", "30", "--rope-beta", "2"};
  parse_rope_cli_options(args);
  EXPECT_TRUE(args.empty());
}

}  // namespace
}  // namespace mrrope
