#include "eval/eval_args.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "eval/eval_tasks.h"
#include "options/option_table.h"
#include "rope/rope_methods.h"

namespace mrrope {

const char* const kEvalHelp = "mrrope-cli help eval";

std::string eval_usage(const OptionTable& table) {
  std::string tasks;
  for (const auto& t : eval_tasks())
    tasks += "  " + std::string(t.name) + std::string(20 - std::min<size_t>(19, t.name.size()), ' ') +
             std::string(t.description) + (t.uses_depth ? "" : "; depths only add seeded trials") +
             (t.ruler ? " (ruler)" : "") + "\n";
  return "mrrope-cli eval ppl|TASK|ruler|all [options]\n"
         "Tasks (ruler: the RULER-style ones; all: perplexity and every task):\n" + tasks +
         "Scores: passkey/niah exact digits; needle variants, variable-tracking and common-words the\n"
         "fraction of expected values in the answer (RULER's recall); doc-qa normalized exact match.\n"
         "Text: the bundled samples and the held-out documents (or -f FILE; form feeds separate documents);\n"
         "haystacks repeat its documents in seeded shuffled orders when a length needs more.\n" +
         table.help() + "Ctrl-C stops the sweep; finished runs are kept and written.";
}

int parse_length(const std::string& text) {
  std::string digits = text;
  long long multiplier = 1;
  if (!digits.empty() && (digits.back() == 'k' || digits.back() == 'K')) multiplier = 1024, digits.pop_back();
  long long v = 0;
  try {
    v = parse_integer("length", digits, -(1LL << 40), 1LL << 40) * multiplier;
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("bad length '" + text + "' (e.g. 512, 2k)");
  }
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

EvalArgs default_eval_args() {
  EvalArgs a;
  a.config.methods.clear();
  for (const RopeMethodInfo& m : rope_methods())
    if (rope_method_needs_only_scale(m)) a.config.methods.push_back(m.id);
  a.config.lengths = {512, 1024, 2048, 4096};
  return a;
}

void add_eval_options(OptionTable& table, EvalArgs& a) {
  using Value = const std::string&;
  SweepConfig& c = a.config;
  table.section("eval options");
  table.value({"--methods"}, rope_method_names_where(rope_method_needs_only_scale, ","), "RoPE methods to compare",
              [&c](Value, Value v) { c.methods = parse_method_list(split_list(v, "methods")); });
  table.value({"--lengths"}, "512,1k,2k,4k", "context lengths in tokens (k = 1024)", [&c](Value, Value v) {
    c.lengths.clear();
    for (const auto& s : split_list(v, "lengths")) c.lengths.push_back(parse_length(s));
  });
  table.value({"--scale"}, "S|auto", "S for every run; auto (default): S = length / L per length",
              [&c](Value flag, Value v) {
                c.scale = v == "auto" ? 0 : parse_number(flag, v);
                if (v != "auto" && c.scale < 1) throw std::invalid_argument("--scale must be at least 1 or auto, got " + v);
              });
  table.store({"-f", "--file"}, "FILE", "perplexity text, haystack and word source (default: the bundled samples\nand held-out documents, runtime/eval/sample_text.h)",
              &a.text_file);
  table.store({"--chunks"}, "N",
              "perplexity: score N windows of the longest length (0 = all the text; default 4);\n"
              "shorter lengths score the same tokens in more windows",
              &c.chunks);
  table.value({"--depths"}, "0,25,50,75,100", "needle depths in % of the haystack", [&c](Value flag, Value v) {
    c.depths.clear();
    for (const auto& s : split_list(v, "depths")) {
      const double d = parse_number(flag, s);
      if (d < 0 || d > 100) throw std::invalid_argument("depth " + s + " is outside 0-100 (%)");
      c.depths.push_back(d / 100.0);
    }
  });
  table.store({"--trials"}, "N", "trials per (method, length, depth, seed)", &c.trials);
  table.value({"--seed"}, "S", "seeds the prompts, the same for every method", [&c](Value flag, Value v) {
    c.seed = static_cast<uint64_t>(parse_integer(flag, v, 0, INT64_MAX));
  });
  table.store({"--seeds"}, "N",
              "run seeds S, S+1, ..., S+N-1 (default 1) and pool them in the tables and\n"
              "the paired comparison; each seed's rows are those of a run with --seed of it",
              &c.seeds);
  table.value({"--compare"}, "A,B", "the paired comparison of the report (default mrrope-pro,yarn)",
              [&a](Value, Value v) {
                const auto methods = parse_method_list(split_list(v, "compare"));
                if (methods.size() != 2 || methods[0] == methods[1])
                  throw std::invalid_argument("--compare takes two different methods, e.g. mrrope-pro,yarn");
                a.compare_a = methods[0];
                a.compare_b = methods[1];
              });
  table.store({"--passkey-intro"}, "TEXT", "passkey prompt: the opening text", &c.passkey.intro);
  table.store({"--passkey-filler"}, "TEXT", "passkey prompt: the text repeated as the haystack", &c.passkey.filler);
  table.store({"--passkey-needle"}, "TEXT", "passkey prompt: the key's sentence ({N}: the key)", &c.passkey.needle);
  table.store({"--passkey-question"}, "TEXT", "passkey prompt: the question", &c.passkey.question);
  table.store({"--passkey-digits"}, "N", "digits of the pass key", &c.passkey.digits);
  table.store({"--niah-needle"}, "TEXT", "niah prompt: the needle ({W}: the word, {N}: the number)", &c.needle.needle);
  table.store({"--niah-question"}, "TEXT", "niah prompt: the question ({W}: the word)", &c.needle.question);
  table.store({"--niah-digits"}, "N", "digits of the needle's number", &c.needle.digits);
  table.store({"--max-new-tokens"}, "N", "tokens generated per answer at most", &c.max_new_tokens);
  table.flag({"--no-prefix-reuse"}, "prefill every prompt whole (checks the KV prefix reuse)",
             [&c] { c.reuse_prefix = false; });
  table.flag({"--rerun-identical"},
             "rerun a method whose schedule equals an earlier one's at a length\n"
             "(default: copy its results, seconds = 0; e.g. every method at S = 1)",
             [&c] { c.copy_identical_schedules = false; });
  table.value({"--threshold"}, "0.85", "effective context: accuracy >= threshold", [&a](Value flag, Value v) {
    a.threshold = parse_number(flag, v);
    if (a.threshold < 0 || a.threshold > 1) throw std::invalid_argument("--threshold must be within 0..1");
  });
  table.value({"--margin"}, "0.10", "effective context: perplexity <= (1 + margin) x native", [&a](Value flag, Value v) {
    a.margin = parse_number(flag, v);
    if (a.margin < 0) throw std::invalid_argument("--margin must be >= 0");
  });
  table.store({"--out"}, "DIR", "results.csv, results.json, ppl.png, TASK.png (default eval-out)", &a.out_dir);
  table.flag({"--quiet"}, "no progress line", [&a] { a.progress = false; });
}

void set_eval_mode(EvalArgs& a, const std::vector<std::string>& words) {
  const std::string modes = "ppl, " + eval_task_names() + ", ruler or all";
  if (words.empty()) throw std::invalid_argument("eval needs a mode: " + modes);
  if (words.size() > 1) throw std::invalid_argument("unknown argument '" + words[1] + "' (see " + kEvalHelp + ")");
  a.mode = words[0];
  a.tasks.clear();
  for (const auto& t : eval_tasks())
    if (a.mode == t.name || a.mode == "all" || (a.mode == "ruler" && t.ruler)) a.tasks.emplace_back(t.name);
  if (a.tasks.empty() && a.mode != "ppl") throw std::invalid_argument("unknown eval mode '" + a.mode + "' (" + modes + ")");
  const SweepConfig& c = a.config;
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
}

EvalArgs parse_eval_args(const std::vector<std::string>& args) {
  EvalArgs a = default_eval_args();
  OptionTable table(kEvalHelp);
  add_eval_options(table, a);
  std::vector<std::string> words;
  table.parse(args, &words);
  set_eval_mode(a, words);
  return a;
}

}  // namespace mrrope
