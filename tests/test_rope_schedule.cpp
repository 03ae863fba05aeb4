// The RoPE schedule module against docs/rope.md ("the doc"):
// every identity the doc requires, the worked boundary values, the Llama 3.1
// factors, native scaling, auto S, custom schedule files and inspection, and
// yarn against an independent re-implementation of llama.cpp's formula.
//
// Tolerances: divisors are computed in double; where two routes to the same
// divisor differ only by rounding (pow vs a running product, a sum of
// exponents) we allow 1e-12 relative. Float outputs (inv_freq, m) compared
// with a double or float re-computation allow 1e-6 relative (a few float ulp).
// Bounds (1 <= s_i <= S, non-decreasing) are checked exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "rope/rope_schedule.h"

namespace mrrope {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kRoundingTol = 1e-12;  // relative, double-vs-double
constexpr double kFloatTol = 1e-6;      // relative, float outputs

RopeModelParams model_of(int n_rot, double base, int orig_ctx) {
  RopeModelParams m;
  m.n_rot = n_rot;
  m.freq_base = base;
  m.n_ctx_train = orig_ctx;
  return m;
}

RopeParams params_of(RopeMethod method, double scale) {
  RopeParams p;
  p.method = method;
  p.scale = scale;
  return p;
}

RopeModelParams llama3_8b() { return model_of(128, 500000, 8192); }

void expect_rel_near(double got, double want, double tol, const std::string& what) {
  EXPECT_LE(std::abs(got - want), tol * std::abs(want)) << what << ": got " << got << " want " << want;
}

void expect_same_divisors(const RopeTable& a, const RopeTable& b, double tol, const std::string& what) {
  ASSERT_EQ(a.divisor.size(), b.divisor.size()) << what;
  for (size_t i = 0; i < a.divisor.size(); ++i)
    expect_rel_near(a.divisor[i], b.divisor[i], tol, what + " pair " + std::to_string(i));
}

const std::vector<RopeMethod> kScalingMethods = {RopeMethod::None,      RopeMethod::Linear,   RopeMethod::Ntk,
                                                 RopeMethod::Yarn,      RopeMethod::MrRopeUni, RopeMethod::MrRopePro};

TEST(RopeSchedule, MethodIdsRoundTripAndUnknownListsValidOnes) {
  for (RopeMethod m : {RopeMethod::None, RopeMethod::Linear, RopeMethod::Ntk, RopeMethod::Yarn, RopeMethod::MrRopeUni,
                       RopeMethod::MrRopePro, RopeMethod::Custom, RopeMethod::Native})
    EXPECT_EQ(parse_rope_method(rope_method_name(m)), m);
  EXPECT_EQ(parse_rope_method("mrrope-pro"), RopeMethod::MrRopePro);
  try {
    parse_rope_method("mrope");
    FAIL() << "no error";
  } catch (const RopeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("mrope"), std::string::npos);
    EXPECT_NE(msg.find("none, linear, ntk, yarn, mrrope-uni, mrrope-pro, custom, longrope, native"), std::string::npos) << msg;
  }
}

// Doc, "Correction boundaries": the worked values.
TEST(RopeSchedule, WorkedCorrectionBoundaries) {
  struct Case { int D; double b; int L; int d_l, d_h; };
  for (const Case& c : {Case{128, 500000, 8192, 18, 35}, Case{128, 1e6, 32768, 23, 40}, Case{64, 10000, 512, 3, 16}}) {
    const CorrectionBounds doc = rope_correction_bounds(c.D, c.b, c.L, 32, 1);
    EXPECT_EQ(doc.d_low, c.d_l) << c.D << " " << c.b << " " << c.L;
    EXPECT_EQ(doc.d_high, c.d_h) << c.D << " " << c.b << " " << c.L;
    // Below D/2 llama.cpp's boundaries agree with the doc's.
    const CorrectionBounds llama = yarn_correction_bounds_llama(c.D, c.b, c.L, 32, 1);
    EXPECT_EQ(llama.d_low, c.d_l);
    EXPECT_EQ(llama.d_high, c.d_h);
    // And the table reports them.
    const RopeTable t = build_rope_table(model_of(c.D, c.b, c.L), params_of(RopeMethod::MrRopePro, 4), 0);
    EXPECT_EQ(t.d_low, c.d_l);
    EXPECT_EQ(t.d_high, c.d_h);
  }
}

