#include "rope/rope_schedule.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <sstream>
#include <utility>

namespace mrrope {
namespace {

constexpr double kPi = std::numbers::pi;

constexpr std::array<std::pair<RopeMethod, std::string_view>, 9> kMethodIds = {{
    {RopeMethod::None, "none"},
    {RopeMethod::Linear, "linear"},
    {RopeMethod::Ntk, "ntk"},
    {RopeMethod::Yarn, "yarn"},
    {RopeMethod::MrRopeUni, "mrrope-uni"},
    {RopeMethod::MrRopePro, "mrrope-pro"},
    {RopeMethod::Custom, "custom"},
    {RopeMethod::LongRope, "longrope"},
    {RopeMethod::Native, "native"},
}};

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

bool is_finite_at_least(double v, double lo) { return std::isfinite(v) && v >= lo; }

// The inputs every method shares, after applying the user's overrides.
struct Resolved {
  int n_rot;        // D
  int n_pairs;      // D/2
  double base;      // b
  int orig_ctx;     // L
  double alpha, beta;
};

Resolved resolve_common(const RopeModelParams& model, const RopeParams& params) {
  Resolved r{};
  r.n_rot = model.n_rot;
  if (r.n_rot <= 0 || r.n_rot % 2 != 0)
    throw RopeError("rope: rotary dimension count D must be a positive even number, got " + std::to_string(r.n_rot));
  r.n_pairs = r.n_rot / 2;
  r.base = params.freq_base > 0 ? params.freq_base : model.freq_base;
  if (!std::isfinite(r.base) || r.base <= 1)
    throw RopeError("rope: frequency base b must be > 1, got " + num(r.base));
  // Notation: L = original_context_length if present, else context_length.
  r.orig_ctx = params.orig_ctx > 0 ? params.orig_ctx : model.n_ctx_orig > 0 ? model.n_ctx_orig : model.n_ctx_train;
  if (r.orig_ctx <= 0) throw RopeError("rope: the model's training context L is unknown (0); set --yarn-orig-ctx");
  r.alpha = params.alpha.value_or(model.yarn_beta_fast);
  r.beta = params.beta.value_or(model.yarn_beta_slow);
  if (!(std::isfinite(r.alpha) && std::isfinite(r.beta) && r.beta > 0 && r.alpha > r.beta))
    throw RopeError("rope: need alpha (beta_fast) > beta (beta_slow) > 0, got alpha=" + num(r.alpha) +
                    " beta=" + num(r.beta));
  if (!model.freq_factors.empty()) {
    if (static_cast<int>(model.freq_factors.size()) != r.n_pairs)
      throw RopeError("rope: rope_freqs has " + std::to_string(model.freq_factors.size()) + " factors, expected D/2 = " +
                      std::to_string(r.n_pairs));
    for (float f : model.freq_factors)
      if (!(std::isfinite(f) && f > 0)) throw RopeError("rope: rope_freqs holds a non-positive or non-finite factor");
  }
  if (!model.longrope_long.empty() &&
      (static_cast<int>(model.longrope_long.size()) != r.n_pairs || model.freq_factors.size() != model.longrope_long.size()))
    throw RopeError("rope: the file's LongRoPE factors (long and short) need D/2 = " + std::to_string(r.n_pairs) +
                    " values each, got " + std::to_string(model.longrope_long.size()) + " and " +
                    std::to_string(model.freq_factors.size()));
  for (float f : model.longrope_long)
    if (!(std::isfinite(f) && f > 0)) throw RopeError("rope: rope_factors_long holds a non-positive or non-finite factor");
  return r;
}

// ---- Divisors s_i, one function per row of the doc's table ---------------------------

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

// The method, scale and its provenance once `native` and `auto` are resolved.
struct Plan {
  RopeMethod method;
  double scale;
  std::string scale_note;  // where S came from
};

Plan plan_user(const RopeParams& params, const Resolved& r, int n_needed);

Plan plan_native(const RopeModelParams& model, const RopeParams& params, const Resolved& r, int n_needed) {
  // LongRoPE files: llama.cpp picks long or short factors by the context size, so
  // S is the user's or auto (n_needed / L), as for the user's methods.
  if (model.native_scaling == NativeScaling::LongRope) {
    RopeParams p = params;
    p.method = RopeMethod::LongRope;
    return plan_user(p, r, n_needed);
  }
  // llama.cpp: rope_freq_scale = --rope-scale given ? 1/S : 1/rope.scaling.factor, and the
  // file's type decides the method. A file without the type key is "linear" in llama.cpp
  // (with factor 1), so a user S on a None file scales linearly there too.
  const bool user_scale = params.scale > 0;
  const double file_factor = model.native_factor > 0 ? model.native_factor : 1.0;
  const double S = user_scale ? params.scale : file_factor;
  if (!is_finite_at_least(S, 1.0))
    throw RopeError("rope: native scaling factor must be >= 1, got " + num(S));
  const std::string note = user_scale ? "user --rope-scale, replacing the file's factor" : "the file's factor";
  if (model.native_scaling == NativeScaling::Yarn) return {RopeMethod::Yarn, S, note};
  if (S == 1.0) return {RopeMethod::None, 1.0, note};
  return {RopeMethod::Linear, S, note};
}

Plan plan_user(const RopeParams& params, const Resolved& r, int n_needed) {
  if (params.method == RopeMethod::Custom) {
    check_custom_lambdas(params.custom_lambda, r.n_pairs);
    const double S = custom_divisors(r.n_pairs, params.custom_lambda).back();
    return {RopeMethod::Custom, S, "product of the custom lambdas"};
  }
  if (params.method == RopeMethod::None) return {RopeMethod::None, 1.0, "none: no scaling"};
  if (params.scale > 0) {
    if (!is_finite_at_least(params.scale, 1.0)) throw RopeError("rope: scale S must be >= 1, got " + num(params.scale));
    return {params.method, params.scale, "user"};
  }
  if (params.scale < 0) throw RopeError("rope: scale S must be >= 1 or 0 (auto), got " + num(params.scale));
  // Notation: auto S = max(1, n_needed / L).
  const double S = std::max(1.0, double(n_needed) / r.orig_ctx);
  return {params.method, S,
          "auto: " + std::to_string(n_needed) + " tokens needed / L=" + std::to_string(r.orig_ctx)};
}

CorrectionBounds forced_or(const RopeParams& params, int n_pairs, CorrectionBounds computed) {
  if (!params.force_d_low && !params.force_d_high) return computed;
  CorrectionBounds b{params.force_d_low.value_or(computed.d_low), params.force_d_high.value_or(computed.d_high)};
  if (b.d_low < 0 || b.d_low > b.d_high || b.d_high > n_pairs)
    throw RopeError("rope: forced boundaries need 0 <= d_l <= d_h <= D/2, got d_l=" + std::to_string(b.d_low) +
                    " d_h=" + std::to_string(b.d_high));
  return b;
}

}  // namespace

// ---- Names -----------------------------------------------------------------------------

RopeMethod parse_rope_method(std::string_view id) {
  for (const auto& [method, name] : kMethodIds)
    if (name == id) return method;
  throw RopeError("unknown rope method '" + std::string(id) + "'; valid: " + rope_method_names());
}

std::string_view rope_method_name(RopeMethod method) {
  for (const auto& [m, name] : kMethodIds)
    if (m == method) return name;
  return "?";
}

std::string rope_method_names() {
  std::string out;
  for (const auto& [method, name] : kMethodIds) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

NativeScaling parse_native_scaling(std::string_view type) {
  if (type == "none") return NativeScaling::None;
  if (type == "linear") return NativeScaling::Linear;
  if (type == "yarn") return NativeScaling::Yarn;
  if (type == "longrope") return NativeScaling::LongRope;
  throw RopeError("unsupported rope scaling type '" + std::string(type) + "'; supported: none, linear, yarn, longrope");
}

std::string_view native_scaling_name(NativeScaling scaling) {
  switch (scaling) {
    case NativeScaling::None: return "none";
    case NativeScaling::Linear: return "linear";
    case NativeScaling::Yarn: return "yarn";
    case NativeScaling::LongRope: return "longrope";
  }
  return "?";
}

// ---- Correction boundaries ----------------------------------------------------------------

double rope_corr_dim(int n_rot, double freq_base, int n_ctx_orig, double rotations) {
  return n_rot * std::log(n_ctx_orig / (2 * kPi * rotations)) / (2 * std::log(freq_base));
}

CorrectionBounds rope_correction_bounds(int n_rot, double freq_base, int n_ctx_orig, double alpha, double beta) {
  // d_h is clamped at D-1, not at the last pair D/2-1, as in the MrRoPE paper's
  // code and llama.cpp: when corr(beta) > D/2-1 (only if L > 2 pi b) the band
  // runs past the last pair, whose divisor then stays below S.
  const int d_low = std::max(0, static_cast<int>(std::floor(rope_corr_dim(n_rot, freq_base, n_ctx_orig, alpha))));
  const int d_high = std::max(
      d_low, std::min(n_rot - 1, static_cast<int>(std::ceil(rope_corr_dim(n_rot, freq_base, n_ctx_orig, beta)))));
  return {d_low, d_high};
}

CorrectionBounds yarn_correction_bounds_llama(int n_rot, double freq_base, int n_ctx_orig, double beta_fast,
                                              double beta_slow) {
  // ggml_rope_yarn_corr_dim(s), in float as ggml computes them, so the integer
  // boundaries are the same as llama.cpp's even at a rounding edge.
  auto corr = [&](float rotations) {
    return float(n_rot) * std::log(float(n_ctx_orig) / (rotations * 2 * float(kPi))) / (2 * std::log(float(freq_base)));
  };
  const float start = std::floor(corr(float(beta_fast)));
  const float end = std::ceil(corr(float(beta_slow)));
  return {static_cast<int>(std::max(0.0f, start)), static_cast<int>(std::min(float(n_rot - 1), end))};
}

// ---- The table ------------------------------------------------------------------------------

RopeTable build_rope_table(const RopeModelParams& model, const RopeParams& params, int n_needed_for_auto) {
  const Resolved r = resolve_common(model, params);
  const bool native = params.method == RopeMethod::Native;
  const Plan plan = native ? plan_native(model, params, r, n_needed_for_auto) : plan_user(params, r, n_needed_for_auto);
  const double S = plan.scale;

  RopeTable t;
  t.method = plan.method;
  t.scale = S;
  t.freq_base = r.base;
  t.n_ctx_orig = r.orig_ctx;
  const CorrectionBounds doc_dims =
      forced_or(params, r.n_pairs, rope_correction_bounds(r.n_rot, r.base, r.orig_ctx, r.alpha, r.beta));
  t.d_low = doc_dims.d_low;
  t.d_high = doc_dims.d_high;

  double method_m = 1;  // m of the doc's table, before the user's and the file's factors
  switch (plan.method) {
    case RopeMethod::None: t.divisor = constant_divisors(r.n_pairs, 1.0); break;
    case RopeMethod::Linear: t.divisor = constant_divisors(r.n_pairs, S); break;
    case RopeMethod::Ntk: t.divisor = ntk_divisors(r.n_pairs, S); break;
    case RopeMethod::Yarn: {
      const CorrectionBounds dims = yarn_correction_bounds_llama(r.n_rot, r.base, r.orig_ctx, r.alpha, r.beta);
      t.d_low = dims.d_low;
      t.d_high = dims.d_high;
      const double ext = params.yarn_ext_factor.value_or(model.yarn_ext_factor >= 0 ? model.yarn_ext_factor : 1.0);
      if (!(ext >= 0 && ext <= 1)) throw RopeError("rope: yarn ext_factor must be in [0, 1], got " + num(ext));
      t.divisor = yarn_divisors(r.n_pairs, S, dims, ext);
      // ggml rope_yarn: mscale *= 1 + 0.1 ln(1/freq_scale) when ext_factor != 0, in float.
      if (ext != 0) {
        const float freq_scale = float(1.0 / S);
        method_m = 1.0f + 0.1f * std::log(1.0f / freq_scale);
      }
      break;
    }
    case RopeMethod::MrRopeUni:
    case RopeMethod::MrRopePro:
      t.divisor = mrrope_divisors(plan.method == RopeMethod::MrRopePro, r.n_pairs, S, doc_dims);
      method_m = 1 + 0.1 * std::log(S);
      break;
    case RopeMethod::Custom:
      t.divisor = custom_divisors(r.n_pairs, params.custom_lambda);
      method_m = 1 + 0.1 * std::log(S);
      break;
    case RopeMethod::LongRope:
      check_longrope_factors(model, params, r.n_pairs);
      t.divisor = longrope_divisors(model, params, r.n_pairs, S);
      // The file's own factors come with their attention factor in the file
      // (model.attn_factor below, as in llama.cpp); factors of the user's get the formula.
      if (!params.longrope_factors.empty()) method_m = longrope_attn_factor(S, r.orig_ctx);
      break;
    case RopeMethod::Native: break;  // resolved by plan_native
  }

  // f_i (rope_freqs) are applied for every method: llama.cpp divides theta by
  // freq_factors whenever the tensor exists, whatever the scaling type.
  t.inv_freq.resize(r.n_pairs);
  for (int i = 0; i < r.n_pairs; ++i) {
    const double theta = std::pow(r.base, -2.0 * i / r.n_rot);
    const double f = model.freq_factors.empty() ? 1.0 : double(model.freq_factors[i]);
    t.inv_freq[i] = static_cast<float>(theta / (f * t.divisor[i]));
  }

  // m: the method's factor times --yarn-attn-factor times the file's attn_factor
  // (llama.cpp multiplies hparams.rope_attn_factor in unconditionally); an explicit
  // attn_factor override is the final value.
  const double user_mul = params.yarn_attn_factor.value_or(1.0);
  if (!(std::isfinite(user_mul) && user_mul > 0)) throw RopeError("rope: yarn attn factor must be > 0");
  if (!(std::isfinite(model.attn_factor) && model.attn_factor > 0))
    throw RopeError("rope: the file's attn_factor must be > 0, got " + num(model.attn_factor));
  double m = method_m * user_mul * model.attn_factor;
  if (params.attn_factor) {
    if (!(std::isfinite(*params.attn_factor) && *params.attn_factor > 0))
      throw RopeError("rope: attn factor must be > 0, got " + num(*params.attn_factor));
    m = *params.attn_factor;
  }
  t.attn_factor = static_cast<float>(m);

  // Description: what was applied and why, then warnings.
  std::ostringstream d;
  d << rope_method_name(plan.method);
  if (native)
    d << (model.native_scaling == NativeScaling::None
              ? std::string(" (native: the file declares no scaling)")
              : " (native: the file's " + std::string(native_scaling_name(model.native_scaling)) + " scaling)");
  d << ": S=" << num(S) << " (" << plan.scale_note << "), m=" << num(t.attn_factor) << "; D=" << r.n_rot
    << ", b=" << num(r.base) << ", L=" << r.orig_ctx;
  if (plan.method == RopeMethod::Yarn || plan.method == RopeMethod::MrRopeUni || plan.method == RopeMethod::MrRopePro)
    d << ", alpha=" << num(r.alpha) << ", beta=" << num(r.beta) << ", d_l=" << t.d_low << ", d_h=" << t.d_high
      << (plan.method == RopeMethod::Yarn ? " (llama.cpp boundaries)" : "");
  if (params.force_d_low || params.force_d_high) d << " [boundaries forced]";
  if (plan.method == RopeMethod::LongRope)
    d << (S > 1 ? "; long factors (S > 1)" : "; short factors (S = 1: the context fits L)")
      << (params.longrope_factors.empty() ? " from the file" : ", the user's");
  if (!model.longrope_long.empty() && plan.method != RopeMethod::LongRope)
    d << "; the file's short LongRoPE factors f_i are applied";
  else if (!model.freq_factors.empty() && model.longrope_long.empty())
    d << "; the model's rope_freqs factors f_i are applied"
      << (native ? "" : " on top of this method (as llama.cpp always does)");
  if (model.attn_factor != 1.0) d << "; m includes the file's attn_factor " << num(model.attn_factor);
  if (params.attn_factor) d << "; m set by the user";
  const bool file_scales = model.native_scaling == NativeScaling::Yarn ||
                           (model.native_scaling == NativeScaling::Linear && model.native_factor > 1);
  if (!native && file_scales)
    d << "; note: replaces the file's native " << native_scaling_name(model.native_scaling) << " scaling (factor "
      << num(model.native_factor > 0 ? model.native_factor : 1.0) << "), computed against L=" << r.orig_ctx;
  if (!native && model.native_scaling == NativeScaling::LongRope && plan.method != RopeMethod::LongRope)
    d << "; note: replaces the file's native longrope scaling (its long factors), computed against L=" << r.orig_ctx;
  if (plan.method == RopeMethod::Custom && params.scale > 0 && std::abs(params.scale - S) > 1e-9 * S)
    d << "; warning: the requested S=" << num(params.scale) << " is ignored, a custom schedule's S is its lambdas' product";
  if (n_needed_for_auto > S * r.orig_ctx)
    d << "; warning: " << n_needed_for_auto << " tokens needed exceed S*L=" << num(S * r.orig_ctx)
      << ", low-frequency pairs will be out of distribution";
  t.description = d.str();
  return t;
}

// ---- Custom schedule files ----------------------------------------------------------------

std::vector<double> parse_custom_schedule(std::string_view text) {
  std::vector<double> lambdas;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t eol = std::min(text.find('\n', pos), text.size());
    std::string line(text.substr(pos, eol - pos));
    pos = eol + 1;
    ++line_no;
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) {
      const auto first = field.find_first_not_of(" \t\r");
      if (first == std::string::npos) {
        if (line.find_first_not_of(" \t\r,") != std::string::npos)
          throw RopeError("rope schedule line " + std::to_string(line_no) + ": empty value between commas");
        continue;
      }
      const auto last = field.find_last_not_of(" \t\r");
      const std::string token = field.substr(first, last - first + 1);
      size_t used = 0;
      double value = 0;
      try {
        value = std::stod(token, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != token.size() || used == 0)
        throw RopeError("rope schedule line " + std::to_string(line_no) + ": '" + token + "' is not a number");
      if (!is_finite_at_least(value, 1.0))
        throw RopeError("rope schedule line " + std::to_string(line_no) + ": lambda " + token +
                        " must be >= 1 (a radix can only grow)");
      lambdas.push_back(value);
    }
  }
  if (lambdas.empty()) throw RopeError("rope schedule: no lambdas found");
  return lambdas;
}

std::vector<double> load_custom_schedule(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RopeError("rope schedule: cannot open '" + path + "'");
  std::stringstream buf;
  buf << in.rdbuf();
  try {
    return parse_custom_schedule(buf.str());
  } catch (const RopeError& e) {
    throw RopeError(path + ": " + e.what());
  }
}

// ---- Inspection ---------------------------------------------------------------------------

std::vector<PairInspection> inspect_schedule(const RopeModelParams& model, const RopeTable& table, int target_len) {
  const int n_pairs = static_cast<int>(table.divisor.size());
  const int n_rot = 2 * n_pairs;
  std::vector<PairInspection> out(n_pairs);
  for (int i = 0; i < n_pairs; ++i) {
    const double f = model.freq_factors.empty() ? 1.0 : double(model.freq_factors.at(i));
    const double theta = std::pow(table.freq_base, -2.0 * i / n_rot) / f;
    PairInspection& p = out[i];
    p.pair = i;
    p.wavelength = 2 * kPi / theta;
    p.divisor = table.divisor[i];
    p.trained_max_angle = table.n_ctx_orig * theta;
    p.target_max_angle = target_len * theta / table.divisor[i];
    // Doc: OOD when the target angle exceeds the trained one for a pair that never
    // completed a rotation in training (it saw only part of the circle).
    p.out_of_distribution = p.target_max_angle > p.trained_max_angle && p.trained_max_angle < 2 * kPi;
  }
  return out;
}

// ---- Llama 3.1 ------------------------------------------------------------------------------

std::vector<float> llama3_freq_factors(int n_rot, double freq_base, double factor, double low_freq_factor,
                                       double high_freq_factor, int orig_ctx) {
  if (n_rot <= 0 || n_rot % 2 || !(factor >= 1) || !(high_freq_factor > low_freq_factor) || !(low_freq_factor > 0) ||
      orig_ctx <= 0)
    throw RopeError("llama3_freq_factors: need even D > 0, factor >= 1, high > low > 0, orig_ctx > 0");
  const double low_freq_wavelen = orig_ctx / low_freq_factor;    // L/1: longer waves get the full factor
  const double high_freq_wavelen = orig_ctx / high_freq_factor;  // L/4: shorter waves are kept
  std::vector<float> f(n_rot / 2);
  for (int i = 0; i < n_rot / 2; ++i) {
    const double wavelen = 2 * kPi * std::pow(freq_base, 2.0 * i / n_rot);
    double s;
    if (wavelen < high_freq_wavelen) {
      s = 1;
    } else if (wavelen > low_freq_wavelen) {
      s = factor;
    } else {
      const double t = (orig_ctx / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor);
      s = 1 / ((1 - t) / factor + t);
    }
    f[i] = static_cast<float>(s);
  }
  return f;
}

}  // namespace mrrope
