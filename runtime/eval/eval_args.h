#pragma once
// The arguments of `mrrope-cli eval MODE ...` (after the model options are
// taken out), parsed here rather than in the CLI so the tests can check every
// error message. Throws std::invalid_argument with a clear message.
#include <string>
#include <vector>

#include "eval/sweep.h"

namespace mrrope {

struct EvalArgs {
  std::string mode;  // ppl, a task of eval/eval_tasks.h, ruler (the RULER-style tasks) or all
  std::vector<std::string> tasks;  // the retrieval tasks the mode runs, in table order
  SweepConfig config;
  std::string out_dir = "eval-out";
  std::string text_file;      // -f: perplexity text and haystack; empty: the bundled samples
  double threshold = 0.85;    // retrieval accuracy for the effective context
  double margin = 0.10;       // perplexity margin over the native length
  bool progress = true;
};

EvalArgs parse_eval_args(const std::vector<std::string>& args);

// "512", "1k", "8K" -> tokens. Throws on anything else or on a value below 1.
int parse_length(const std::string& text);
// "a,b,c" -> {"a","b","c"}; throws on an empty list or an empty item.
std::vector<std::string> split_list(const std::string& text, const std::string& what);

// The usage text; the --methods line lists the registry's methods that need only S.
// A function, not a global string, so that commands registered at start-up can read it.
const char* eval_usage();

}  // namespace mrrope