// d_h is clamped at D-1 as in the MrRoPE paper's code and llama.cpp, not at
// the last pair D/2-1. They differ only when corr(beta) > D/2-1 (L > 2 pi b):
// D = 64, b = 1e4, L = 1e6 gives the band (29, 42), which runs past the last
// pair (31), so mrrope-uni divides pair 31 by S^(2/13) and never reaches S.
TEST(RopeSchedule, HighBoundaryIsClampedAtDMinusOneLikeThePapersCode) {
  const int D = 64, L = 1000000;
  const double b = 10000, S = 4;
  ASSERT_GT(rope_corr_dim(D, b, L, 1), D / 2);
  const CorrectionBounds bounds = rope_correction_bounds(D, b, L, 32, 1);
  EXPECT_EQ(bounds.d_low, 29);
  EXPECT_EQ(bounds.d_high, 42);
  EXPECT_EQ(bounds.d_high, yarn_correction_bounds_llama(D, b, L, 32, 1).d_high);
  const RopeTable uni = build_rope_table(model_of(D, b, L), params_of(RopeMethod::MrRopeUni, S), 0);
  EXPECT_EQ(uni.d_low, 29);
  EXPECT_EQ(uni.d_high, 42);
  for (int i = 0; i < D / 2; ++i) {
    const double want = std::pow(S, std::clamp(i - 29, 0, 13) / 13.0);
    expect_rel_near(uni.divisor[i], want, kRoundingTol, "pair " + std::to_string(i));
  }
  EXPECT_LT(uni.divisor[D / 2 - 1], S);
  // Where corr(beta) stays below D/2 the clamp changes nothing (Llama-3-8B: 18, 35).
  EXPECT_EQ(rope_correction_bounds(128, 500000, 8192, 32, 1).d_high, 35);
}

// Doc, "The methods": 1 <= s_i <= S, non-decreasing, for every method, over a grid.
TEST(RopeSchedule, DivisorsBoundedByOneAndScaleAndNonDecreasing) {
  for (int D : {32, 64, 96, 128})
    for (double b : {10000.0, 500000.0, 1e6})
      for (int L : {512, 4096, 32768})
        for (double S : {1.0, 1.5, 4.0, 16.0, 64.0})
          for (RopeMethod method : kScalingMethods) {
            const RopeTable t = build_rope_table(model_of(D, b, L), params_of(method, S), 0);
            const std::string what = std::string(rope_method_name(method)) + " D=" + std::to_string(D) +
                                     " b=" + std::to_string(b) + " L=" + std::to_string(L) + " S=" + std::to_string(S);
            ASSERT_EQ(t.divisor.size(), size_t(D / 2)) << what;
            const double applied = method == RopeMethod::None ? 1.0 : S;
            EXPECT_EQ(t.scale, applied) << what;
            for (int i = 0; i < D / 2; ++i) {
              EXPECT_GE(t.divisor[i], 1.0) << what << " i=" << i;
              EXPECT_LE(t.divisor[i], applied) << what << " i=" << i;
              if (i > 0) {
                EXPECT_GE(t.divisor[i], t.divisor[i - 1]) << what << " i=" << i;
              }
            }
            EXPECT_GE(t.attn_factor, 1.0f) << what;
          }
}

