#include "eval/paired_comparison.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace mrrope {

double sign_test_p_value(int wins, int losses) {
  const int n = wins + losses, k = std::min(wins, losses);
  if (n == 0) return 1;
  // 2 * P(X <= k) for X ~ Binomial(n, 1/2), in logs so large n stays finite.
  double tail = 0;
  for (int i = 0; i <= k; ++i)
    tail += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - n * std::log(2.0));
  return std::min(1.0, 2 * tail);
}

std::vector<PairedComparison> paired_comparison(const std::vector<RetrievalRow>& rows, RopeMethod a, RopeMethod b) {
  // The prompt: task, length, sweep seed, depth (in 1e-4), trial (its seed follows from them).
  using Key = std::tuple<std::string, int, uint64_t, long long, int>;
  auto key = [](const RetrievalRow& r) {
    return Key{r.task, r.length, r.sweep_seed, std::llround(r.depth * 1e4), r.trial};
  };
  std::map<Key, double> score_a;
  for (const auto& r : rows)
    if (r.rope.method == a) score_a[key(r)] = r.score;
  std::map<int, PairedComparison> by_length;
  PairedComparison all;
  for (const auto& r : rows) {
    if (r.rope.method != b) continue;
    const auto it = score_a.find(key(r));
    if (it == score_a.end()) continue;
    for (PairedComparison* c : {&by_length[r.length], &all}) {
      c->length = c == &all ? 0 : r.length;
      ++c->pairs;
      c->mean_a += it->second;
      c->mean_b += r.score;
      c->a_better += it->second > r.score;
      c->b_better += r.score > it->second;
    }
  }
  std::vector<PairedComparison> out;
  for (auto& [length, c] : by_length) out.push_back(c);
  if (!out.empty()) out.push_back(all);
  for (auto& c : out) {
    c.mean_a /= c.pairs;
    c.mean_b /= c.pairs;
    c.p_value = sign_test_p_value(c.a_better, c.b_better);
  }
  return out;
}

}  // namespace mrrope
