#pragma once
// Effective context length per method, RULER's rule: the longest tested length
// up to which the retrieval score (mean over all the method's retrieval rows,
// so over every task run, as RULER averages its tasks; each row scores 0..1)
// stays >= a threshold (default 85%, near RULER's Llama-2-7B reference of 85.6%) and perplexity stays
// within a margin (default +10%) of the method's value at the native length
// (or at its shortest tested length when the native length was not tested).
// Every tested length up to it must pass, not only that one.
#include <map>
#include <string>
#include <vector>

#include "eval/sweep.h"

namespace mrrope {

struct EffectiveContext {
  RopeMethod method = RopeMethod::None;
  int length = 0;  // 0: not even the shortest length passes
  std::map<int, double> accuracy;    // by length: mean score of the retrieval rows
  // The same rule on each retrieval task's rows alone (without perplexity).
  std::map<std::string, int> length_by_task;
  std::map<int, double> perplexity;  // by length (perplexity rows)
};

std::vector<EffectiveContext> effective_context(const std::vector<RetrievalRow>& retrieval,
                                                const std::vector<PerplexityRow>& perplexity, int native_length,
                                                double accuracy_threshold = 0.85, double ppl_margin = 0.10);

}  // namespace mrrope
