#include "rope/rope_schedule.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>

#include "rope/rope_divisors.h"
#include "rope/rope_methods.h"

namespace mrrope {
namespace {

using rope_math::is_finite_at_least;
using rope_math::num;

constexpr double kPi = std::numbers::pi;

// The inputs every method shares (RopeInputs), after applying the user's overrides.
RopeInputs resolve_common(const RopeModelParams& model, const RopeParams& params) {
  RopeInputs r{};
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

// The method, scale and its provenance once `native` and `auto` are resolved.
struct Plan {
  RopeMethod method;
  double scale;
  std::string scale_note;  // where S came from
};

Plan plan_user(const RopeParams& params, const RopeInputs& r, int n_needed);

Plan plan_native(const RopeModelParams& model, const RopeParams& params, const RopeInputs& r, int n_needed) {
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

Plan plan_user(const RopeParams& params, const RopeInputs& r, int n_needed) {
  switch (rope_method_info(params.method).scale_source) {
    case ScaleSource::Lambdas: {
      rope_math::check_custom_lambdas(params.custom_lambda, r.n_pairs);
      const double S = rope_math::custom_divisors(r.n_pairs, params.custom_lambda).back();
      return {params.method, S, "product of the custom lambdas"};
    }
    case ScaleSource::One: return {params.method, 1.0, std::string(rope_method_name(params.method)) + ": no scaling"};
    case ScaleSource::Requested: break;
  }
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

// What was applied and why, then warnings.
std::string describe(const RopeModelParams& model, const RopeParams& params, const RopeInputs& r, const Plan& plan,
                     const MethodSchedule& schedule, const RopeTable& t, int n_needed) {
  const RopeMethodInfo& info = rope_method_info(plan.method);
  const bool native = rope_method_info(params.method).from_file;
  const bool long_factors = info.uses & kUsesLongFactors;
  std::ostringstream d;
  d << rope_method_name(plan.method);
  if (native)
    d << (model.native_scaling == NativeScaling::None
              ? std::string(" (native: the file declares no scaling)")
              : " (native: the file's " + std::string(native_scaling_name(model.native_scaling)) + " scaling)");
  d << ": S=" << num(t.scale) << " (" << plan.scale_note << "), m=" << num(t.attn_factor) << "; D=" << r.n_rot
    << ", b=" << num(r.base) << ", L=" << r.orig_ctx;
  if (info.uses & kUsesBand)
    d << ", alpha=" << num(r.alpha) << ", beta=" << num(r.beta) << ", d_l=" << t.d_low << ", d_h=" << t.d_high
      << schedule.band_note;
  if (params.force_d_low || params.force_d_high) d << " [boundaries forced]";
  if (long_factors)
    d << (t.scale > 1 ? "; long factors (S > 1)" : "; short factors (S = 1: the context fits L)")
      << (params.longrope_factors.empty() ? " from the file" : ", the user's");
  if (!model.longrope_long.empty() && !long_factors)
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
  if (!native && model.native_scaling == NativeScaling::LongRope && !long_factors)
    d << "; note: replaces the file's native longrope scaling (its long factors), computed against L=" << r.orig_ctx;
  if (info.scale_source == ScaleSource::Lambdas && params.scale > 0 && std::abs(params.scale - t.scale) > 1e-9 * t.scale)
    d << "; warning: the requested S=" << num(params.scale) << " is ignored, a custom schedule's S is its lambdas' product";
  if (n_needed > t.scale * r.orig_ctx)
    d << "; warning: " << n_needed << " tokens needed exceed S*L=" << num(t.scale * r.orig_ctx)
      << ", low-frequency pairs will be out of distribution";
  return d.str();
}

}  // namespace

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
  const RopeInputs r = resolve_common(model, params);
  const bool native = rope_method_info(params.method).from_file;
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

  // The registry's entry fills the divisors and the method's m (native resolved above).
  const RopeMethodInfo& info = rope_method_info(plan.method);
  const MethodSchedule schedule = info.schedule(MethodContext{model, params, r, S, doc_dims});
  t.divisor = schedule.divisor;
  if (schedule.band) t.d_low = schedule.band->d_low, t.d_high = schedule.band->d_high;
  const double method_m = schedule.attn_factor;

  // f_i (rope_freqs) are applied for every method: llama.cpp divides theta by
  // freq_factors whenever the tensor exists, whatever the scaling type. Computed
  // here once, in double; the decoders take `freq`, the float copy is for comparing.
  t.freq.resize(r.n_pairs);
  t.inv_freq.resize(r.n_pairs);
  for (int i = 0; i < r.n_pairs; ++i) {
    const double theta = std::pow(r.base, -2.0 * i / r.n_rot);
    const double f = model.freq_factors.empty() ? 1.0 : double(model.freq_factors[i]);
    t.freq[i] = theta / (f * t.divisor[i]);
    t.inv_freq[i] = static_cast<float>(t.freq[i]);
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

  t.description = describe(model, params, r, plan, schedule, t, n_needed_for_auto);
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
