#include "eval/effective_context.h"

#include <algorithm>
#include <set>

namespace mrrope {
namespace {

// Mean row score per length for one method (and one task, unless `task` is empty).
std::map<int, double> mean_score_by_length(const std::vector<RetrievalRow>& rows, RopeMethod method,
                                           const std::string& task) {
  std::map<int, std::pair<double, int>> sum;  // length -> (score sum, rows)
  for (const auto& r : rows)
    if (r.rope.method == method && (task.empty() || r.task == task))
      sum[r.length].first += r.score, sum[r.length].second += 1;
  std::map<int, double> out;
  for (const auto& [l, s] : sum) out[l] = s.first / s.second;
  return out;
}

}  // namespace

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
    e.accuracy = mean_score_by_length(retrieval, m, "");
    std::vector<std::string> tasks;
    for (const auto& r : retrieval)
      if (r.rope.method == m && std::find(tasks.begin(), tasks.end(), r.task) == tasks.end()) tasks.push_back(r.task);
    for (const auto& task : tasks) {
      int longest = 0;
      for (const auto& [l, score] : mean_score_by_length(retrieval, m, task)) {
        if (score < accuracy_threshold) break;
        longest = l;
      }
      e.length_by_task[task] = longest;
    }
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