// Doc identity: custom with lambda_j = S^(1/(D/2-1)) equals ntk (and mrrope-uni with d_l=0, d_h=D/2-1).
TEST(RopeSchedule, CustomWithEqualLambdasEqualsNtk) {
  for (int D : {64, 128})
    for (double S : {2.0, 8.0, 32.0}) {
      const RopeModelParams model = model_of(D, 500000, 8192);
      RopeParams custom = params_of(RopeMethod::Custom, 0);
      custom.custom_lambda.assign(D / 2 - 1, std::pow(S, 1.0 / (D / 2 - 1)));
      const RopeTable ntk = build_rope_table(model, params_of(RopeMethod::Ntk, S), 0);
      const RopeTable c = build_rope_table(model, custom, 0);
      expect_same_divisors(c, ntk, kRoundingTol, "custom vs ntk");
      expect_rel_near(c.scale, S, kRoundingTol, "custom S");
      // The identity is of frequencies only: ntk keeps m = 1, custom takes the
      // MrRoPE default m = 1 + 0.1 ln S unless the user sets it.
      EXPECT_DOUBLE_EQ(ntk.attn_factor, 1.0);
      EXPECT_NEAR(c.attn_factor, 1 + 0.1 * std::log(S), 1e-6);

      RopeParams uni = params_of(RopeMethod::MrRopeUni, S);
      uni.force_d_low = 0;
      uni.force_d_high = D / 2 - 1;
      expect_same_divisors(build_rope_table(model, uni, 0), ntk, kRoundingTol, "uni full band vs ntk");
    }
}

// Doc identity: mrrope-uni/pro with d_l = d_h = 0 equals linear (exactly: the w = 0 rule).
TEST(RopeSchedule, MrRopeWithZeroBoundariesEqualsLinear) {
  const RopeModelParams model = llama3_8b();
  const RopeTable linear = build_rope_table(model, params_of(RopeMethod::Linear, 6), 0);
  for (RopeMethod method : {RopeMethod::MrRopeUni, RopeMethod::MrRopePro}) {
    RopeParams p = params_of(method, 6);
    p.force_d_low = 0;
    p.force_d_high = 0;
    const RopeTable t = build_rope_table(model, p, 0);
    EXPECT_EQ(t.divisor, linear.divisor);
    EXPECT_EQ(t.inv_freq, linear.inv_freq);
    // Frequencies only: linear keeps m = 1, MrRoPE its 1 + 0.1 ln S.
    EXPECT_DOUBLE_EQ(linear.attn_factor, 1.0);
    EXPECT_NEAR(t.attn_factor, 1 + 0.1 * std::log(6.0), 1e-6);
  }
}

// Doc identity: any method at S = 1 equals none.
TEST(RopeSchedule, EveryMethodAtScaleOneEqualsNone) {
  const RopeModelParams model = model_of(128, 1e6, 32768);
  const RopeTable none = build_rope_table(model, params_of(RopeMethod::None, 1), 0);
  std::vector<RopeParams> all;
  for (RopeMethod m : kScalingMethods) all.push_back(params_of(m, 1));
  RopeParams custom = params_of(RopeMethod::Custom, 0);
  custom.custom_lambda.assign(63, 1.0);
  all.push_back(custom);
  for (const RopeParams& p : all) {
    const RopeTable t = build_rope_table(model, p, 0);
    EXPECT_EQ(t.divisor, none.divisor) << rope_method_name(p.method);
    EXPECT_EQ(t.inv_freq, none.inv_freq) << rope_method_name(p.method);
    EXPECT_EQ(t.attn_factor, 1.0f) << rope_method_name(p.method);
  }
}

