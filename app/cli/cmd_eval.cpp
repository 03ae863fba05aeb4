// mrrope-cli eval ppl|TASK|ruler|all: evaluation sweeps per RoPE method, with
// CSV/JSON/PNG outputs, progress, Ctrl-C that keeps finished results, and the
// effective context length per method. Arguments: runtime/eval/eval_args.h.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <unistd.h>

#include "command.h"
#include "eval/eval_args.h"
#include "eval/eval_outputs.h"
#include "eval/eval_tasks.h"
#include "eval/report.h"
#include "eval/sample_text.h"
#include "eval/sweep.h"
#include "run_model.h"

namespace mrrope::cli {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_cancel{false};
// First Ctrl-C: stop after the prefill chunk in progress (within about a
// second) and keep the finished runs; second: exit at once. Only
// async-signal-safe calls here.
extern "C" void on_sigint(int) {
  if (g_cancel.exchange(true)) _exit(130);
  static const char kMessage[] = "\nstopping after the current chunk (finished runs are kept); Ctrl-C again to quit now\n";
  [[maybe_unused]] const ssize_t n = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

// "12/60 runs (+40%), 0.31 runs/s, 2m 33s left": the run in progress counts by its fraction.
ProgressFn progress_printer(const std::string& part) {
  auto last = std::make_shared<double>(-1);
  return [part, last](const SweepProgress& p) {
    // At most twice a second (prefill chunks report often), and always the end of a run.
    if (p.run_fraction > 0 && p.elapsed_seconds - *last < 0.5) return;
    *last = p.elapsed_seconds;
    const double rate = p.runs_per_second(), left = p.seconds_left();
    std::fprintf(stderr, "\r%s: %d/%d runs (+%2.0f%%), %.2f runs/s, %dm %02ds left   ", part.c_str(), p.done,
                 p.total, p.run_fraction * 100, rate, static_cast<int>(left) / 60, static_cast<int>(left) % 60);
    std::fflush(stderr);
  };
}

struct EvalCommandArgs {
  EvalArgs eval = default_eval_args();
  ModelOptions model;
  bool help = false;
};

OptionTable eval_options(EvalCommandArgs& a) {
  OptionTable table("mrrope-cli help eval");
  add_eval_options(table, a.eval);
  table.help_option(&a.help);
  OptionTable model;
  add_model_options(model, a.model);
  model.remove("--seed");  // eval's --seed seeds the prompts (the sampler's is not used here)
  table.append(std::move(model));
  return table;
}

std::string eval_help() {
  EvalCommandArgs unused;
  return eval_usage(eval_options(unused));
}

int run_eval(const std::vector<std::string>& argv) {
  EvalCommandArgs parsed;
  std::vector<std::string> words;
  eval_options(parsed).parse(argv, &words);
  if (parsed.help) return print_command_help("eval");
  EvalArgs& a = parsed.eval;
  set_eval_mode(a, words);
  const ModelOptions& options = parsed.model;
  SweepConfig& config = a.config;
  config.base_rope = options.rope;
  config.kv_type = options.kv_type;
  config.window_kv_cache = options.kv_rings;
  LoadedModel m = open_model(options);
  validate(config, *m.engine);  // n_rot of the model
  fs::create_directories(a.out_dir);
  const std::string text = a.text_file.empty() ? bundled_eval_text() : read_text_file(a.text_file);
  config.haystack = text;

  std::signal(SIGINT, on_sigint);
  const auto t0 = std::chrono::steady_clock::now();
  const auto& rope = m.engine->config().rope;
  RunInfo info;
  info.model = m.engine->file().path();
  info.device = m.ctx->info().name;
  info.command = "mrrope-cli eval";
  for (const auto& s : argv) info.command += " " + s;
  info.seed = config.seed;
  info.seeds = config.seeds;
  info.compare_a = a.compare_a;
  info.compare_b = a.compare_b;
  info.native_length = rope.n_ctx_orig > 0 ? rope.n_ctx_orig : m.engine->config().n_ctx_train;
  info.threshold = a.threshold;
  info.margin = a.margin;
  std::vector<RetrievalRow> retrieval;
  std::vector<PerplexityRow> perplexity;
  // Written after every part, so a failure or Ctrl-C later keeps what finished.
  auto write_all = [&] {
    info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return write_eval_results(a.out_dir, retrieval, perplexity, info);
  };
  if (a.mode == "ppl" || a.mode == "all") {
    std::fprintf(stderr, "perplexity: %zu methods x %zu lengths\n", config.methods.size(), config.lengths.size());
    perplexity = run_perplexity_sweep(*m.engine, *m.ctx, config, m.engine->tokenizer().tokenize(text, false, false),
                                      a.progress ? progress_printer("ppl") : ProgressFn{}, &g_cancel);
    std::fprintf(stderr, "\n");
    write_eval_plot(a.out_dir, "ppl", {}, perplexity, info);
    write_all();
  }
  for (const std::string& task : a.tasks) {
    if (g_cancel) continue;
    config.task = task;
    std::fprintf(stderr, "%s: %zu methods x %zu lengths x %zu depths x %d trials x %d seeds\n", task.c_str(),
                 config.methods.size(), config.lengths.size(), config.depths.size(), config.trials, config.seeds);
    const auto rows =
        run_retrieval_sweep(*m.engine, *m.ctx, config, a.progress ? progress_printer(task) : ProgressFn{}, &g_cancel);
    std::fprintf(stderr, "\n");
    write_eval_plot(a.out_dir, task, rows, {}, info);
    retrieval.insert(retrieval.end(), rows.begin(), rows.end());
    write_all();
  }
  const auto effective = write_all();
  std::printf("%s", markdown_report(retrieval, perplexity, effective, info).c_str());
  std::printf("\n%s\non %s, %.0f s%s; outputs in %s/\n", info.command.c_str(), info.device.c_str(), info.seconds,
              g_cancel ? " (cancelled: finished runs kept)" : "", a.out_dir.c_str());
  return g_cancel ? 130 : 0;
}

}  // namespace

MRROPE_CLI_COMMAND(eval, "eval", "perplexity, passkey, needle and RULER-style sweeps per RoPE method (CSV, JSON, PNG)",
                   eval_help, run_eval);

}  // namespace mrrope::cli
