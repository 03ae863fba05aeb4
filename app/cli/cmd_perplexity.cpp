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

int run_perplexity(const std::vector<std::string>& argv) {
  std::vector<std::string> args = argv;
  ModelOptions options = parse_model_options(args);
  std::string path, dump;
  int window = 0, max_windows = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "-f" || args[i] == "--file") && i + 1 < args.size()) path = args[++i];
    else if (args[i] == "--window" && i + 1 < args.size()) {
      window = integer(args[i], args[i + 1]);
      ++i;
    } else if (args[i] == "--chunks" && i + 1 < args.size()) {
      max_windows = integer(args[i], args[i + 1]);
      ++i;
    } else if (args[i] == "--dump-nll" && i + 1 < args.size()) dump = args[++i];
    else throw std::invalid_argument("unknown argument '" + args[i] + "' (see mrrope-cli help perplexity)");
  }
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
                   "mrrope-cli perplexity -f FILE [--window N] [--chunks N] [--dump-nll CSV] [model options]",
                   run_perplexity);

}  // namespace mrrope::cli
