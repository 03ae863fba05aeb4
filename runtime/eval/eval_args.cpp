#include "eval/eval_args.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "eval/eval_tasks.h"
#include "rope/rope_methods.h"

namespace mrrope {
namespace {

double parse_number(const std::string& text, const std::string& what) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(v))
    throw std::invalid_argument(what + " must be a number, got '" + text + "'");
  return v;
}

int parse_int(const std::string& text, const std::string& what) {
  const double v = parse_number(text, what);
  if (v != std::floor(v) || std::fabs(v) > 1e9) throw std::invalid_argument(what + " must be an integer, got '" + text + "'");
  return static_cast<int>(v);
}

}  // namespace

const char* eval_usage() {
  static const std::string usage = [] {
    std::string tasks;
    for (const auto& t : eval_tasks())
      tasks += "  " + std::string(t.name) + std::string(20 - std::min<size_t>(19, t.name.size()), ' ') +
               std::string(t.description) + (t.uses_depth ? "" : "; depths only add seeded trials") +
               (t.ruler ? " (ruler)" : "") + "\n";
    return
      "mrrope-cli eval ppl|TASK|ruler|all [options] [model options]\n"
      "Tasks (ruler: the RULER-style ones; all: perplexity and every task):\n" + tasks +
      "Scores: passkey/niah exact digits; needle variants, variable-tracking and common-words the\n"
      "fraction of expected values in the answer (RULER's recall); doc-qa normalized exact match.\n"
      "Haystacks repeat the text's paragraphs in seeded shuffled orders when a length needs more.\n"
      "  --methods " + rope_method_names_where(rope_method_needs_only_scale, ",") + "   RoPE methods to compare\n"
      "  --lengths 512,1k,2k,4k    context lengths in tokens (k = 1024)\n"
      "  --scale S|auto            S for every run; auto (default): S = length / L per length\n"
      "  -f FILE                   perplexity text, haystack and word source (default: the bundled samples)\n"
      "  --chunks N                perplexity: score N windows of the longest length (0 = all the text; default 4);\n"
      "                            shorter lengths score the same tokens in more windows\n"
      "  --depths 0,25,50,75,100   needle depths in % of the haystack\n"
      "  --trials N --seed S       trials per (method, length, depth); seeded prompts, the same for every method\n"
      "  --passkey-intro/--passkey-filler/--passkey-needle/--passkey-question TEXT   ({N}: the key)\n"
      "  --niah-needle/--niah-question TEXT   ({W}: the word, {N}: the number)\n"
      "  --passkey-digits N --niah-digits N --max-new-tokens N\n"
      "  --no-prefix-reuse         prefill every prompt whole (checks the KV prefix reuse)\n"
      "  --rerun-identical         rerun a method whose schedule equals an earlier one's at a length\n"
      "                            (default: copy its results, seconds = 0; e.g. every method at S = 1)\n"
      "  --threshold 0.85 --margin 0.10   effective context: accuracy >= threshold, perplexity <= (1 + margin) x native\n"
      "  --out DIR                 results.csv, results.json, ppl.png, TASK.png (default eval-out)\n"
      "  --quiet                   no progress line\n"
      "Ctrl-C stops the sweep; finished runs are kept and written.";
  }();
  return usage.c_str();
}

int parse_length(const std::string& text) {
  std::string digits = text;
  long multiplier = 1;
  if (!digits.empty() && (digits.back() == 'k' || digits.back() == 'K')) multiplier = 1024, digits.pop_back();
  size_t used = 0;
  long v = 0;
  try {
    v = std::stol(digits, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != digits.size()) throw std::invalid_argument("bad length '" + text + "' (e.g. 512, 2k)");
  v *= multiplier;
  if (v < 1) throw std::invalid_argument("length " + std::to_string(v) + " is below 1 token");
  if (v > (1 << 24)) throw std::invalid_argument("length '" + text + "' is too large");
  return static_cast<int>(v);
}

std::vector<std::string> split_list(const std::string& text, const std::string& what) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t end = std::min(text.find(',', begin), text.size());
    const std::string item = text.substr(begin, end - begin);
    if (item.empty()) {
      if (text.empty()) break;
      throw std::invalid_argument("empty item in the " + what + " list '" + text + "'");
    }
    out.push_back(item);
    begin = end + 1;
  }
  if (out.empty()) throw std::invalid_argument("the " + what + " list is empty");
  return out;
}

