#pragma once
// The registry of RoPE methods: one entry per method with its id, its name on
// the command line, the parameters it reads and how it fills the per-pair
// divisors s_i and its attention factor m. build_rope_table, the CLI flags,
// the app's lists and eval all read this table, so a new method is one entry
// (plus its RopeMethod id) and its test.
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "rope/rope_schedule.h"

namespace mrrope {

// What a method reads besides the shared inputs (D, b, L, the file's f_i).
// The method panel shows the matching controls; the description lists them.
enum RopeUses : unsigned {
  kUsesScale = 1u << 0,        // S (the user's, or auto)
  kUsesBand = 1u << 1,         // alpha/beta and the correction band d_l..d_h
  kUsesExtFactor = 1u << 2,    // yarn's extrapolation mix
  kUsesLambdas = 1u << 3,      // a custom schedule (--rope-schedule); its S is their product
  kUsesLongFactors = 1u << 4,  // LongRoPE's long factors (the file's or --rope-factors)
};

// Where S comes from for a method the user picked (native resolves first).
enum class ScaleSource {
  One,        // always 1: the method does not scale
  Requested,  // the user's S, or auto = max(1, n_needed / L)
  Lambdas,    // the product of the custom lambdas
};

// The inputs every method shares, after the user's overrides.
struct RopeInputs {
  int n_rot = 0;       // D
  int n_pairs = 0;     // D/2
  double base = 0;     // b
  int orig_ctx = 0;    // L
  double alpha = 0, beta = 0;
};

// What a method's schedule function sees.
struct MethodContext {
  const RopeModelParams& model;
  const RopeParams& params;
  const RopeInputs& in;
  double scale;           // S, already resolved
  CorrectionBounds band;  // the doc's d_l, d_h (or the forced ones)
};

// What it returns.
struct MethodSchedule {
  std::vector<double> divisor;          // s_i, D/2 values
  double attn_factor = 1;               // the method's m, before the user's and the file's factors
  std::optional<CorrectionBounds> band; // boundaries of its own (yarn: llama.cpp's), replacing the doc's
  const char* band_note = "";           // said after the boundaries in the description
};

struct RopeMethodInfo {
  RopeMethod id;
  std::string_view name;   // the command line's, the settings', the CSV's
  std::string_view label;  // one line for people (tooltips)
  unsigned uses;           // RopeUses bits
  ScaleSource scale_source;
  bool llama_cpp_scaling;  // one of llama.cpp's --rope-scaling values
  // Native: not a schedule of its own but what the file declares, resolved to
  // another method before schedule() runs (which is then null).
  bool from_file;
  MethodSchedule (*schedule)(const MethodContext&);
};

// Every method, in the order lists show them.
std::span<const RopeMethodInfo> rope_methods();
const RopeMethodInfo& rope_method_info(RopeMethod method);

// Whether the user's S (or auto) sets the method's context window: not for a
// method that never scales (none) nor for the file's own scaling (native).
bool rope_method_takes_user_scale(const RopeMethodInfo& info);
bool rope_method_takes_user_scale(RopeMethod method);

// Comparable on S alone (no lambdas, factors or file): eval's default list.
bool rope_method_needs_only_scale(const RopeMethodInfo& info);

// "a, b, c" of the methods for which `keep` holds, e.g. llama.cpp's --rope-scaling values.
std::string rope_method_names_where(bool (*keep)(const RopeMethodInfo&), std::string_view separator = ", ");

}  // namespace mrrope
