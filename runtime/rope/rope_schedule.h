#pragma once
// RoPE frequency schedules: every context-extension method reduced to one
// table (a divisor s_i per rotary pair and one attention factor m) that the
// single rotary kernel consumes. Specification: shared/docs/rope-methods.md
// ("the doc" below); section names are cited where a rule comes from.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mrrope {

class RopeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The doc's "The methods" table, plus `native` (what llama.cpp does for the file).
// Names, parameters and schedules of each are in the registry (rope_methods.h).
enum class RopeMethod { None, Linear, Ntk, Yarn, MrRopeUni, MrRopePro, Custom, LongRope, Native };

// Names from the registry (none, linear, ntk, yarn, mrrope-uni, mrrope-pro, custom,
// longrope, native). An unknown name throws RopeError listing the valid ones.
RopeMethod parse_rope_method(std::string_view id);
std::string_view rope_method_name(RopeMethod method);
std::string rope_method_names();  // "none, linear, ..." for messages and usage

// ARCH.rope.scaling.type of the file. None also stands for "key absent".
// LongRope: the file has rope_factors_long/short (phi3), with or without the key.
enum class NativeScaling { None, Linear, Yarn, LongRope };
NativeScaling parse_native_scaling(std::string_view type);  // "none"/"linear"/"yarn"/"longrope"
std::string_view native_scaling_name(NativeScaling scaling);

// What the model file says about its rotary embedding (plain data; filled from
// GGUF metadata by the model loader). Notation of the doc: D, b, L, f_i.
struct RopeModelParams {
  int n_rot = 0;                   // D
  double freq_base = 10000;        // b
  int n_ctx_train = 0;             // ARCH.context_length
  int n_ctx_orig = 0;              // L: rope.scaling.original_context_length, 0 = absent (then n_ctx_train)
  std::vector<float> freq_factors; // f_i from rope_freqs.weight (D/2 values), empty when absent;
                                   // LongRoPE files: rope_factors_short (what the model was trained at)
  std::vector<float> longrope_long;  // LongRoPE files: rope_factors_long (D/2 values), else empty
  NativeScaling native_scaling = NativeScaling::None;
  double native_factor = 0;        // rope.scaling.factor; 0 = absent (means 1)
  double yarn_ext_factor = -1;     // < 0: not set (llama.cpp: 1 for yarn, 0 otherwise)
  double attn_factor = 1;          // rope.scaling.attn_factor: multiplies m for every method, as llama.cpp does
  double yarn_beta_fast = 32;      // alpha default
  double yarn_beta_slow = 1;       // beta default
  bool neox_layout = false;        // pair layout; the schedule is the same for both
};

// What the user asked for.
struct RopeParams {
  RopeMethod method = RopeMethod::Native;
  // S. 0 = auto: max(1, n_needed / L). For `native`, 0 keeps the file's own
  // factor and S > 0 replaces it (llama.cpp's --rope-scale without --rope-scaling).
  // Ignored by `custom`, whose S is the product of its lambdas. Note: llama.cpp's
  // --rope-scaling yarn without --rope-scale takes the file's factor; here it is auto.
  double scale = 0;
  std::optional<double> alpha;            // beta_fast; unset: the file's (default 32)
  std::optional<double> beta;             // beta_slow; unset: the file's (default 1)
  std::optional<double> attn_factor;      // the final m, replacing every other factor
  // llama.cpp --yarn-attn-factor: multiplies the method's m. (Recent llama.cpp overwrites it
  // whenever yarn is active; we keep the older, documented meaning of a multiplier.)
  std::optional<double> yarn_attn_factor;
  std::optional<double> yarn_ext_factor;  // llama.cpp --yarn-ext-factor (yarn only)
  std::vector<double> custom_lambda;      // lambda_j, D/2-1 or D/2 values (the last is unused)
  // longrope on a model without its own factors: the long factors (D/2 values),
  // used when S > 1 on top of the model's f_i.
  std::vector<double> longrope_factors;
  double freq_base = 0;                   // b override, 0 = the file's
  int orig_ctx = 0;                       // L override, 0 = the file's
  // Force the correction boundaries of mrrope-* (tests and ablations).
  std::optional<int> force_d_low, force_d_high;
};

// The schedule, ready for the rotary kernel.
struct RopeTable {
  std::vector<double> freq;     // per pair i: theta_i / (f_i * s_i), what the decoders rotate by
  std::vector<float> inv_freq;  // the same rounded to float (compared to tell identical schedules)
  std::vector<double> divisor;  // s_i
  float attn_factor = 1;        // m: multiplies both cos and sin
  double scale = 1;             // S actually applied
  int d_low = 0, d_high = 0;    // correction boundaries (llama.cpp's for yarn, the doc's otherwise)
  RopeMethod method = RopeMethod::None;  // what was applied (never Native: that resolves to none/linear/yarn/longrope)
  double freq_base = 0;         // b actually used
  int n_ctx_orig = 0;           // L actually used
  std::string description;      // human-readable: what was applied, incl. native scaling and warnings
};

// Correction dimension of the doc: corr(r) = D ln(L / (2 pi r)) / (2 ln b).
double rope_corr_dim(int n_rot, double freq_base, int n_ctx_orig, double rotations);

struct CorrectionBounds {
  int d_low, d_high;
};
// The doc's boundaries: d_l = max(0, floor(corr(alpha))), d_h = min(D-1, ceil(corr(beta))),
// additionally kept within d_l <= d_h so that the band is never negative. D-1,
// not D/2: the MrRoPE paper's code and llama.cpp clamp there (docs/rope.md).
CorrectionBounds rope_correction_bounds(int n_rot, double freq_base, int n_ctx_orig, double alpha, double beta);
// llama.cpp's ggml_rope_yarn_corr_dims: same formula in float, d_h clamped at D-1.
CorrectionBounds yarn_correction_bounds_llama(int n_rot, double freq_base, int n_ctx_orig, double beta_fast,
                                              double beta_slow);

// Builds the table. n_needed_for_auto = prompt + max new tokens (for S = auto).
// Throws RopeError on inconsistent model or user parameters.
RopeTable build_rope_table(const RopeModelParams& model, const RopeParams& params, int n_needed_for_auto);

// Custom schedule file: lambdas separated by newlines and/or commas, '#' starts
// a comment. Each lambda must be a finite number >= 1. Throws RopeError naming
// the line. The count is checked against D by build_rope_table.
std::vector<double> parse_custom_schedule(std::string_view text);
std::vector<double> load_custom_schedule(const std::string& path);

// The doc's "What a user can inspect", per pair. The model's own f_i count as
// part of its trained frequencies, so theta_i below is b^(-2i/D) / f_i.
struct PairInspection {
  int pair;
  double wavelength;         // 2 pi / theta_i, in tokens (before extension)
  double divisor;            // s_i
  double trained_max_angle;  // L * theta_i
  double target_max_angle;   // T * theta_i / s_i
  bool out_of_distribution;  // target > trained while trained < 2 pi
};
std::vector<PairInspection> inspect_schedule(const RopeModelParams& model, const RopeTable& table, int target_len);

// Llama 3.1 rope_freqs (the doc's "The Llama 3.1 schedule"): f_i per pair, as
// llama.cpp's converter stores them. Computed in double.
std::vector<float> llama3_freq_factors(int n_rot, double freq_base, double factor, double low_freq_factor,
                                       double high_freq_factor, int orig_ctx);

}  // namespace mrrope