// Doc, "Where the MrRoPE formulas come from": Pro's lambdas grow, their exponents
// sum to 1 (s_{d_l} = 1, s_{d_h} = S), and the divisors match the closed forms of the table.
TEST(RopeSchedule, MrRopeProIsProgressiveAndReachesScaleAtHighBoundary) {
  const double S = 16;
  const RopeTable pro = build_rope_table(llama3_8b(), params_of(RopeMethod::MrRopePro, S), 0);
  const RopeTable uni = build_rope_table(llama3_8b(), params_of(RopeMethod::MrRopeUni, S), 0);
  const int d_l = pro.d_low, d_h = pro.d_high, w = d_h - d_l;
  ASSERT_EQ(d_l, 18);
  ASSERT_EQ(d_h, 35);
  EXPECT_EQ(pro.divisor[d_l], 1.0);
  expect_rel_near(pro.divisor[d_h], S, kRoundingTol, "s_{d_h}");
  double exponent_sum = 0, previous_lambda = 1;
  for (int j = d_l; j < d_h; ++j) {
    const double lambda = pro.divisor[j + 1] / pro.divisor[j];
    EXPECT_GT(lambda, previous_lambda) << "lambda_" << j << " not larger than lambda_" << j - 1;
    previous_lambda = lambda;
    exponent_sum += std::log(lambda) / std::log(S);
    // The paper's lambda formula.
    expect_rel_near(lambda, std::pow(S, 2.0 * (1 + j - d_l) / ((1.0 + d_h - d_l) * (d_h - d_l))), 1e-11, "lambda");
  }
  EXPECT_NEAR(exponent_sum, 1.0, 1e-12);
  for (int i = 0; i < 64; ++i) {
    const int k = std::clamp(i - d_l, 0, w);
    expect_rel_near(pro.divisor[i], std::pow(S, double(k) * (k + 1) / (double(w) * (w + 1))), kRoundingTol, "pro");
    expect_rel_near(uni.divisor[i], std::pow(S, double(k) / w), kRoundingTol, "uni");
    // Pro keeps the middle pairs closer to their trained frequencies than Uni.
    EXPECT_LE(pro.divisor[i], uni.divisor[i] * (1 + kRoundingTol)) << i;
  }
  // Both use YaRN's temperature.
  EXPECT_NEAR(pro.attn_factor, 1 + 0.1 * std::log(S), 1e-6);
  EXPECT_NEAR(uni.attn_factor, 1 + 0.1 * std::log(S), 1e-6);
}

// Doc: if w = 0, mrrope-* is linear for pairs i >= d_h and none below.
TEST(RopeSchedule, MrRopeZeroWidthBandFallsBackToLinearAboveAndNoneBelow) {
  for (RopeMethod method : {RopeMethod::MrRopeUni, RopeMethod::MrRopePro}) {
    RopeParams p = params_of(method, 5);
    p.force_d_low = 20;
    p.force_d_high = 20;
    const RopeTable t = build_rope_table(llama3_8b(), p, 0);
    for (int i = 0; i < 64; ++i) EXPECT_EQ(t.divisor[i], i >= 20 ? 5.0 : 1.0) << i;
  }
}

// Doc: yarn's m = 1 + 0.1 ln S.
TEST(RopeSchedule, YarnAttentionFactorIsOnePlusTenthLogScale) {
  for (double S : {1.0, 2.0, 4.0, 8.0, 32.0}) {
    const RopeTable t = build_rope_table(llama3_8b(), params_of(RopeMethod::Yarn, S), 0);
    EXPECT_NEAR(t.attn_factor, 1 + 0.1 * std::log(S), 1e-6) << S;
  }
}

// An independent re-implementation of llama.cpp's yarn (ggml-cpu ops.cpp:
// ggml_rope_yarn_corr_dims, rope_yarn_ramp, rope_yarn), in float as ggml does.
// The base frequency b^(-2i/D) is taken in double: ggml forms it per position by
// repeated float multiplication, a rounding detail outside the schedule.
struct LlamaCppYarn {
  float corr_dims[2];
  std::vector<float> inv_freq;
  float mscale;
};

LlamaCppYarn llama_cpp_yarn(int n_dims, int n_ctx_orig, float freq_base, float freq_scale, float ext_factor,
                            float attn_factor, float beta_fast, float beta_slow, const std::vector<float>& ff) {
  auto corr_dim = [&](float n_rot) {
    return n_dims * logf(n_ctx_orig / (n_rot * 2 * (float)kPi)) / (2 * logf(freq_base));
  };
  LlamaCppYarn out;
  out.corr_dims[0] = std::max(0.0f, floorf(corr_dim(beta_fast)));
  out.corr_dims[1] = std::min(float(n_dims - 1), ceilf(corr_dim(beta_slow)));
  out.mscale = attn_factor;
  for (int i0 = 0; i0 < n_dims; i0 += 2) {
    const float theta_extrap = float(std::pow(double(freq_base), -double(i0) / n_dims)) / (ff.empty() ? 1.0f : ff[i0 / 2]);
    const float y = (i0 / 2 - out.corr_dims[0]) / std::max(0.001f, out.corr_dims[1] - out.corr_dims[0]);
    const float ramp = 1 - std::min(1.0f, std::max(0.0f, y));
    const float theta_interp = freq_scale * theta_extrap;
    float theta = theta_interp;
    if (ext_factor != 0.0f) {
      const float ramp_mix = ramp * ext_factor;
      theta = theta_interp * (1 - ramp_mix) + theta_extrap * ramp_mix;
    }
    out.inv_freq.push_back(theta);
  }
  if (ext_factor != 0.0f) out.mscale *= 1.0f + 0.1f * logf(1.0f / freq_scale);
  return out;
}

