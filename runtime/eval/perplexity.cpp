#include "eval/perplexity.h"

#include <algorithm>
#include <cmath>

namespace mrrope {

double PerplexityResult::mean_nll() const {
  double sum = 0;
  size_t n = 0;
  for (const auto& w : nll)
    for (float v : w) sum += v, ++n;
  return n ? sum / n : 0;
}

double PerplexityResult::perplexity() const { return std::exp(mean_nll()); }

double PerplexityResult::window_perplexity(size_t w) const {
  double sum = 0;
  for (float v : nll[w]) sum += v;
  return nll[w].empty() ? 0 : std::exp(sum / nll[w].size());
}

PerplexityResult evaluate_perplexity(Engine& engine, const std::vector<int32_t>& tokens, int window,
                                     int max_windows, const std::function<void(int, int)>& progress,
                                     const std::atomic<bool>* cancel) {
  if (window < 2) throw ModelError("the perplexity window must be at least 2 tokens");
  GpuModel& model = engine.model();
  if (window > model.n_ctx())
    throw ModelError("window of " + std::to_string(window) + " tokens exceeds the context of " +
                     std::to_string(model.n_ctx()));
  const tok::Vocab& vocab = engine.tokenizer().vocab();
  const bool bos = vocab.add_bos && vocab.valid(vocab.bos_id);
  const int text_per_window = bos ? window - 1 : window;
  int n_windows = static_cast<int>(tokens.size()) / text_per_window;
  if (max_windows > 0) n_windows = std::min(n_windows, max_windows);
  if (n_windows == 0)
    throw ModelError("the text has " + std::to_string(tokens.size()) + " tokens, fewer than one window of " +
                     std::to_string(window));

  PerplexityResult r;
  r.window = window;
  for (int w = 0; w < n_windows; ++w) {
    std::vector<int32_t> seq;
    seq.reserve(window);
    if (bos) seq.push_back(vocab.bos_id);
    seq.insert(seq.end(), tokens.begin() + size_t(w) * text_per_window,
               tokens.begin() + size_t(w + 1) * text_per_window);
    Engine::Scores s = engine.score(
        seq,
        [&](int done, int) {
          if (progress) progress(w * (window - 1) + done, n_windows * (window - 1));
        },
        cancel);
    if (s.cancelled) {  // the window in progress is dropped
      r.cancelled = true;
      return r;
    }
    r.nll.push_back(std::move(s.nll));
  }
  return r;
}

}  // namespace mrrope
