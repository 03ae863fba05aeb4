// mrrope-cli perplexity: perplexity of a text file at a context length under a
// RoPE method, per window and overall, optionally dumping per-token NLL.
#include <cmath>
#include <cstdio>
#include <fstream>

#include "command.h"
#include "eval/perplexity.h"
#include "run_model.h"

namespace mrrope::cli {
namespace {

struct PerplexityArgs {
  std::string path, dump;
  int window = 0, max_windows = 0;
  ModelOptions model;
  bool help = false;
};

OptionTable perplexity_options(PerplexityArgs& a) {
  OptionTable table("mrrope-cli help perplexity");
  table.section("perplexity");
  table.store({"-f", "--file"}, "FILE", "the text to score", &a.path);
  table.store({"--window"}, "N", "tokens per window (default: -c, else the model's native context)", &a.window);
  table.store({"--chunks"}, "N", "score at most N windows (default 0 = all the text)", &a.max_windows);
  table.store({"--dump-nll"}, "CSV", "write every token's NLL (window, position, nll)", &a.dump);
  table.help_option(&a.help);
  add_model_options(table, a.model);
  return table;
}

std::string perplexity_help() {
  PerplexityArgs unused;
  return "mrrope-cli perplexity -f FILE [--window N] [--chunks N] [--dump-nll CSV] [options]\n" +
         perplexity_options(unused).help();
}

int run_perplexity(const std::vector<std::string>& args) {
  PerplexityArgs a;
  perplexity_options(a).parse(args);
  if (a.help) return print_command_help("perplexity");
  const ModelOptions& options = a.model;
  const std::string &path = a.path, &dump = a.dump;
  int window = a.window;
  const int max_windows = a.max_windows;
  if (path.empty()) throw std::invalid_argument("perplexity needs -f FILE");
  if (max_windows < 0) throw std::invalid_argument("--chunks must be 0 (all the text) or more");
  if (window < 0) throw std::invalid_argument("--window must be at least 2");
  const std::string text = read_text_file(path);
  LoadedModel m = open_model(options);
  if (window == 0) window = options.n_ctx > 0 ? options.n_ctx : m.engine->config().n_ctx_train;
  if (window < 2) throw std::invalid_argument("--window must be at least 2");
  const auto tokens = m.engine->tokenizer().tokenize(text, false, false);
  std::fprintf(stderr, "%s: %zu tokens, window %d\n", path.c_str(), tokens.size(), window);
  prepare_decoder(m, options, window);
  const PerplexityResult r = evaluate_perplexity(*m.engine, tokens, window, max_windows, [](int done, int total) {
    std::fprintf(stderr, "\r%d/%d tokens scored", done, total);
  });
  std::fprintf(stderr, "\n");
  for (size_t w = 0; w < r.nll.size(); ++w) std::printf("window %zu: perplexity %.4f\n", w, r.window_perplexity(w));
  std::printf("perplexity %.4f over %zu windows of %d tokens (mean NLL %.5f)\n", r.perplexity(), r.nll.size(), window,
              r.mean_nll());
  if (!dump.empty()) {
    std::ofstream out(dump);
    if (!out) throw std::runtime_error("cannot write '" + dump + "'");
    out << "window,position,nll\n";
    for (size_t w = 0; w < r.nll.size(); ++w)
      for (size_t t = 0; t < r.nll[w].size(); ++t) out << w << "," << t + 1 << "," << r.nll[w][t] << "\n";
  }
  return 0;
}

}  // namespace

MRROPE_CLI_COMMAND(perplexity, "perplexity", "perplexity of a text file at a context length and RoPE method",
                   perplexity_help, run_perplexity);

}  // namespace mrrope::cli