TEST(RopeSchedule, YarnMatchesLlamaCppFormula) {
  struct Case { int D; double b; int L; double S; double ext; std::vector<float> ff; };
  const std::vector<Case> cases = {
      {128, 500000, 8192, 4, 1, {}},
      {128, 1e6, 32768, 4, 1, {}},
      {64, 10000, 512, 8, 1, {}},
      {64, 10000, 1000000, 2, 1, {}},  // corr(beta) > D/2: llama.cpp's D-1 clamp matters
      {128, 500000, 8192, 3, 0.5, {}},
      {128, 500000, 8192, 16, 1, llama3_freq_factors(128, 500000, 8, 1, 4, 8192)},
  };
  for (const Case& c : cases) {
    RopeModelParams model = model_of(c.D, c.b, c.L);
    model.freq_factors = c.ff;
    RopeParams p = params_of(RopeMethod::Yarn, c.S);
    p.yarn_ext_factor = c.ext;
    const RopeTable t = build_rope_table(model, p, 0);
    const LlamaCppYarn want =
        llama_cpp_yarn(c.D, c.L, float(c.b), 1.0f / float(c.S), float(c.ext), 1.0f, 32, 1, c.ff);
    const std::string what = "D=" + std::to_string(c.D) + " L=" + std::to_string(c.L) + " S=" + std::to_string(c.S);
    EXPECT_EQ(t.d_low, int(want.corr_dims[0])) << what;
    EXPECT_EQ(t.d_high, int(want.corr_dims[1])) << what;
    EXPECT_EQ(t.attn_factor, want.mscale) << what;
    for (int i = 0; i < c.D / 2; ++i) expect_rel_near(t.inv_freq[i], want.inv_freq[i], kFloatTol, what + " i=" + std::to_string(i));
  }
}

// Doc: ntk is the base change b' = b * S^(D/(D-2)).
TEST(RopeSchedule, NtkEqualsBaseChange) {
  for (int D : {64, 128})
    for (double S : {2.0, 10.0}) {
      const double b = 10000, b_prime = b * std::pow(S, double(D) / (D - 2));
      const RopeTable ntk = build_rope_table(model_of(D, b, 4096), params_of(RopeMethod::Ntk, S), 0);
      RopeParams rebased = params_of(RopeMethod::None, 1);
      rebased.freq_base = b_prime;
      const RopeTable none = build_rope_table(model_of(D, b, 4096), rebased, 0);
      for (int i = 0; i < D / 2; ++i) {
        const double divisor_from_base = std::pow(b, -2.0 * i / D) / std::pow(b_prime, -2.0 * i / D);
        expect_rel_near(ntk.divisor[i], divisor_from_base, kRoundingTol, "ntk divisor");
        expect_rel_near(ntk.inv_freq[i], none.inv_freq[i], kFloatTol, "ntk inv_freq");
      }
    }
}

// Doc, "The Llama 3.1 schedule". Pair 32 by hand: lam = 2 pi sqrt(500000) = 4442.883,
// t = (8192/4442.883 - 1)/3 = 0.281286, s = 1/((1 - t)/8 + t) = 2.69453.
TEST(RopeSchedule, Llama31FreqFactorsKnownValues) {
  const std::vector<float> f = llama3_freq_factors(128, 500000, 8, 1, 4, 8192);
  ASSERT_EQ(f.size(), 64u);
  for (int i = 0; i <= 28; ++i) EXPECT_EQ(f[i], 1.0f) << i;  // wavelength < L/4 = 2048
  for (int i = 35; i < 64; ++i) EXPECT_EQ(f[i], 8.0f) << i;  // wavelength > L = 8192
  EXPECT_NEAR(f[32], 2.69453, 1e-4);
  for (int i = 29; i <= 34; ++i) {
    EXPECT_GT(f[i], f[i - 1]) << i;
    EXPECT_LT(f[i], 8.0f) << i;
  }
}

