#pragma once
// Evaluation sweeps per RoPE method: retrieval (passkey, needle) over lengths x
// depths x trials, and perplexity over lengths. Each (method, length) gets its
// schedule with S = length / L unless a scale is given. Trials of one method
// and length reuse the KV cache for the prompt prefix they share with the
// previous trial (GpuModel::truncate), which gives the same tokens as a fresh
// prefill and skips the shared part.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "eval/retrieval_task.h"
#include "eval/ruler_tasks.h"

namespace mrrope {

struct SweepConfig {
  std::vector<RopeMethod> methods = {RopeMethod::None, RopeMethod::Yarn, RopeMethod::MrRopePro};
  std::vector<int> lengths = {512, 1024, 2048};
  double scale = 0;  // 0: auto, S = max(1, length / L)
  // Everything of the schedule except method and scale (alpha, beta, attention
  // factors, custom lambdas, b, L): the CLI's --rope-*/--yarn-* flags.
  RopeParams base_rope;
  // Retrieval only:
  std::string task = "passkey";  // a name of eval/eval_tasks.h (passkey, niah, the RULER-style tasks)
  std::vector<double> depths = {0.0, 0.25, 0.5, 0.75, 1.0};
  int trials = 5;
  uint64_t seed = 1;
  // Sweep seeds seed, seed + 1, ..., seed + seeds - 1: each gives its own
  // prompts (and haystack order beyond the text's end) for every (length,
  // depth, trial); the reports pool them. A run with --seed S alone rebuilds
  // seed S's rows of a pooled run.
  int seeds = 1;
  int max_new_tokens = 12;
  // The RULER-style tasks' decoding budget; 0: each task's own (eval/eval_tasks.h),
  // which fits its full answer. Lower only to test quickly.
  int answer_token_limit = 0;
  bool reuse_prefix = true;  // false: every trial prefills its whole prompt (for checking the reuse)
  // A method whose schedule at a length is identical to an earlier method's
  // (every method at S = 1, below the native length with auto S) gets that
  // method's results copied, marked by seconds = 0, instead of a rerun: the
  // same table runs the same computation.
  bool copy_identical_schedules = true;
  PasskeyTemplate passkey;
  NeedleTemplate needle;
  RulerShape ruler;      // counts of the RULER-style tasks
  // Real text of the haystack tasks (documents separated by form feeds,
  // repeated as needed: eval/haystack.h) and the word source of common-words.
  std::string haystack;
  // Perplexity only: every length scores the same span of the text, `chunks`
  // windows of the longest length (fewer when the text is shorter), so lengths
  // are compared on the same tokens. 0: as much of the text as fits.
  int chunks = 4;
  KvCacheType kv_type = KvCacheType::F16;  // the decoder's KV cache (--cache-type-k/-v)
  // Sliding-window layers in window-sized rings (--no-kv-rings: false); the
  // retrieval sweep rewinds to window checkpoints (engine/decoder_sizing.h).
  bool window_kv_cache = true;
};

// "none,yarn" -> ids; throws std::invalid_argument naming an unknown method and the valid ones.
std::vector<RopeMethod> parse_method_list(const std::vector<std::string>& names);

// Checks values; throws std::invalid_argument with a clear message.
void validate(const SweepConfig& config, const ModelConfig& model);
inline void validate(const SweepConfig& config, const Engine& engine) { validate(config, engine.config()); }

// The seed of one retrieval prompt: a function of the sweep seed (one of
// SweepConfig's seeds), the task, the length, the depth and the trial only, so
// every method sees the same prompts and any single row can be rebuilt on its own.
uint64_t trial_seed(uint64_t sweep_seed, const std::string& task, int length, double depth, int trial);

struct RopeInfo {
  RopeMethod method = RopeMethod::None;
  double scale = 1, attn_factor = 1;
  int d_low = 0, d_high = 0;
};

struct RetrievalRow {
  RopeInfo rope;
  std::string task;
  int length = 0, prompt_tokens = 0, trial = 0;
  int cached_tokens = 0;  // prompt tokens taken from the KV cache (shared prefix), not prefilled
                          // (all of them when the row was copied from an identical schedule)
  uint64_t sweep_seed = 0;  // which of the sweep's seeds made it
  uint64_t seed = 0;        // trial_seed() of this prompt
  double depth = 0, actual_depth = 0;
  std::string expected, generated;  // expected: the values joined by ", "
  double score = 0;                  // 0..1, as eval/answer_scoring.h scores the task
  bool correct = false;              // score == 1
  double seconds = 0;
};

struct PerplexityRow {
  RopeInfo rope;
  int length = 0, windows = 0;
  double perplexity = 0, mean_nll = 0, seconds = 0;  // seconds = 0: copied from an identical schedule
  // Mean NLL per position bucket: kLossBuckets equal slices of the window.
  std::vector<double> nll_by_position;
};
constexpr int kLossBuckets = 16;

struct SweepProgress {
  int done = 0, total = 0;     // finished runs
  double run_fraction = 0;     // how far the run in progress is (0..1)
  double elapsed_seconds = 0;
  // The run in progress counts by its fraction, so the rate moves during long runs.
  double runs_done() const { return done + run_fraction; }
  double runs_per_second() const { return elapsed_seconds > 0 ? runs_done() / elapsed_seconds : 0; }
  double seconds_left() const { return runs_per_second() > 0 ? (total - runs_done()) / runs_per_second() : 0; }
};
using ProgressFn = std::function<void(const SweepProgress&)>;
// Called with each row as soon as it is finished (or copied from an identical
// schedule), in the order of the returned vector: a viewer can fill its grid
// live instead of waiting for the whole sweep.
using RetrievalRowFn = std::function<void(const RetrievalRow&)>;
using PerplexityRowFn = std::function<void(const PerplexityRow&)>;

// The tokens a sweep's decoder holds: the longest length, plus the answer
// budget and a margin for retrieval. The app checks the memory for it first.
int sweep_context_tokens(const SweepConfig& config, bool perplexity);

// The Engine's decoder is (re)created as needed for the longest length
// (Engine::reserve with size_decoder's Sweep policy). When
// `cancel` becomes true (checked between runs and inside prefills) the sweep
// stops and returns the runs it finished; the interrupted one is dropped.
std::vector<RetrievalRow> run_retrieval_sweep(Engine& engine, vk::Context& ctx, const SweepConfig& config,
                                              const ProgressFn& progress = {},
                                              const std::atomic<bool>* cancel = nullptr,
                                              const RetrievalRowFn& on_row = {});
std::vector<PerplexityRow> run_perplexity_sweep(Engine& engine, vk::Context& ctx, const SweepConfig& config,
                                                const std::vector<int32_t>& text_tokens,
                                                const ProgressFn& progress = {},
                                                const std::atomic<bool>* cancel = nullptr,
                                                const PerplexityRowFn& on_row = {});

// Mean of each window's NLL per position bucket, over the windows.
std::vector<double> loss_by_position(const std::vector<std::vector<float>>& nll, int buckets = kLossBuckets);

}  // namespace mrrope
