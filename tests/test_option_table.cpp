// The option table behind every command line (no GPU): both spellings of a
// value, switches, missing and bad values, unknown flags, the checks after
// the last argument, and help that lists every option once.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "options/option_table.h"
#include "support/error_of.h"

namespace mrrope {
namespace {

using Args = std::vector<std::string>;

struct Values {
  int count = 0;
  double rate = 0;
  std::string name;
  bool quiet = false;
  std::vector<std::string> tags;
};

OptionTable table_of(Values& v) {
  OptionTable t("tool --help");
  t.section("main");
  t.value({"-c", "--count"}, "N", "how many", [&v](const std::string& f, const std::string& s) { v.count = parse_int(f, s); });
  t.value({"--rate"}, "R", "how fast\nin units per second", [&v](const std::string& f, const std::string& s) {
    v.rate = parse_number(f, s);
  });
  t.section("more");
  t.value({"--name"}, "TEXT", "a name", [&v](const std::string&, const std::string& s) { v.name = s; });
  t.value({"--tag"}, "TAG", "repeatable", [&v](const std::string&, const std::string& s) { v.tags.push_back(s); });
  t.flag({"-q", "--quiet"}, "no progress", [&v] { v.quiet = true; });
  return t;
}

std::string parse_error(Args args) {
  Values v;
  return test::error_of([&] { table_of(v).parse(args); });
}

TEST(OptionTable, BothSpellingsShortAndLongNames) {
  Values v;
  table_of(v).parse({"--count", "3", "--rate=2.5", "-q", "--name=a=b", "--tag", "x", "--tag=y", "-c=7"});
  EXPECT_EQ(v.count, 7);  // the last one wins
  EXPECT_EQ(v.rate, 2.5);
  EXPECT_EQ(v.name, "a=b");  // split at the first '='
  EXPECT_TRUE(v.quiet);
  EXPECT_EQ(v.tags, (Args{"x", "y"}));
  Values w;
  table_of(w).parse({"-c", "-4", "--name", "--rate"});  // a value may look like a flag
  EXPECT_EQ(w.count, -4);
  EXPECT_EQ(w.name, "--rate");
}

TEST(OptionTable, MissingValuesAndSwitchesWithValues) {
  EXPECT_EQ(parse_error({"--count"}), "--count needs a value");
  EXPECT_EQ(parse_error({"-q", "-c"}), "-c needs a value");
  EXPECT_EQ(parse_error({"--quiet=yes"}), "--quiet takes no value, got 'yes'");
}

TEST(OptionTable, OneNumberParserOneWording) {
  EXPECT_EQ(parse_error({"--count", "abc"}), "--count expects a number, got 'abc'");
  EXPECT_EQ(parse_error({"-c=1.5"}), "-c expects an integer, got '1.5'");
  EXPECT_EQ(parse_error({"-c", "1000000000000"}), "-c is out of range: 1000000000000 (at most 2147483647)");
  EXPECT_EQ(parse_error({"-c", "-3000000000"}), "-c is out of range: -3000000000 (at least -2147483648)");
  EXPECT_EQ(parse_error({"--rate", "2x"}), "--rate expects a number, got '2x'");
  EXPECT_EQ(parse_error({"--rate", "inf"}), "--rate expects a number, got 'inf'");
  EXPECT_EQ(parse_error({"--rate="}), "--rate expects a number, got ''");
  EXPECT_EQ(parse_int("-n", "1e3"), 1000);
  EXPECT_EQ(parse_integer("--seed", "9007199254740993", 0, 1LL << 62), 9007199254740993LL);  // exact past 2^53
  EXPECT_EQ(test::error_of([] { parse_integer("--seed", "99999999999999999999", 0, 1LL << 62); }),
            "--seed is out of range: 99999999999999999999 (at most 4611686018427387904)");
}

TEST(OptionTable, UnknownFlagsAndWordsAreRefusedByName) {
  EXPECT_EQ(parse_error({"--frobnicate"}), "unknown argument '--frobnicate' (see tool --help)");
  EXPECT_EQ(parse_error({"--frobnicate=1"}), "unknown argument '--frobnicate=1' (see tool --help)");
  EXPECT_EQ(parse_error({"-c", "1", "extra"}), "unknown argument 'extra' (see tool --help)");
  Values v;
  Args words;
  table_of(v).parse({"ppl", "-c", "2", "-", "-5", "--", "--count"}, &words);
  EXPECT_EQ(words, (Args{"ppl", "-", "-5", "--count"}));  // after "--" everything is a word
  EXPECT_EQ(v.count, 2);
  EXPECT_EQ(test::error_of([&] { table_of(v).parse({"ppl", "--nope"}, &words); }),
            "unknown argument '--nope' (see tool --help)");
}

TEST(OptionTable, TakeLeavesOtherArgumentsInOrder) {
  Values v;
  Args args = {"-m", "x.gguf", "--count=4", "--other", "1", "-q", "prompt"};
  table_of(v).take(args);
  EXPECT_EQ(args, (Args{"-m", "x.gguf", "--other", "1", "prompt"}));
  EXPECT_EQ(v.count, 4);
  EXPECT_TRUE(v.quiet);
}

TEST(OptionTable, ChecksRunAfterTheLastArgument) {
  Values v;
  OptionTable t = table_of(v);
  t.after([&v] {
    if (v.count > 0 && v.name.empty()) throw std::invalid_argument("--count needs --name");
  });
  EXPECT_EQ(test::error_of([&] { t.parse({"-c", "2"}); }), "--count needs --name");
  EXPECT_EQ(test::error_of([&] { t.parse({"-c", "2", "--name", "n"}); }), "");
}

TEST(OptionTable, HelpListsEveryOptionOnceUnderItsSection) {
  Values v;
  bool asked = false;
  OptionTable t = table_of(v);
  t.help_option(&asked);
  const std::string help = t.help();
  for (const char* name : {"-c, --count N", "--rate R", "--name TEXT", "--tag TAG", "-q, --quiet", "-h, --help"}) {
    const size_t at = help.find(name);
    EXPECT_NE(at, std::string::npos) << name << "\n" << help;
    EXPECT_EQ(help.find(name, at + 1), std::string::npos) << name << " twice\n" << help;
  }
  EXPECT_LT(help.find("main:\n"), help.find("--count"));
  EXPECT_LT(help.find("more:\n"), help.find("--name"));
  // A continuation line starts where the text of its first line does.
  const size_t line = help.rfind('\n', help.find("how fast")) + 1;
  const size_t indent = help.find("how fast") - line;
  EXPECT_NE(help.find("how fast\n" + std::string(indent, ' ') + "in units per second"), std::string::npos) << help;
  t.parse({"--help"});
  EXPECT_TRUE(asked);
}

TEST(OptionTable, RemoveAndDuplicates) {
  Values v;
  OptionTable t = table_of(v);
  EXPECT_TRUE(t.has("--count"));
  t.remove("-c");
  EXPECT_FALSE(t.has("--count"));
  t.value({"--count"}, "N", "another count", [](const std::string&, const std::string&) {});
  EXPECT_THROW(t.flag({"--quiet"}, "twice", [] {}), std::logic_error);
}

TEST(OptionTable, IntegerLists) {
  EXPECT_EQ(parse_int_list("--batches", "512,2048", 1, 1 << 20), (std::vector<int>{512, 2048}));
  EXPECT_EQ(test::error_of([] { parse_int_list("--batches", "5,,8", 1, 100); }), "--batches expects a number, got ''");
  EXPECT_EQ(test::error_of([] { parse_int_list("--batches", "0", 1, 100); }), "--batches is out of range: 0 (at least 1)");
}

}  // namespace
}  // namespace mrrope