TEST(RopeSchedule, NativeAppliesFileFreqFactorsWithoutScaling) {
  RopeModelParams model = model_of(128, 500000, 131072);
  model.n_ctx_orig = 0;  // Llama 3.1 files carry no original_context_length
  model.freq_factors = llama3_freq_factors(128, 500000, 8, 1, 4, 8192);
  const RopeTable t = build_rope_table(model, RopeParams{}, 0);
  EXPECT_EQ(t.method, RopeMethod::None);
  EXPECT_EQ(t.n_ctx_orig, 131072);
  EXPECT_EQ(t.attn_factor, 1.0f);
  for (int i = 0; i < 64; ++i) {
    EXPECT_EQ(t.divisor[i], 1.0);
    expect_rel_near(t.inv_freq[i], std::pow(500000.0, -2.0 * i / 128) / model.freq_factors[i], kFloatTol, "inv_freq");
  }
  EXPECT_NE(t.description.find("rope_freqs"), std::string::npos) << t.description;

  // A user method keeps f_i (as llama.cpp does) and says so.
  const RopeTable pro = build_rope_table(model, params_of(RopeMethod::MrRopePro, 2), 0);
  for (int i = 0; i < 64; ++i)
    expect_rel_near(pro.inv_freq[i], std::pow(500000.0, -2.0 * i / 128) / (model.freq_factors[i] * pro.divisor[i]),
                    kFloatTol, "pro inv_freq");
  EXPECT_NE(pro.description.find("on top"), std::string::npos) << pro.description;
}

TEST(RopeSchedule, NativeLinearAndYarnFollowTheFile) {
  RopeModelParams linear_file = model_of(128, 10000, 4096);
  linear_file.native_scaling = NativeScaling::Linear;
  linear_file.native_factor = 4;
  const RopeTable lin = build_rope_table(linear_file, RopeParams{}, 0);
  EXPECT_EQ(lin.method, RopeMethod::Linear);
  EXPECT_EQ(lin.scale, 4.0);
  EXPECT_EQ(lin.attn_factor, 1.0f);
  for (double s : lin.divisor) EXPECT_EQ(s, 4.0);

  // Qwen2.5 with YaRN: factor 4, original_context_length 32768.
  RopeModelParams yarn_file = model_of(128, 1e6, 131072);
  yarn_file.n_ctx_orig = 32768;
  yarn_file.native_scaling = NativeScaling::Yarn;
  yarn_file.native_factor = 4;
  const RopeTable native = build_rope_table(yarn_file, RopeParams{}, 0);
  RopeModelParams plain = model_of(128, 1e6, 32768);
  const RopeTable explicit_yarn = build_rope_table(plain, params_of(RopeMethod::Yarn, 4), 0);
  EXPECT_EQ(native.method, RopeMethod::Yarn);
  EXPECT_EQ(native.n_ctx_orig, 32768);
  EXPECT_EQ(native.divisor, explicit_yarn.divisor);
  EXPECT_EQ(native.attn_factor, explicit_yarn.attn_factor);
  EXPECT_EQ(native.d_low, 23);
  EXPECT_EQ(native.d_high, 40);

  // The file's attn_factor multiplies m (llama.cpp: *= hparams.rope_attn_factor).
  yarn_file.attn_factor = 1.5;
  EXPECT_NEAR(build_rope_table(yarn_file, RopeParams{}, 0).attn_factor, 1.5 * (1 + 0.1 * std::log(4.0)), 1e-6);

  // A user S with native keeps the file's type (llama.cpp --rope-scale without --rope-scaling).
  RopeParams user_scale;
  user_scale.scale = 8;
  const RopeTable y8 = build_rope_table(yarn_file, user_scale, 0);
  EXPECT_EQ(y8.method, RopeMethod::Yarn);
  EXPECT_EQ(y8.scale, 8.0);
  const RopeTable l8 = build_rope_table(model_of(128, 10000, 4096), user_scale, 0);
  EXPECT_EQ(l8.method, RopeMethod::Linear);  // no type key: llama.cpp's default is linear
  EXPECT_EQ(l8.scale, 8.0);

  // No scaling in the file: plain RoPE.
  EXPECT_EQ(build_rope_table(model_of(128, 10000, 4096), RopeParams{}, 0).method, RopeMethod::None);
}

