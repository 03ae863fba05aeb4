#include "eval/effective_context.h"

#include <algorithm>
#include <set>

namespace mrrope {

std::vector<EffectiveContext> effective_context(const std::vector<RetrievalRow>& retrieval,
                                                const std::vector<PerplexityRow>& perplexity, int native_length,
                                                double accuracy_threshold, double ppl_margin) {
  std::vector<RopeMethod> methods;
  auto note = [&](RopeMethod m) {
    if (std::find(methods.begin(), methods.end(), m) == methods.end()) methods.push_back(m);
  };
  for (const auto& r : retrieval) note(r.rope.method);
  for (const auto& r : perplexity) note(r.rope.method);

  std::vector<EffectiveContext> out;
  for (const auto& m : methods) {
    EffectiveContext e;
    e.method = m;
    std::map<int, std::pair<int, int>> hits;  // length -> (correct, total)
    for (const auto& r : retrieval)
      if (r.rope.method == m) hits[r.length].first += r.correct, hits[r.length].second += 1;
    for (const auto& [len, h] : hits) e.accuracy[len] = double(h.first) / h.second;
    for (const auto& r : perplexity)
      if (r.rope.method == m) e.perplexity[r.length] = r.perplexity;

    double native_ppl = 0;
    if (!e.perplexity.empty()) {
      auto it = e.perplexity.find(native_length);
      native_ppl = it != e.perplexity.end() ? it->second : e.perplexity.begin()->second;
    }
    std::set<int> lengths;
    for (const auto& [l, a] : e.accuracy) lengths.insert(l);
    for (const auto& [l, p] : e.perplexity) lengths.insert(l);
    for (int l : lengths) {
      const bool acc_ok = !e.accuracy.count(l) || e.accuracy[l] >= accuracy_threshold;
      const bool ppl_ok = !e.perplexity.count(l) || e.perplexity[l] <= native_ppl * (1 + ppl_margin);
      if (!acc_ok || !ppl_ok) break;
      e.length = l;
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace mrrope
