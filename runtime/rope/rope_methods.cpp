#include "rope/rope_methods.h"

#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "rope/rope_divisors.h"

namespace mrrope {
namespace {

using namespace rope_math;

// m = 1 + 0.1 ln S: the doc's attention factor for the radix methods.
double log_attn_factor(double S) { return 1 + 0.1 * std::log(S); }

// A schedule on the doc's band: divisors and m only.
MethodSchedule plain(std::vector<double> divisor, double attn_factor = 1) {
  MethodSchedule out;
  out.divisor = std::move(divisor);
  out.attn_factor = attn_factor;
  return out;
}

MethodSchedule none_schedule(const MethodContext& c) { return plain(constant_divisors(c.in.n_pairs, 1.0)); }

MethodSchedule linear_schedule(const MethodContext& c) { return plain(constant_divisors(c.in.n_pairs, c.scale)); }

MethodSchedule ntk_schedule(const MethodContext& c) { return plain(ntk_divisors(c.in.n_pairs, c.scale)); }

MethodSchedule yarn_schedule(const MethodContext& c) {
  MethodSchedule out;
  const RopeInputs& r = c.in;
  out.band = yarn_correction_bounds_llama(r.n_rot, r.base, r.orig_ctx, r.alpha, r.beta);
  out.band_note = " (llama.cpp boundaries)";
  const double ext = c.params.yarn_ext_factor.value_or(c.model.yarn_ext_factor >= 0 ? c.model.yarn_ext_factor : 1.0);
  if (!(ext >= 0 && ext <= 1)) throw RopeError("rope: yarn ext_factor must be in [0, 1], got " + num(ext));
  out.divisor = yarn_divisors(r.n_pairs, c.scale, *out.band, ext);
  // ggml rope_yarn: mscale *= 1 + 0.1 ln(1/freq_scale) when ext_factor != 0, in float.
  if (ext != 0) {
    const float freq_scale = float(1.0 / c.scale);
    out.attn_factor = 1.0f + 0.1f * std::log(1.0f / freq_scale);
  }
  return out;
}

MethodSchedule mrrope_uni_schedule(const MethodContext& c) {
  return plain(mrrope_divisors(false, c.in.n_pairs, c.scale, c.band), log_attn_factor(c.scale));
}

MethodSchedule mrrope_pro_schedule(const MethodContext& c) {
  return plain(mrrope_divisors(true, c.in.n_pairs, c.scale, c.band), log_attn_factor(c.scale));
}

MethodSchedule custom_schedule(const MethodContext& c) {
  return plain(custom_divisors(c.in.n_pairs, c.params.custom_lambda), log_attn_factor(c.scale));
}

MethodSchedule longrope_schedule(const MethodContext& c) {
  check_longrope_factors(c.model, c.params, c.in.n_pairs);
  MethodSchedule out = plain(longrope_divisors(c.model, c.params, c.in.n_pairs, c.scale));
  // The file's own factors come with their attention factor in the file
  // (model.attn_factor, as in llama.cpp); factors of the user's get the formula.
  if (!c.params.longrope_factors.empty()) out.attn_factor = longrope_attn_factor(c.scale, c.in.orig_ctx);
  return out;
}

constexpr unsigned kBandScale = kUsesScale | kUsesBand;

// The doc's "The methods" table, plus `native`. Order: how lists show them.
constexpr std::array kMethods = {
    RopeMethodInfo{RopeMethod::None, "none", "no scaling: the trained frequencies", 0, ScaleSource::One, true,
                   false, none_schedule},
    RopeMethodInfo{RopeMethod::Linear, "linear", "position interpolation: every pair divided by S", kUsesScale,
                   ScaleSource::Requested, true, false, linear_schedule},
    RopeMethodInfo{RopeMethod::Ntk, "ntk", "NTK-aware: a larger base, s_i growing from 1 to S", kUsesScale,
                   ScaleSource::Requested, false, false, ntk_schedule},
    RopeMethodInfo{RopeMethod::Yarn, "yarn", "YaRN as llama.cpp computes it: a ramp between alpha and beta",
                   kBandScale | kUsesExtFactor, ScaleSource::Requested, true, false, yarn_schedule},
    RopeMethodInfo{RopeMethod::MrRopeUni, "mrrope-uni", "MrRoPE-Uni: equal radix steps across the band", kBandScale,
                   ScaleSource::Requested, false, false, mrrope_uni_schedule},
    RopeMethodInfo{RopeMethod::MrRopePro, "mrrope-pro", "MrRoPE-Pro: growing radix steps across the band",
                   kBandScale, ScaleSource::Requested, false, false, mrrope_pro_schedule},
    RopeMethodInfo{RopeMethod::Custom, "custom", "your own radix conversions lambda_j (--rope-schedule)",
                   kUsesLambdas, ScaleSource::Lambdas, false, false, custom_schedule},
    RopeMethodInfo{RopeMethod::LongRope, "longrope", "LongRoPE: per-pair long factors when S > 1",
                   kUsesScale | kUsesLongFactors, ScaleSource::Requested, false, false, longrope_schedule},
    RopeMethodInfo{RopeMethod::Native, "native", "what the file declares (none, linear, yarn or longrope)",
                   kUsesScale, ScaleSource::Requested, false, true, nullptr},
};

}  // namespace

std::span<const RopeMethodInfo> rope_methods() { return kMethods; }

const RopeMethodInfo& rope_method_info(RopeMethod method) {
  for (const auto& m : kMethods)
    if (m.id == method) return m;
  throw RopeError("rope: method id " + std::to_string(static_cast<int>(method)) + " is not in the registry");
}

bool rope_method_takes_user_scale(const RopeMethodInfo& info) {
  return info.scale_source != ScaleSource::One && !info.from_file;
}

bool rope_method_takes_user_scale(RopeMethod method) { return rope_method_takes_user_scale(rope_method_info(method)); }

bool rope_method_needs_only_scale(const RopeMethodInfo& info) {
  return !info.from_file && !(info.uses & (kUsesLambdas | kUsesLongFactors));
}

std::string rope_method_names_where(bool (*keep)(const RopeMethodInfo&), std::string_view separator) {
  std::string out;
  for (const auto& m : kMethods) {
    if (keep && !keep(m)) continue;
    if (!out.empty()) out += separator;
    out += m.name;
  }
  return out;
}

RopeMethod parse_rope_method(std::string_view id) {
  for (const auto& m : kMethods)
    if (m.name == id) return m.id;
  throw RopeError("unknown rope method '" + std::string(id) + "'; valid: " + rope_method_names());
}

std::string_view rope_method_name(RopeMethod method) {
  for (const auto& m : kMethods)
    if (m.id == method) return m.name;
  return "?";
}

std::string rope_method_names() { return rope_method_names_where(nullptr); }

}  // namespace mrrope