TEST(RopeSchedule, UserMethodReplacesNativeScalingAndSaysSo) {
  RopeModelParams yarn_file = model_of(128, 1e6, 131072);
  yarn_file.n_ctx_orig = 32768;
  yarn_file.native_scaling = NativeScaling::Yarn;
  yarn_file.native_factor = 4;
  const RopeTable t = build_rope_table(yarn_file, params_of(RopeMethod::MrRopePro, 8), 0);
  EXPECT_EQ(t.method, RopeMethod::MrRopePro);
  EXPECT_EQ(t.scale, 8.0);
  EXPECT_EQ(t.n_ctx_orig, 32768);  // computed against L
  EXPECT_NE(t.description.find("replaces the file's native yarn scaling"), std::string::npos) << t.description;
}

// Notation: auto S = max(1, n_needed / L).
TEST(RopeSchedule, AutoScaleFromTokensNeeded) {
  const RopeModelParams model = llama3_8b();
  EXPECT_DOUBLE_EQ(build_rope_table(model, params_of(RopeMethod::Yarn, 0), 20000).scale, 20000.0 / 8192);
  EXPECT_EQ(build_rope_table(model, params_of(RopeMethod::MrRopePro, 0), 32768).scale, 4.0);
  EXPECT_EQ(build_rope_table(model, params_of(RopeMethod::Linear, 0), 4000).scale, 1.0);
  EXPECT_EQ(build_rope_table(model, params_of(RopeMethod::Linear, 0), 0).scale, 1.0);
  // An explicit S wins, and a too-small S is reported.
  const RopeTable small = build_rope_table(model, params_of(RopeMethod::Yarn, 2), 32768);
  EXPECT_EQ(small.scale, 2.0);
  EXPECT_NE(small.description.find("warning"), std::string::npos) << small.description;
}

TEST(RopeSchedule, OverridesOfBaseAndOriginalContext) {
  RopeParams p = params_of(RopeMethod::Yarn, 4);
  p.freq_base = 1e6;
  p.orig_ctx = 32768;
  const RopeTable t = build_rope_table(llama3_8b(), p, 0);
  EXPECT_EQ(t.freq_base, 1e6);
  EXPECT_EQ(t.n_ctx_orig, 32768);
  EXPECT_EQ(t.d_low, 23);
  EXPECT_EQ(t.d_high, 40);
}

