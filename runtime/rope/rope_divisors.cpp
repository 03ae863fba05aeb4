#include "rope/rope_divisors.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mrrope::rope_math {

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

bool is_finite_at_least(double v, double lo) { return std::isfinite(v) && v >= lo; }

std::vector<double> constant_divisors(int n_pairs, double s) { return std::vector<double>(n_pairs, s); }

// ntk: b' = b * S^(D/(D-2)) gives s_i = S^(2i/(D-2)); the last pair gets exactly S.
std::vector<double> ntk_divisors(int n_pairs, double S) {
  std::vector<double> s(n_pairs, 1.0);
  if (n_pairs < 2) return s;  // D = 2: the only pair is the highest-frequency one, never scaled
  for (int i = 0; i < n_pairs; ++i) s[i] = std::pow(S, double(i) / double(n_pairs - 1));
  return s;
}

// llama.cpp's rope_yarn (ggml-cpu ops.cpp): theta_interp = freq_scale * theta_extrap,
// mix = rope_yarn_ramp(low, high, i) * ext_factor, theta = theta_interp (1 - mix) + theta_extrap mix.
// With freq_scale = 1/S the divisor is s_i = 1 / ((1 - mix)/S + mix): the doc's g_i is the ramp.
std::vector<double> yarn_divisors(int n_pairs, double S, CorrectionBounds dims, double ext_factor) {
  std::vector<double> s(n_pairs);
  const double low = dims.d_low, high = dims.d_high;
  for (int i = 0; i < n_pairs; ++i) {
    const double y = (i - low) / std::max(0.001, high - low);
    const double ramp = 1.0 - std::clamp(y, 0.0, 1.0);
    const double mix = ramp * ext_factor;
    // The clamp only removes rounding of 1/(1/S) (e.g. S = 3 gives 3 + 4e-16).
    s[i] = std::clamp(1.0 / ((1.0 - mix) / S + mix), 1.0, S);
  }
  return s;
}

namespace {

// The mixed-radix reading (doc, "Where the MrRoPE formulas come from"), kept in
// this one place: digit j's radix is converted by lambda_j = S^(step_j / total),
// and pair i is divided by the product of the conversions below it,
// s_i = prod_{j<i} lambda_j = S^(sum_{j<i} step_j / total). The steps are
// integers so the exponent sums exactly to 1 at d_h (s_{d_h} is exactly S).
struct RadixConversion {
  std::vector<long long> step;  // per digit j = 0 .. D/2-2 (the top digit has no pair above it)
  long long total = 1;
};

RadixConversion mrrope_radix_conversion(bool progressive, int n_pairs, int d_low, int d_high) {
  RadixConversion c;
  c.step.assign(std::max(0, n_pairs - 1), 0);
  const long long w = d_high - d_low;
  // Uni: lambda_j = S^(1/w), equal steps. Pro: lambda_j = S^(2 (1 + j - d_l) / ((1 + w) w)), growing steps.
  c.total = progressive ? w * (w + 1) : w;
  for (int j = d_low; j < d_high && j < n_pairs - 1; ++j) c.step[j] = progressive ? 2 * (1 + j - d_low) : 1;
  return c;
}

std::vector<double> divisors_from_radix(const RadixConversion& c, double S) {
  std::vector<double> s(c.step.size() + 1);
  long long below = 0;
  s[0] = 1;
  for (size_t j = 0; j < c.step.size(); ++j) {
    below += c.step[j];
    s[j + 1] = std::pow(S, double(below) / double(c.total));
  }
  return s;
}

}  // namespace

std::vector<double> mrrope_divisors(bool progressive, int n_pairs, double S, CorrectionBounds dims) {
  if (dims.d_high == dims.d_low) {
    // w = 0 (doc): linear for pairs i >= d_h, none below.
    std::vector<double> s(n_pairs);
    for (int i = 0; i < n_pairs; ++i) s[i] = i >= dims.d_high ? S : 1.0;
    return s;
  }
  return divisors_from_radix(mrrope_radix_conversion(progressive, n_pairs, dims.d_low, dims.d_high), S);
}

// custom: s_i = prod_{j<i} lambda_j, a running product.
std::vector<double> custom_divisors(int n_pairs, const std::vector<double>& lambda) {
  std::vector<double> s(n_pairs, 1.0);
  for (int i = 1; i < n_pairs; ++i) s[i] = s[i - 1] * lambda[i - 1];
  return s;
}

// LongRoPE (Phi-3): llama.cpp's get_rope_factors takes the long factors when the
// context exceeds L (here: S > 1) and the short ones otherwise. The file's short
// factors are its f_i already (model_config.cpp), so long_i / short_i is the
// divisor on top of them; factors given by the user divide on top of any f_i.
std::vector<double> longrope_divisors(const RopeModelParams& model, const RopeParams& params, int n_pairs, double S) {
  if (S <= 1) return constant_divisors(n_pairs, 1.0);
  std::vector<double> s(n_pairs);
  for (int i = 0; i < n_pairs; ++i)
    s[i] = params.longrope_factors.empty() ? double(model.longrope_long[i]) / double(model.freq_factors[i])
                                           : params.longrope_factors[i];
  return s;
}

void check_longrope_factors(const RopeModelParams& model, const RopeParams& params, int n_pairs) {
  if (params.longrope_factors.empty()) {
    if (model.longrope_long.empty())
      throw RopeError("rope: longrope needs per-pair factors: the file's rope_factors_long/short (Phi-3 models) "
                      "or long factors of your own (--rope-factors FILE, D/2 = " + std::to_string(n_pairs) +
                      " values)");
    return;
  }
  if (static_cast<int>(params.longrope_factors.size()) != n_pairs)
    throw RopeError("rope: longrope factors for D=" + std::to_string(2 * n_pairs) + " need D/2 = " +
                    std::to_string(n_pairs) + " values, got " + std::to_string(params.longrope_factors.size()));
  for (size_t i = 0; i < params.longrope_factors.size(); ++i)
    if (!(std::isfinite(params.longrope_factors[i]) && params.longrope_factors[i] > 0))
      throw RopeError("rope: longrope factor " + std::to_string(i) + " = " + num(params.longrope_factors[i]) +
                      " must be a positive number");
}

// LongRoPE's attention factor (the Phi-3 convention, which llama.cpp's converter
// stores as rope.scaling.attn_factor): sqrt(1 + ln S / ln L), 1 for S <= 1.
double longrope_attn_factor(double S, int orig_ctx) {
  return S > 1 ? std::sqrt(1 + std::log(S) / std::log(double(orig_ctx))) : 1.0;
}

void check_custom_lambdas(const std::vector<double>& lambda, int n_pairs) {
  const size_t need = static_cast<size_t>(n_pairs - 1);
  if (lambda.size() != need && lambda.size() != need + 1)
    throw RopeError("rope: a custom schedule for D=" + std::to_string(2 * n_pairs) + " needs " + std::to_string(need) +
                    " lambdas (D/2-1; D/2 is accepted, the last unused), got " + std::to_string(lambda.size()));
  for (size_t j = 0; j < lambda.size(); ++j)
    if (!is_finite_at_least(lambda[j], 1.0))
      throw RopeError("rope: custom lambda " + std::to_string(j) + " = " + num(lambda[j]) + " must be >= 1");
}

}  // namespace mrrope::rope_math