EvalArgs parse_eval_args(const std::vector<std::string>& argv) {
  const std::string modes = "ppl, " + eval_task_names() + ", ruler or all";
  if (argv.empty()) throw std::invalid_argument("eval needs a mode: " + modes);
  EvalArgs a;
  a.mode = argv[0];
  for (const auto& t : eval_tasks())
    if (a.mode == t.name || a.mode == "all" || (a.mode == "ruler" && t.ruler)) a.tasks.emplace_back(t.name);
  if (a.tasks.empty() && a.mode != "ppl") throw std::invalid_argument("unknown eval mode '" + a.mode + "' (" + modes + ")");
  SweepConfig& c = a.config;
  c.methods.clear();
  for (const RopeMethodInfo& m : rope_methods())
    if (rope_method_needs_only_scale(m)) c.methods.push_back(m.id);
  c.lengths = {512, 1024, 2048, 4096};
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argv.size()) throw std::invalid_argument(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--methods") {
      c.methods = parse_method_list(split_list(value(), "methods"));
    } else if (flag == "--lengths") {
      c.lengths.clear();
      for (const auto& s : split_list(value(), "lengths")) c.lengths.push_back(parse_length(s));
    } else if (flag == "--depths") {
      c.depths.clear();
      for (const auto& s : split_list(value(), "depths")) {
        const double d = parse_number(s, "a depth");
        if (d < 0 || d > 100) throw std::invalid_argument("depth " + s + " is outside 0-100 (%)");
        c.depths.push_back(d / 100.0);
      }
    } else if (flag == "--trials") {
      c.trials = parse_int(value(), "--trials");
    } else if (flag == "--seed") {
      c.seed = static_cast<uint64_t>(parse_int(value(), "--seed"));
    } else if (flag == "--scale") {
      const std::string v = value();
      c.scale = v == "auto" ? 0 : parse_number(v, "--scale");
      if (v != "auto" && c.scale < 1) throw std::invalid_argument("--scale must be at least 1 or auto, got " + v);
    } else if (flag == "--chunks") {
      c.chunks = parse_int(value(), "--chunks");
    } else if (flag == "-f" || flag == "--file") {
      a.text_file = value();
    } else if (flag == "--out") {
      a.out_dir = value();
    } else if (flag == "--threshold") {
      a.threshold = parse_number(value(), "--threshold");
      if (a.threshold < 0 || a.threshold > 1) throw std::invalid_argument("--threshold must be within 0..1");
    } else if (flag == "--margin") {
      a.margin = parse_number(value(), "--margin");
      if (a.margin < 0) throw std::invalid_argument("--margin must be >= 0");
    } else if (flag == "--passkey-intro") {
      c.passkey.intro = value();
    } else if (flag == "--passkey-filler") {
      c.passkey.filler = value();
    } else if (flag == "--passkey-needle") {
      c.passkey.needle = value();
    } else if (flag == "--passkey-question") {
      c.passkey.question = value();
    } else if (flag == "--passkey-digits") {
      c.passkey.digits = parse_int(value(), "--passkey-digits");
    } else if (flag == "--niah-needle") {
      c.needle.needle = value();
    } else if (flag == "--niah-question") {
      c.needle.question = value();
    } else if (flag == "--niah-digits") {
      c.needle.digits = parse_int(value(), "--niah-digits");
    } else if (flag == "--max-new-tokens") {
      c.max_new_tokens = parse_int(value(), "--max-new-tokens");
    } else if (flag == "--no-prefix-reuse") {
      c.reuse_prefix = false;
    } else if (flag == "--rerun-identical") {
      c.copy_identical_schedules = false;
    } else if (flag == "--quiet") {
      a.progress = false;
    } else {
      throw std::invalid_argument("unknown argument '" + flag + "' (see mrrope-cli help eval)");
    }
  }
  if (c.passkey.needle.find("{N}") == std::string::npos)
    throw std::invalid_argument("--passkey-needle must contain {N} (the key)");
  if (c.needle.needle.find("{N}") == std::string::npos || c.needle.needle.find("{W}") == std::string::npos)
    throw std::invalid_argument("--niah-needle must contain {W} (the word) and {N} (the number)");
  for (int d : {c.passkey.digits, c.needle.digits})
    if (d < 1 || d > 18) throw std::invalid_argument("digits must be within 1..18");
  if (c.max_new_tokens < 1) throw std::invalid_argument("--max-new-tokens must be at least 1");
  // Checks that need no model (methods, lengths, trials); the model's n_rot is checked on opening.
  SweepConfig check = c;
  ModelConfig any;
  any.rope.n_rot = 2;
  validate(check, any);
  return a;
}

}  // namespace mrrope
