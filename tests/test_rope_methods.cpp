// The RoPE method registry: every id has one entry, the names round-trip, and
// every entry builds a table through build_rope_table. A new method adds its
// own numbers test beside these (test_rope_schedule.cpp).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "rope/rope_methods.h"

namespace mrrope::test {
namespace {

RopeModelParams llama_like() {
  RopeModelParams m;
  m.n_rot = 128;
  m.freq_base = 500000;
  m.n_ctx_train = 8192;
  return m;
}

TEST(RopeMethods, OneEntryPerIdWithUniqueNames) {
  std::set<RopeMethod> ids;
  std::set<std::string_view> names;
  for (const RopeMethodInfo& m : rope_methods()) {
    EXPECT_TRUE(ids.insert(m.id).second) << m.name;
    EXPECT_TRUE(names.insert(m.name).second) << m.name;
    EXPECT_FALSE(m.label.empty()) << m.name;
    EXPECT_EQ(parse_rope_method(m.name), m.id);
    EXPECT_EQ(rope_method_name(m.id), m.name);
    EXPECT_EQ(&rope_method_info(m.id), &m);
    // Only the file's own scaling has no schedule: it resolves to another method first.
    EXPECT_EQ(m.schedule == nullptr, m.from_file) << m.name;
  }
  EXPECT_EQ(ids.size(), size_t(RopeMethod::Native) + 1);  // the enum's last id
}

TEST(RopeMethods, ListsDerivedFromTheTable) {
  EXPECT_EQ(rope_method_names(), "none, linear, ntk, yarn, mrrope-uni, mrrope-pro, custom, longrope, native");
  EXPECT_EQ(rope_method_names_where([](const RopeMethodInfo& m) { return m.llama_cpp_scaling; }), "none, linear, yarn");
  EXPECT_EQ(rope_method_names_where(rope_method_needs_only_scale, ","), "none,linear,ntk,yarn,mrrope-uni,mrrope-pro");
}

TEST(RopeMethods, EveryEntryBuildsATable) {
  const RopeModelParams model = llama_like();
  for (const RopeMethodInfo& m : rope_methods()) {
    RopeParams p;
    p.method = m.id;
    p.scale = 4;
    if (m.uses & kUsesLambdas) p.custom_lambda.assign(63, 1.02);
    if (m.uses & kUsesLongFactors) p.longrope_factors.assign(64, 2.0);
    const RopeTable t = build_rope_table(model, p, 0);
    ASSERT_EQ(t.divisor.size(), 64u) << m.name;
    ASSERT_EQ(t.freq.size(), 64u) << m.name;
    for (size_t i = 0; i < t.freq.size(); ++i) EXPECT_EQ(t.inv_freq[i], static_cast<float>(t.freq[i])) << m.name;
    EXPECT_EQ(t.method, m.from_file ? RopeMethod::Linear : m.id) << m.name;  // no scaling key + S: linear
    EXPECT_EQ(t.scale == 1.0, m.scale_source == ScaleSource::One) << m.name;
  }
}

// The app plans a conversation's window from the user's S only for methods
// that take one: not none (never scales) nor native (the file's own scaling).
TEST(RopeMethods, UserScaleSetsTheWindowExceptForNoneAndNative) {
  for (const RopeMethodInfo& m : rope_methods()) {
    const bool expected = m.id != RopeMethod::None && m.id != RopeMethod::Native;
    EXPECT_EQ(rope_method_takes_user_scale(m), expected) << m.name;
    EXPECT_EQ(rope_method_takes_user_scale(m.id), expected) << m.name;
  }
}

}  // namespace
}  // namespace mrrope::test
