#pragma once
// Perplexity of a token stream in non-overlapping windows of `window` tokens.
// Each window starts a fresh context (with BOS when the vocabulary adds one)
// and every position after the first is scored: the model predicts window
// token t+1 from tokens 0..t. Negative log-likelihoods come from the GPU
// (GpuModel::forward_nll), so no logits are read back.
#include <atomic>
#include <functional>
#include <vector>

#include "engine/engine.h"

namespace mrrope {

struct PerplexityResult {
  int window = 0;
  std::vector<std::vector<float>> nll;  // per window, per scored position (position t predicts token t+1)
  double mean_nll() const;
  double perplexity() const;
  double window_perplexity(size_t w) const;
  bool cancelled = false;
};

// `tokens` is the text without BOS. Throws when the text is shorter than one window.
// `max_windows` > 0 limits the number of windows.
PerplexityResult evaluate_perplexity(Engine& engine, const std::vector<int32_t>& tokens, int window,
                                     int max_windows = 0, const std::function<void(int, int)>& progress = {},
                                     const std::atomic<bool>* cancel = nullptr);

}  // namespace mrrope
