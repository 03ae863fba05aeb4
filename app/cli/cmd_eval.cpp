// mrrope-cli eval ppl|passkey|niah|all: evaluation sweeps per RoPE method, with
// CSV/JSON/PNG outputs, progress, Ctrl-C that keeps finished results, and the
// effective context length per method.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "command.h"
#include "eval/effective_context.h"
#include "eval/plots.h"
#include "eval/report.h"
#include "eval/sweep.h"
#include "run_model.h"

namespace mrrope::cli {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_cancel{false};
void on_sigint(int) { g_cancel = true; }

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  if (out.empty()) throw std::invalid_argument("empty list '" + s + "'");
  return out;
}

int parse_length(const std::string& s) {
  size_t used = 0;
  long v = std::stol(s, &used);
  if (used < s.size() && (s[used] == 'k' || s[used] == 'K')) v *= 1024, ++used;
  if (used != s.size()) throw std::invalid_argument("bad length '" + s + "'");
  return static_cast<int>(v);
}

// The bundled sample documents, concatenated: default text for ppl and the NIAH haystack.
std::string bundled_samples() {
  const fs::path dir = fs::path(default_model_path()).parent_path() / "samples";
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".txt") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::string text;
  for (const auto& f : files) text += read_text_file(f) + "\n\n";
  return text;
}

void print_progress(const SweepProgress& p) {
  const double rate = p.elapsed_seconds > 0 ? p.done / p.elapsed_seconds : 0;
  const double left = rate > 0 ? (p.total - p.done) / rate : 0;
  std::fprintf(stderr, "\r%d/%d runs, %.2f runs/s, %.0f s left   ", p.done, p.total, rate, left);
  std::fflush(stderr);
}

int run_eval(const std::vector<std::string>& argv) {
  if (argv.empty()) throw std::invalid_argument("eval needs a mode: ppl, passkey, niah or all");
  const std::string mode = argv[0];
  if (mode != "ppl" && mode != "passkey" && mode != "niah" && mode != "all")
    throw std::invalid_argument("unknown eval mode '" + mode + "' (ppl, passkey, niah, all)");
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  const ModelOptions options = parse_model_options(args);
  SweepConfig config;
  config.methods = {"none", "linear", "ntk", "yarn", "mrrope-uni", "mrrope-pro"};
  std::string out_dir = "eval-out", text_file;
  double threshold = 0.85, margin = 0.10;
  for (size_t i = 0; i < args.size(); ++i) {
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw std::invalid_argument(args[i] + " needs a value");
      return args[++i];
    };
    const std::string a = args[i];
    if (a == "--methods") config.methods = split(value());
    else if (a == "--lengths") {
      config.lengths.clear();
      for (const auto& s : split(value())) config.lengths.push_back(parse_length(s));
    } else if (a == "--depths") {
      config.depths.clear();
      for (const auto& s : split(value())) config.depths.push_back(std::stod(s) / 100.0);
    } else if (a == "--trials") config.trials = std::stoi(value());
    else if (a == "--seed") config.seed = std::stoull(value());
    else if (a == "--scale") {
      const std::string v = value();
      config.scale = v == "auto" ? 0 : std::stod(v);
    } else if (a == "--chunks") config.max_windows = std::stoi(value());
    else if (a == "-f" || a == "--file") text_file = value();
    else if (a == "--out") out_dir = value();
    else if (a == "--threshold") threshold = std::stod(value());
    else if (a == "--margin") margin = std::stod(value());
    else if (a == "--needle") config.needle.needle = value();
    else if (a == "--question") config.needle.question = value();
    else if (a == "--filler") config.passkey.filler = value();
    else throw std::invalid_argument("unknown argument '" + a + "' (see mrrope-cli help eval)");
  }
  LoadedModel m = open_model(options);
  validate(config, *m.engine);
  fs::create_directories(out_dir);
  const std::string text = text_file.empty() ? bundled_samples() : read_text_file(text_file);
  config.haystack = text;

  std::signal(SIGINT, on_sigint);
  const auto t0 = std::chrono::steady_clock::now();
  RunInfo info{m.engine->file().path(), m.ctx->info().name, "mrrope-cli eval " + mode, 0};
  std::vector<RetrievalRow> retrieval;
  std::vector<PerplexityRow> perplexity;
  const std::string model_name = fs::path(info.model).filename().string();
  // Each part writes its outputs as soon as it ends, so a failure or Ctrl-C later keeps them.
  if (mode == "ppl" || mode == "all") {
    std::fprintf(stderr, "perplexity: %zu methods x %zu lengths\n", config.methods.size(), config.lengths.size());
    perplexity = run_perplexity_sweep(*m.engine, *m.ctx, config, m.engine->tokenizer().tokenize(text, false, false),
                                      print_progress, &g_cancel);
    std::fprintf(stderr, "\n");
    write_perplexity_csv(out_dir + "/ppl.csv", perplexity, info);
    plot_perplexity(perplexity, out_dir + "/ppl.png", "Perplexity vs context - " + model_name);
  }
  for (const std::string task : {"passkey", "niah"}) {
    if (g_cancel || (mode != task && mode != "all")) continue;
    config.task = task;
    std::fprintf(stderr, "%s: %zu methods x %zu lengths x %zu depths x %d trials\n", task.c_str(),
                 config.methods.size(), config.lengths.size(), config.depths.size(), config.trials);
    const auto rows = run_retrieval_sweep(*m.engine, *m.ctx, config, print_progress, &g_cancel);
    std::fprintf(stderr, "\n");
    write_retrieval_csv(out_dir + "/" + task + ".csv", rows, info);
    plot_retrieval_heatmaps(rows, out_dir + "/" + task + ".png",
                            (task == "passkey" ? "Passkey retrieval" : "Needle in a haystack") + std::string(" - ") +
                                model_name);
    retrieval.insert(retrieval.end(), rows.begin(), rows.end());
  }
  info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto effective = effective_context(retrieval, perplexity, m.engine->config().rope.n_ctx_orig > 0
                                                                      ? m.engine->config().rope.n_ctx_orig
                                                                      : m.engine->config().n_ctx_train,
                                           threshold, margin);
  write_results_json(out_dir + "/results.json", retrieval, perplexity, effective, info);
  std::printf("%s", markdown_summary(effective).c_str());
  std::printf("\n%s on %s, %.0f s%s; outputs in %s/\n", info.command.c_str(), info.device.c_str(), info.seconds,
              g_cancel ? " (cancelled: finished runs kept)" : "", out_dir.c_str());
  return g_cancel ? 130 : 0;
}

}  // namespace

MRROPE_CLI_COMMAND(eval, "eval", "perplexity, passkey and needle sweeps per RoPE method (CSV, JSON, PNG)",
                   "mrrope-cli eval ppl|passkey|niah|all [--methods none,yarn,...] [--lengths 512,1k,2k]\n"
                   "       [--depths 0,25,50,75,100] [--trials N] [--seed S] [--scale S|auto] [-f TEXT]\n"
                   "       [--chunks N] [--out DIR] [--threshold 0.85] [--margin 0.10] [model options]\n"
                   "Cells: accuracy (%) for retrieval, perplexity for ppl; the effective context is the longest\n"
                   "length up to which accuracy >= threshold and perplexity <= (1 + margin) x native.",
                   run_eval);

}  // namespace mrrope::cli
