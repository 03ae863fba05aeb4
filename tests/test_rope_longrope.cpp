// LongRoPE as one more per-pair table: the file's short factors below L, its
// long ones above (llama.cpp's get_rope_factors switches on the context), the
// file's attention factor; and longrope on a model without factors of its own.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "rope/rope_schedule.h"

namespace mrrope {
namespace {

constexpr int kD = 8, kL = 1024;
constexpr double kBase = 10000;

// A Phi-3-like file: short factors as its f_i, long factors, attn_factor.
RopeModelParams phi3_model() {
  RopeModelParams m;
  m.n_rot = kD;
  m.freq_base = kBase;
  m.n_ctx_train = 32 * kL;
  m.n_ctx_orig = kL;
  m.freq_factors = {1.0f, 1.05f, 1.1f, 1.2f};
  m.longrope_long = {1.0f, 2.0f, 8.0f, 30.0f};
  m.native_scaling = NativeScaling::LongRope;
  m.attn_factor = std::sqrt(1 + std::log(32.0) / std::log(double(kL)));
  return m;
}

double theta(int i) { return std::pow(kBase, -2.0 * i / kD); }

TEST(RopeLongRope, IsAMethodId) {
  EXPECT_EQ(parse_rope_method("longrope"), RopeMethod::LongRope);
  EXPECT_EQ(rope_method_name(RopeMethod::LongRope), "longrope");
  EXPECT_EQ(parse_native_scaling("longrope"), NativeScaling::LongRope);
}

// Native on a LongRoPE file: short factors while the text fits L, long beyond;
// m is the file's attention factor either way (llama.cpp applies it always).
TEST(RopeLongRope, NativeSwitchesFromShortToLongFactorsPastL) {
  const RopeModelParams m = phi3_model();
  RopeParams p;  // native, auto S
  const RopeTable fits = build_rope_table(m, p, kL);
  EXPECT_EQ(fits.method, RopeMethod::LongRope);
  EXPECT_EQ(fits.scale, 1.0);
  for (int i = 0; i < kD / 2; ++i) EXPECT_NEAR(fits.inv_freq[i], theta(i) / m.freq_factors[i], 1e-7 * theta(i)) << i;
  EXPECT_FLOAT_EQ(fits.attn_factor, float(m.attn_factor));
  EXPECT_NE(fits.description.find("short factors"), std::string::npos) << fits.description;

  const RopeTable beyond = build_rope_table(m, p, kL + 1);
  EXPECT_GT(beyond.scale, 1.0);
  for (int i = 0; i < kD / 2; ++i) EXPECT_NEAR(beyond.inv_freq[i], theta(i) / m.longrope_long[i], 1e-7 * theta(i)) << i;
  EXPECT_FLOAT_EQ(beyond.attn_factor, float(m.attn_factor));
  EXPECT_NE(beyond.description.find("long factors"), std::string::npos) << beyond.description;
}

// The chosen method with a scale: long factors for any S > 1.
TEST(RopeLongRope, MethodWithScaleUsesLongFactors) {
  const RopeModelParams m = phi3_model();
  RopeParams p;
  p.method = RopeMethod::LongRope;
  p.scale = 4;
  const RopeTable t = build_rope_table(m, p, 0);
  for (int i = 0; i < kD / 2; ++i) {
    EXPECT_NEAR(t.divisor[i], double(m.longrope_long[i]) / m.freq_factors[i], 1e-12) << i;
    EXPECT_NEAR(t.inv_freq[i], theta(i) / m.longrope_long[i], 1e-7 * theta(i)) << i;
  }
}

// Other methods on a LongRoPE file extend its short-factor frequencies.
TEST(RopeLongRope, OtherMethodsKeepTheShortFactorsAsTrainedFrequencies) {
  const RopeModelParams m = phi3_model();
  RopeParams p;
  p.method = RopeMethod::Linear;
  p.scale = 4;
  const RopeTable t = build_rope_table(m, p, 0);
  for (int i = 0; i < kD / 2; ++i) EXPECT_NEAR(t.inv_freq[i], theta(i) / (m.freq_factors[i] * 4), 1e-7 * theta(i));
  EXPECT_NE(t.description.find("replaces the file's native longrope scaling"), std::string::npos) << t.description;
}

// On a model without factors: the user's long factors above S = 1, with
// LongRoPE's attention factor sqrt(1 + ln S / ln L).
TEST(RopeLongRope, UserFactorsOnAnyModel) {
  RopeModelParams m;
  m.n_rot = kD;
  m.freq_base = kBase;
  m.n_ctx_train = kL;
  RopeParams p;
  p.method = RopeMethod::LongRope;
  p.longrope_factors = {1.0, 1.5, 3.0, 8.0};
  p.scale = 8;
  const RopeTable t = build_rope_table(m, p, 0);
  for (int i = 0; i < kD / 2; ++i) EXPECT_DOUBLE_EQ(t.divisor[i], p.longrope_factors[i]);
  EXPECT_FLOAT_EQ(t.attn_factor, float(std::sqrt(1 + std::log(8.0) / std::log(double(kL)))));
  p.scale = 1;
  const RopeTable fits = build_rope_table(m, p, 0);
  for (double s : fits.divisor) EXPECT_EQ(s, 1.0);
  EXPECT_EQ(fits.attn_factor, 1.0f);
}

TEST(RopeLongRope, RefusedWithoutFactorsOrWithTheWrongCount) {
  RopeModelParams m;
  m.n_rot = kD;
  m.n_ctx_train = kL;
  RopeParams p;
  p.method = RopeMethod::LongRope;
  p.scale = 2;
  try {
    build_rope_table(m, p, 0);
    ADD_FAILURE() << "longrope without factors was accepted";
  } catch (const RopeError& e) {
    EXPECT_STREQ(e.what(),
                 "rope: longrope needs per-pair factors: the file's rope_factors_long/short (Phi-3 models) or long "
                 "factors of your own (--rope-factors FILE, D/2 = 4 values)");
  }
  p.longrope_factors = {1, 2, 3};
  try {
    build_rope_table(m, p, 0);
    ADD_FAILURE() << "3 factors for 4 pairs were accepted";
  } catch (const RopeError& e) {
    EXPECT_STREQ(e.what(), "rope: longrope factors for D=8 need D/2 = 4 values, got 3");
  }
}

}  // namespace
}  // namespace mrrope
