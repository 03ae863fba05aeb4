#pragma once
// The arguments of `mrrope-cli eval MODE ...`: eval's own options, added to
// the command's table beside the model options (options/option_table.h), and
// the mode. Here rather than in the CLI so the tests can check every error
// message. Throws std::invalid_argument with a clear message.
#include <string>
#include <vector>

#include "eval/sweep.h"

namespace mrrope {

class OptionTable;

struct EvalArgs {
  std::string mode;  // ppl, a task of eval/eval_tasks.h, ruler (the RULER-style tasks) or all
  std::vector<std::string> tasks;  // the retrieval tasks the mode runs, in table order
  SweepConfig config;
  std::string out_dir = "eval-out";
  std::string text_file;      // -f: perplexity text and haystack; empty: the bundled texts (eval/sample_text.h)
  double threshold = 0.85;    // retrieval accuracy for the effective context
  double margin = 0.10;       // perplexity margin over the native length
  // The reports' paired comparison (eval/paired_comparison.h): --compare A,B.
  RopeMethod compare_a = RopeMethod::MrRopePro, compare_b = RopeMethod::Yarn;
  bool progress = true;
};

// The defaults: every method that needs nothing but S, lengths 512 to 4096.
EvalArgs default_eval_args();
// Adds eval's own flags (--methods ... --quiet) to a command's table; they fill `args`.
void add_eval_options(OptionTable& table, EvalArgs& args);
// The mode from the command's words (only one: ppl, a task, ruler or all) and
// the checks that need every flag. Throws std::invalid_argument.
void set_eval_mode(EvalArgs& args, const std::vector<std::string>& words);
// All three for a line of eval's own arguments (no model options).
EvalArgs parse_eval_args(const std::vector<std::string>& args);

// "512", "1k", "8K" -> tokens. Throws on anything else or on a value below 1.
int parse_length(const std::string& text);
// "a,b,c" -> {"a","b","c"}; throws on an empty list or an empty item.
std::vector<std::string> split_list(const std::string& text, const std::string& what);

// The help of `mrrope-cli eval`: the modes and tasks, then `table`'s options
// (eval's and the model's; the --methods metavar lists the registry's methods that need only S).
std::string eval_usage(const OptionTable& table);

}  // namespace mrrope
