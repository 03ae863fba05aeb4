#pragma once

#include <chrono>
// How a cancellable prefill cuts its work: tokens per chunk and submissions
// (parts, each a run of consecutive layers) per chunk, so that a cancel is
// seen within about kCancelCheckSeconds on any device. Starts small (the
// first chunk's speed is unknown) and rescales after every chunk from its
// measured time: a GPU reaches its full chunk after a few chunks, a CPU device
// stays at a few dozen tokens split by layers.
namespace mrrope {

// The longest a cancellable prefill runs between two looks at the cancel flag.
constexpr double kCancelCheckSeconds = 0.25;
// Chunks of a cancellable prefill are multiples of this (and at least this).
constexpr int kMinCancellableChunk = 64;

struct PrefillPlan {
  int tokens = kMinCancellableChunk;  // per chunk
  int parts = 1;                      // submissions per chunk
};

// The first plan: the smallest chunk (at most max_tokens), in `parts` parts.
PrefillPlan first_prefill_plan(int max_tokens, int parts);

// The plan after a chunk of `ran_tokens` tokens took `seconds`: chunks of
// about kCancelCheckSeconds' worth of tokens (a multiple of
// kMinCancellableChunk, growing at most 8x a chunk, at most max_tokens), and
// once chunks are at their smallest, enough parts (at most max_parts) for a
// part to take about that long.
PrefillPlan next_prefill_plan(const PrefillPlan& now, int ran_tokens, double seconds, int max_tokens, int max_parts);

// The plan of one prefill or scoring pass: whole chunks of max_tokens without
// a cancel flag; with one, the first plan, then each chunk timed between
// start() and finished() and the next planned from it.
class PrefillPacer {
 public:
  PrefillPacer(bool cancellable, int max_tokens, int parts, int max_parts)
      : cancellable_(cancellable), max_tokens_(max_tokens), max_parts_(max_parts),
        plan_(cancellable ? first_prefill_plan(max_tokens, parts) : PrefillPlan{max_tokens, 1}) {}
  const PrefillPlan& plan() const { return plan_; }
  void start() { start_ = std::chrono::steady_clock::now(); }
  void finished(int tokens) {
    if (!cancellable_) return;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    plan_ = next_prefill_plan(plan_, tokens, seconds, max_tokens_, max_parts_);
  }

 private:
  bool cancellable_;
  int max_tokens_, max_parts_;
  PrefillPlan plan_;
  std::chrono::steady_clock::time_point start_{};
};

}  // namespace mrrope
