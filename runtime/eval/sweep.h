#pragma once
// Evaluation sweeps per RoPE method: retrieval (passkey, needle) over lengths x
// depths x trials, and perplexity over lengths. Each (method, length) gets its
// schedule with S = length / L unless a scale is given. Trials of one method
// and length reuse the KV cache for the prompt prefix they share.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "eval/retrieval_task.h"

namespace mrrope {

struct SweepConfig {
  std::vector<std::string> methods = {"none", "yarn", "mrrope-pro"};
  std::vector<int> lengths = {512, 1024, 2048};
  double scale = 0;  // 0: auto, S = max(1, length / L)
  // Retrieval only:
  std::string task = "passkey";  // "passkey" or "niah"
  std::vector<double> depths = {0.0, 0.25, 0.5, 0.75, 1.0};
  int trials = 5;
  uint64_t seed = 1;
  int max_new_tokens = 12;
  PasskeyTemplate passkey;
  NeedleTemplate needle;
  std::string haystack;  // niah text
  // Perplexity only:
  int max_windows = 4;
};

// Checks names and values; throws std::invalid_argument with a clear message.
void validate(const SweepConfig& config, const Engine& engine);

struct RopeInfo {
  std::string method;
  double scale = 1, attn_factor = 1;
  int d_low = 0, d_high = 0;
};

struct RetrievalRow {
  RopeInfo rope;
  std::string task;
  int length = 0, prompt_tokens = 0, trial = 0;
  double depth = 0, actual_depth = 0;
  std::string expected, generated;
  bool correct = false;
  double seconds = 0;
};

struct PerplexityRow {
  RopeInfo rope;
  int length = 0, windows = 0;
  double perplexity = 0, mean_nll = 0, seconds = 0;
  std::vector<double> nll_by_position;  // mean NLL per position bucket (16 buckets over the window)
};

struct SweepProgress {
  int done = 0, total = 0;
  double elapsed_seconds = 0;
};
using ProgressFn = std::function<void(const SweepProgress&)>;

// The Engine's decoder is (re)created as needed for the longest length.
std::vector<RetrievalRow> run_retrieval_sweep(Engine& engine, vk::Context& ctx, const SweepConfig& config,
                                              const ProgressFn& progress = {},
                                              const std::atomic<bool>* cancel = nullptr);
std::vector<PerplexityRow> run_perplexity_sweep(Engine& engine, vk::Context& ctx, const SweepConfig& config,
                                                const std::vector<int32_t>& text_tokens,
                                                const ProgressFn& progress = {},
                                                const std::atomic<bool>* cancel = nullptr);

}  // namespace mrrope
