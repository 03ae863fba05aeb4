// Bad evaluation arguments give clear errors: each message is checked.
#include <gtest/gtest.h>

#include "eval/eval_args.h"
#include "eval/sweep.h"
#include "support/error_of.h"

namespace mrrope::test {
namespace {

std::string parse_error(std::vector<std::string> args) {
  return error_of([&] { parse_eval_args(args); });
}

TEST(EvalArgs, DefaultsAndValues) {
  const EvalArgs a = parse_eval_args({"ppl", "--methods", "none,yarn", "--lengths", "512,1k,2K", "--scale", "4",
                                      "--depths", "0,50,100", "--trials", "3", "--seed", "9", "-f", "doc.txt"});
  EXPECT_EQ(a.mode, "ppl");
  EXPECT_EQ(a.config.methods, (std::vector<RopeMethod>{RopeMethod::None, RopeMethod::Yarn}));
  EXPECT_EQ(a.config.lengths, (std::vector<int>{512, 1024, 2048}));
  EXPECT_EQ(a.config.scale, 4);
  EXPECT_EQ(a.config.depths, (std::vector<double>{0, 0.5, 1}));
  EXPECT_EQ(a.config.trials, 3);
  EXPECT_EQ(a.config.seed, 9u);
  EXPECT_EQ(a.text_file, "doc.txt");
  EXPECT_TRUE(a.config.reuse_prefix);
  const EvalArgs d = parse_eval_args({"passkey"});
  // The default: every method that needs nothing but S.
  EXPECT_EQ(d.config.methods, (std::vector<RopeMethod>{RopeMethod::None, RopeMethod::Linear, RopeMethod::Ntk,
                                                      RopeMethod::Yarn, RopeMethod::MrRopeUni, RopeMethod::MrRopePro}));
  EXPECT_EQ(d.config.scale, 0);  // auto
  EXPECT_EQ(d.threshold, 0.85);
  EXPECT_EQ(d.margin, 0.10);
  EXPECT_EQ(parse_eval_args({"niah", "--scale", "auto", "--no-prefix-reuse"}).config.reuse_prefix, false);
  EXPECT_EQ(d.config.seeds, 1);
  EXPECT_EQ(d.compare_a, RopeMethod::MrRopePro);
  EXPECT_EQ(d.compare_b, RopeMethod::Yarn);
  const EvalArgs s = parse_eval_args({"all", "--seed", "4", "--seeds", "3", "--compare", "mrrope-uni,ntk"});
  EXPECT_EQ(s.config.seed, 4u);
  EXPECT_EQ(s.config.seeds, 3);
  EXPECT_EQ(s.compare_a, RopeMethod::MrRopeUni);
  EXPECT_EQ(s.compare_b, RopeMethod::Ntk);
}

TEST(EvalArgs, SeedsAndCompare) {
  EXPECT_EQ(parse_error({"ppl", "--seeds", "0"}), "seeds must be within 1..1000 (got 0)");
  EXPECT_EQ(parse_error({"ppl", "--compare", "yarn"}), "--compare takes two different methods, e.g. mrrope-pro,yarn");
  EXPECT_EQ(parse_error({"ppl", "--compare", "yarn,yarn"}), "--compare takes two different methods, e.g. mrrope-pro,yarn");
  EXPECT_EQ(parse_error({"ppl", "--compare", "yarn,bogus"}).rfind("unknown RoPE method 'bogus'", 0), 0u);
}

TEST(EvalArgs, UnknownMethod) {
  EXPECT_EQ(parse_error({"ppl", "--methods", "none,bogus"}).rfind("unknown RoPE method 'bogus'; valid: none, linear", 0), 0u)
      << parse_error({"ppl", "--methods", "none,bogus"});
}

TEST(EvalArgs, LengthBelowOne) {
  EXPECT_EQ(parse_error({"ppl", "--lengths", "512,0"}), "length 0 is below 1 token");
  EXPECT_EQ(parse_error({"ppl", "--lengths", "-5"}), "length -5 is below 1 token");
  EXPECT_EQ(parse_error({"ppl", "--lengths", "5x"}), "bad length '5x' (e.g. 512, 2k)");
}

TEST(EvalArgs, EmptyLists) {
  EXPECT_EQ(parse_error({"ppl", "--methods", ""}), "the methods list is empty");
  EXPECT_EQ(parse_error({"ppl", "--lengths", ""}), "the lengths list is empty");
  EXPECT_EQ(parse_error({"ppl", "--lengths", "512,,1k"}), "empty item in the lengths list '512,,1k'");
  EXPECT_EQ(parse_error({"passkey", "--depths", ""}), "the depths list is empty");
}

TEST(EvalArgs, OtherMistakes) {
  const std::string modes = "ppl, passkey, niah, niah-multikey, niah-multivalue, niah-multiquery, variable-tracking, "
                            "common-words, doc-qa, ruler or all";
  EXPECT_EQ(parse_error({}), "eval needs a mode: " + modes);
  EXPECT_EQ(parse_error({"bleu"}), "unknown eval mode 'bleu' (" + modes + ")");
  EXPECT_EQ(parse_error({"ppl", "--lengths"}), "--lengths needs a value");
  EXPECT_EQ(parse_error({"ppl", "--frobnicate"}), "unknown argument '--frobnicate' (see mrrope-cli help eval)");
  EXPECT_EQ(parse_error({"ppl", "--scale", "0.5"}), "--scale must be at least 1 or auto, got 0.5");
  EXPECT_EQ(parse_error({"ppl", "--trials", "0"}), "trials must be at least 1 (got 0)");
  EXPECT_EQ(parse_error({"ppl", "--depths", "150"}), "depth 150 is outside 0-100 (%)");
  EXPECT_EQ(parse_error({"ppl", "--passkey-needle", "no key"}), "--passkey-needle must contain {N} (the key)");
}

TEST(EvalArgs, ValidateChecksTheModelAndTheConfig) {
  ModelConfig model;
  model.rope.n_rot = 64;
  SweepConfig c;
  EXPECT_EQ(error_of([&] { validate(c, model); }), "");
  model.rope.n_rot = 0;
  EXPECT_EQ(error_of([&] { validate(c, model); }),
            "the model has no rotary position embedding (n_rot = 0): RoPE scaling does not apply");
  model.rope.n_rot = 64;
  c.methods = {};
  EXPECT_EQ(error_of([&] { validate(c, model); }).rfind("no RoPE methods given; choose from: none,", 0), 0u);
  // Names become ids before a config exists; the unknown one is named.
  EXPECT_EQ(error_of([&] { parse_method_list({"yarn", "Yarn"}); }).rfind("unknown RoPE method 'Yarn'", 0), 0u);
  c.methods = {RopeMethod::Yarn};
  c.lengths = {};
  EXPECT_EQ(error_of([&] { validate(c, model); }), "no lengths given");
  c.lengths = {512, 0};
  EXPECT_EQ(error_of([&] { validate(c, model); }), "length 0 is below 1 token");
}

}  // namespace
}  // namespace mrrope::test