void expect_rope_error(const RopeModelParams& model, const RopeParams& p, const std::string& fragment) {
  try {
    build_rope_table(model, p, 0);
    ADD_FAILURE() << "no error, expected one containing '" << fragment << "'";
  } catch (const RopeError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(RopeSchedule, InvalidParametersGiveClearErrors) {
  expect_rope_error(model_of(127, 10000, 4096), params_of(RopeMethod::None, 1), "even");
  expect_rope_error(model_of(128, 10000, 0), params_of(RopeMethod::None, 1), "training context");
  expect_rope_error(llama3_8b(), params_of(RopeMethod::Yarn, 0.5), ">= 1");
  RopeParams bad_band = params_of(RopeMethod::MrRopeUni, 4);
  bad_band.alpha = 1;
  bad_band.beta = 2;
  expect_rope_error(llama3_8b(), bad_band, "alpha");
  RopeParams forced = params_of(RopeMethod::MrRopePro, 4);
  forced.force_d_low = 30;
  forced.force_d_high = 20;
  expect_rope_error(llama3_8b(), forced, "forced boundaries");
  RopeParams custom = params_of(RopeMethod::Custom, 0);
  custom.custom_lambda.assign(10, 1.1);
  expect_rope_error(llama3_8b(), custom, "needs 63 lambdas");
  custom.custom_lambda.assign(63, 1.1);
  custom.custom_lambda[5] = 0.9;
  expect_rope_error(llama3_8b(), custom, "lambda 5");
  RopeModelParams ff = llama3_8b();
  ff.freq_factors.assign(10, 1.0f);
  expect_rope_error(ff, params_of(RopeMethod::None, 1), "rope_freqs");
}

TEST(RopeSchedule, CustomScheduleAcceptsD2Values) {
  RopeParams p = params_of(RopeMethod::Custom, 0);
  p.custom_lambda.assign(64, 1.01);  // D/2: the last is unused
  const RopeTable t = build_rope_table(llama3_8b(), p, 0);
  expect_rel_near(t.scale, std::pow(1.01, 63), kRoundingTol, "S");
  EXPECT_NEAR(t.attn_factor, 1 + 0.1 * std::log(t.scale), 1e-6);
}

TEST(RopeSchedule, ParsesCustomScheduleText) {
  const auto l = parse_custom_schedule("# my schedule\n1.5\n2   # a comment\n\n1, 1.25 ,3\r\n4e0");
  EXPECT_EQ(l, (std::vector<double>{1.5, 2, 1, 1.25, 3, 4}));
}

TEST(RopeSchedule, CustomScheduleErrorsNameTheLine) {
  struct Case { const char* text; const char* fragment; };
  for (const Case& c : {Case{"1.5\n0.5\n", "line 2: lambda 0.5 must be >= 1"}, Case{"1.5\nabc\n", "line 2: 'abc' is not a number"},
                        Case{"1,,2", "line 1: empty value"}, Case{"# nothing\n", "no lambdas"},
                        Case{"1.2x", "'1.2x' is not a number"}, Case{"inf", "must be >= 1"}, Case{"nan", "must be >= 1"}}) {
    try {
      parse_custom_schedule(c.text);
      ADD_FAILURE() << "no error for " << c.text;
    } catch (const RopeError& e) {
      EXPECT_NE(std::string(e.what()).find(c.fragment), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(load_custom_schedule("/nonexistent/schedule.txt"), RopeError);
}

// Doc, "What a user can inspect".
TEST(RopeSchedule, InspectionFlagsOutOfDistributionPairs) {
  const RopeModelParams model = llama3_8b();
  const int T = 4 * 8192;
  const auto none = inspect_schedule(model, build_rope_table(model, params_of(RopeMethod::None, 1), 0), T);
  ASSERT_EQ(none.size(), 64u);
  for (const PairInspection& p : none) {
    const double theta = std::pow(500000.0, -2.0 * p.pair / 128);
    expect_rel_near(p.wavelength, 2 * kPi / theta, kRoundingTol, "wavelength");
    expect_rel_near(p.trained_max_angle, 8192 * theta, kRoundingTol, "trained");
    expect_rel_near(p.target_max_angle, T * theta, kRoundingTol, "target");
    // Pairs that never completed a rotation in L: i > corr(1) = 34.x, i.e. from d_h = 35.
    EXPECT_EQ(p.out_of_distribution, p.pair >= 35) << p.pair;
  }
  // Every extension method at S = T/L brings every pair back within its trained range.
  for (RopeMethod m : {RopeMethod::Linear, RopeMethod::Yarn, RopeMethod::MrRopeUni, RopeMethod::MrRopePro})
    for (const PairInspection& p : inspect_schedule(model, build_rope_table(model, params_of(m, 4), 0), T))
      EXPECT_FALSE(p.out_of_distribution) << rope_method_name(m) << " pair " << p.pair;
  // NTK divides only the last pair by the whole S: pairs 35..62 are extrapolated.
  const auto ntk = inspect_schedule(model, build_rope_table(model, params_of(RopeMethod::Ntk, 4), 0), T);
  for (const PairInspection& p : ntk) EXPECT_EQ(p.out_of_distribution, p.pair >= 35 && p.pair < 63) << p.pair;
  // Too small a scale leaves the lowest frequencies out.
  const auto yarn2 = inspect_schedule(model, build_rope_table(model, params_of(RopeMethod::Yarn, 2), 0), T);
  EXPECT_TRUE(yarn2.back().out_of_distribution);
  EXPECT_FALSE(yarn2.front().out_of_distribution);
}

}  // namespace
}  // namespace mrrope
