#include "rope/rope_cli_options.h"

#include <memory>
#include <stdexcept>
#include <optional>

#include "options/option_table.h"
#include "rope/rope_methods.h"

namespace mrrope {
namespace {

double positive(const std::string& flag, const std::string& value) {
  const double v = parse_number(flag, value);
  if (v <= 0) throw RopeError(flag + ": must be > 0, got " + value);
  return v;
}

// What the flags said, before the cross-flag checks.
struct Seen {
  std::optional<RopeMethod> method;
  std::string method_flag;  // which flag set it, for conflict messages
  bool scale_auto = false;
  bool schedule = false;
  bool longrope_factors = false;
};

void set_method(Seen& seen, RopeMethod method, const std::string& flag) {
  if (seen.method && *seen.method != method)
    throw RopeError(flag + " " + std::string(rope_method_name(method)) + " conflicts with " + seen.method_flag + " " +
                    std::string(rope_method_name(*seen.method)));
  seen.method = method;
  seen.method_flag = flag;
}

bool llama_cpp_scaling(const RopeMethodInfo& m) { return m.llama_cpp_scaling; }

// "none, linear, yarn" for errors; with `or` before the last for the help.
std::string llama_cpp_scaling_names(bool with_or = false) {
  const std::string all = rope_method_names_where(llama_cpp_scaling);
  const size_t last = all.rfind(", ");
  if (!with_or || last == std::string::npos) return all;
  return all.substr(0, last) + " or " + all.substr(last + 2);
}

// A schedule file's values, with the flag named in its errors.
std::vector<double> load_values(const std::string& flag, const std::string& path) {
  try {
    return load_custom_schedule(path);
  } catch (const RopeError& e) {
    throw RopeError(flag + ": " + e.what());
  }
}

}  // namespace

void add_rope_options(OptionTable& table, RopeParams& p) {
  auto seen = std::make_shared<Seen>();
  using Value = const std::string&;
  table.section("RoPE scaling (context extension)");
  table.value({"--rope-method"}, "NAME", rope_method_names() + " (default: native = what the file says)",
              [seen](Value flag, Value v) {
                try {
                  set_method(*seen, parse_rope_method(v), flag);
                } catch (const RopeError& e) {
                  throw RopeError(flag + ": " + e.what());
                }
              });
  table.value({"--rope-scaling"}, "TYPE", "llama.cpp: " + llama_cpp_scaling_names(true), [seen](Value flag, Value v) {
    // llama.cpp accepts exactly its own (none, linear, yarn).
    for (const RopeMethodInfo& m : rope_methods())
      if (m.llama_cpp_scaling && m.name == v) return set_method(*seen, m.id, flag);
    throw RopeError(flag + ": '" + v + "' is not one of " + llama_cpp_scaling_names() +
                    " (use --rope-method for others)");
  });
  table.value({"--rope-scale"}, "S|auto", "extension scale S >= 1; auto = max(1, (prompt + new tokens) / L)",
              [seen, &p](Value flag, Value v) {
                seen->scale_auto = v == "auto";
                if (seen->scale_auto) {
                  p.scale = 0;
                  return;
                }
                const double s = parse_number(flag, v);
                if (s < 1) throw RopeError(flag + ": S must be >= 1 (or 'auto'), got " + v);
                p.scale = s;
              });
  table.value({"--rope-freq-scale"}, "F", "llama.cpp: 1/S", [seen, &p](Value flag, Value v) {
    const double f = parse_number(flag, v);
    if (!(f > 0 && f <= 1)) throw RopeError(flag + ": must be in (0, 1] (it is 1/S), got " + v);
    p.scale = 1 / f;
    seen->scale_auto = false;
  });
  table.value({"--rope-freq-base"}, "B", "rotary base b (default: the file's)", [&p](Value flag, Value v) {
    const double b = parse_number(flag, v);
    if (b != 0 && !(b > 1)) throw RopeError(flag + ": must be > 1 (or 0 for the file's), got " + v);
    p.freq_base = b;
  });
  table.value({"--rope-schedule"}, "FILE",
              "custom radix schedule: lambda_j >= 1 per line or comma-separated, # comments",
              [seen, &p](Value flag, Value v) {
                p.custom_lambda = load_values(flag, v);
                seen->schedule = true;
              });
  // LongRoPE's long factors, one per pair; the same file format (each >= 1).
  table.value({"--rope-factors"}, "FILE", "longrope on any model: D/2 long factors >= 1, same format (used when S > 1)",
              [seen, &p](Value flag, Value v) {
                p.longrope_factors = load_values(flag, v);
                seen->longrope_factors = true;
              });
  table.value({"--rope-alpha", "--yarn-beta-fast"}, "A",
              "high-frequency boundary, rotations in L (yarn beta_fast, default 32)",
              [&p](Value flag, Value v) { p.alpha = positive(flag, v); });
  table.value({"--rope-beta", "--yarn-beta-slow"}, "B", "low-frequency boundary, rotations in L (yarn beta_slow, default 1)",
              [&p](Value flag, Value v) { p.beta = positive(flag, v); });
  table.value({"--yarn-orig-ctx"}, "N", "original training context L (default: the file's)",
              [&p](Value flag, Value v) { p.orig_ctx = static_cast<int>(parse_integer(flag, v, 0, 1000000000)); });
  table.value({"--yarn-ext-factor"}, "E", "yarn extrapolation mix in [0, 1] (default 1)", [&p](Value flag, Value v) {
    const double e = parse_number(flag, v);
    if (!(e >= 0 && e <= 1)) throw RopeError(flag + ": must be in [0, 1], got " + v);
    p.yarn_ext_factor = e;
  });
  table.value({"--yarn-attn-factor"}, "F", "multiplies the method's attention factor m",
              [&p](Value flag, Value v) { p.yarn_attn_factor = positive(flag, v); });
  table.value({"--rope-attn-factor"}, "M", "sets the attention factor m outright",
              [&p](Value flag, Value v) { p.attn_factor = positive(flag, v); });

  table.after([seen, &p] {
    if (seen->schedule) set_method(*seen, RopeMethod::Custom, "--rope-schedule");
    if (seen->longrope_factors) set_method(*seen, RopeMethod::LongRope, "--rope-factors");
    if (seen->method) p.method = *seen->method;
    if ((rope_method_info(p.method).uses & kUsesLambdas) && p.custom_lambda.empty())
      throw RopeError("--rope-method " + std::string(rope_method_name(p.method)) + " needs --rope-schedule FILE");
    if (seen->scale_auto && p.method == RopeMethod::Native)
      throw RopeError("--rope-scale auto needs an extension method (--rope-method or --rope-scaling); "
                      "native uses the file's own factor");
    if (p.alpha && p.beta && !(*p.alpha > *p.beta))
      throw RopeError("--rope-alpha/--yarn-beta-fast (" + std::to_string(*p.alpha) +
                      ") must be greater than --rope-beta/--yarn-beta-slow (" + std::to_string(*p.beta) + ")");
  });
}

RopeParams parse_rope_cli_options(std::vector<std::string>& args, RopeParams defaults) {
  RopeParams p = std::move(defaults);
  OptionTable table;
  add_rope_options(table, p);
  try {
    table.take(args);
  } catch (const std::invalid_argument& e) {  // the table's own: a missing value, a bad number
    throw RopeError(e.what());
  }
  return p;
}

std::string rope_cli_usage() {
  RopeParams unused;
  OptionTable table;
  add_rope_options(table, unused);
  return table.help();
}

}  // namespace mrrope
