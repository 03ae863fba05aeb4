#include "rope/rope_cli_options.h"

#include <cmath>
#include <functional>
#include <map>
#include <optional>

#include "rope/rope_methods.h"

namespace mrrope {
namespace {

double parse_number(const std::string& flag, const std::string& value) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size() || !std::isfinite(v))
    throw RopeError(flag + ": '" + value + "' is not a number");
  return v;
}

int parse_count(const std::string& flag, const std::string& value) {
  const double v = parse_number(flag, value);
  if (v != std::floor(v) || v < 0 || v > 1e9) throw RopeError(flag + ": '" + value + "' is not a token count");
  return static_cast<int>(v);
}

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

// "none, linear, yarn" for errors; with `or` before the last for the usage line.
std::string llama_cpp_scaling_names(bool with_or = false) {
  const std::string all = rope_method_names_where(llama_cpp_scaling);
  const size_t last = all.rfind(", ");
  if (!with_or || last == std::string::npos) return all;
  return all.substr(0, last) + " or " + all.substr(last + 2);
}

using Handler = std::function<void(const std::string& flag, const std::string& value, RopeParams&, Seen&)>;

const std::map<std::string, Handler>& handlers() {
  static const std::map<std::string, Handler> table = {
      {"--rope-scaling",
       [](const std::string& flag, const std::string& v, RopeParams&, Seen& seen) {
         // llama.cpp accepts exactly its own (none, linear, yarn).
         for (const RopeMethodInfo& m : rope_methods())
           if (m.llama_cpp_scaling && m.name == v) return set_method(seen, m.id, flag);
         throw RopeError(flag + ": '" + v + "' is not one of " + llama_cpp_scaling_names() +
                         " (use --rope-method for others)");
       }},
      {"--rope-method",
       [](const std::string& flag, const std::string& v, RopeParams&, Seen& seen) {
         try {
           set_method(seen, parse_rope_method(v), flag);
         } catch (const RopeError& e) {
           throw RopeError(flag + ": " + e.what());
         }
       }},
      {"--rope-scale",
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen& seen) {
         if (v == "auto") {
           p.scale = 0;
           seen.scale_auto = true;
           return;
         }
         const double s = parse_number(flag, v);
         if (s < 1) throw RopeError(flag + ": S must be >= 1 (or 'auto'), got " + v);
         p.scale = s;
         seen.scale_auto = false;
       }},
      {"--rope-freq-scale",  // llama.cpp: the inverse of --rope-scale
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen& seen) {
         const double f = parse_number(flag, v);
         if (!(f > 0 && f <= 1)) throw RopeError(flag + ": must be in (0, 1] (it is 1/S), got " + v);
         p.scale = 1 / f;
         seen.scale_auto = false;
       }},
      {"--rope-freq-base",
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen&) {
         const double b = parse_number(flag, v);
         if (b != 0 && !(b > 1)) throw RopeError(flag + ": must be > 1 (or 0 for the file's), got " + v);
         p.freq_base = b;
       }},
      {"--yarn-orig-ctx",
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen&) { p.orig_ctx = parse_count(flag, v); }},
      {"--yarn-beta-fast",
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen&) { p.alpha = positive(flag, v); }},
      {"--rope-alpha",
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen&) { p.alpha = positive(flag, v); }},
      {"--yarn-beta-slow",
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen&) { p.beta = positive(flag, v); }},
      {"--rope-beta",
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen&) { p.beta = positive(flag, v); }},
      {"--yarn-ext-factor",
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen&) {
         const double e = parse_number(flag, v);
         if (!(e >= 0 && e <= 1)) throw RopeError(flag + ": must be in [0, 1], got " + v);
         p.yarn_ext_factor = e;
       }},
      {"--yarn-attn-factor",
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen&) {
         p.yarn_attn_factor = positive(flag, v);
       }},
      {"--rope-attn-factor",
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen&) { p.attn_factor = positive(flag, v); }},
      {"--rope-schedule",
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen& seen) {
         try {
           p.custom_lambda = load_custom_schedule(v);
         } catch (const RopeError& e) {
           throw RopeError(flag + ": " + e.what());
         }
         seen.schedule = true;
       }},
      {"--rope-factors",  // LongRoPE's long factors, one per pair; the same file format (each >= 1)
       [](const std::string& flag, const std::string& v, RopeParams& p, Seen& seen) {
         try {
           p.longrope_factors = load_custom_schedule(v);
         } catch (const RopeError& e) {
           throw RopeError(flag + ": " + e.what());
         }
         seen.longrope_factors = true;
       }},
  };
  return table;
}

}  // namespace

RopeParams parse_rope_cli_options(std::vector<std::string>& args, RopeParams defaults) {
  RopeParams p = std::move(defaults);
  Seen seen;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i], value;
    bool inline_value = false;
    if (const size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
      inline_value = true;
    }
    const auto handler = handlers().find(flag);
    if (handler == handlers().end()) {
      rest.push_back(args[i]);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) throw RopeError(flag + ": missing value");
      value = args[++i];
    }
    handler->second(flag, value, p, seen);
  }

  if (seen.schedule) set_method(seen, RopeMethod::Custom, "--rope-schedule");
  if (seen.longrope_factors) set_method(seen, RopeMethod::LongRope, "--rope-factors");
  if (seen.method) p.method = *seen.method;
  if ((rope_method_info(p.method).uses & kUsesLambdas) && p.custom_lambda.empty())
    throw RopeError("--rope-method " + std::string(rope_method_name(p.method)) + " needs --rope-schedule FILE");
  if (seen.scale_auto && p.method == RopeMethod::Native)
    throw RopeError("--rope-scale auto needs an extension method (--rope-method or --rope-scaling); "
                    "native uses the file's own factor");
  if (p.alpha && p.beta && !(*p.alpha > *p.beta))
    throw RopeError("--rope-alpha/--yarn-beta-fast (" + std::to_string(*p.alpha) +
                    ") must be greater than --rope-beta/--yarn-beta-slow (" + std::to_string(*p.beta) + ")");
  args = std::move(rest);
  return p;
}

std::string rope_cli_usage() {
  return "RoPE scaling (context extension):\n"
         "  --rope-method NAME       " + rope_method_names() + " (default: native = what the file says)\n"
         "  --rope-scaling TYPE      llama.cpp: " + llama_cpp_scaling_names(true) + "\n"
         "  --rope-scale S|auto      extension scale S >= 1; auto = max(1, (prompt + new tokens) / L)\n"
         "  --rope-freq-scale F      llama.cpp: 1/S\n"
         "  --rope-freq-base B       rotary base b (default: the file's)\n"
         "  --rope-schedule FILE     custom radix schedule: lambda_j >= 1 per line or comma-separated, # comments\n"
         "  --rope-factors FILE      longrope on any model: D/2 long factors >= 1, same format (used when S > 1)\n"
         "  --rope-alpha A           high-frequency boundary, rotations in L (yarn beta_fast, default 32)\n"
         "  --rope-beta B            low-frequency boundary, rotations in L (yarn beta_slow, default 1)\n"
         "  --yarn-beta-fast A       same as --rope-alpha\n"
         "  --yarn-beta-slow B       same as --rope-beta\n"
         "  --yarn-orig-ctx N        original training context L (default: the file's)\n"
         "  --yarn-ext-factor E      yarn extrapolation mix in [0, 1] (default 1)\n"
         "  --yarn-attn-factor F     multiplies the method's attention factor m\n"
         "  --rope-attn-factor M     sets the attention factor m outright\n";
}

}  // namespace mrrope
