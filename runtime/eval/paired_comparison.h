#pragma once
// Paired comparison of two RoPE methods on the same prompts. Every method of a
// sweep sees the same prompt for a (task, length, sweep seed, depth, trial)
// (trial_seed), so the rows of method A and method B pair up; the test asks
// whether A scores higher than B more often than B scores higher than A. With
// 0/1 scores (passkey, niah, doc-qa) this is McNemar's exact test; with the
// recall scores of the RULER-style tasks it is the sign test on the pairs'
// differences. Pooled over every retrieval task and sweep seed of the rows.
#include <vector>

#include "eval/sweep.h"

namespace mrrope {

struct PairedComparison {
  int length = 0;  // 0: every length pooled
  int pairs = 0;   // prompts both methods ran
  double mean_a = 0, mean_b = 0;  // mean score over those pairs
  int a_better = 0, b_better = 0;  // pairs where one method scored higher (the rest are ties)
  double p_value = 1;  // exact two-sided sign test on the a_better + b_better untied pairs
};

// One entry per length with pairs (ascending), then the pooled entry (length 0);
// empty when no prompt was run by both methods.
std::vector<PairedComparison> paired_comparison(const std::vector<RetrievalRow>& rows, RopeMethod a, RopeMethod b);

// Exact two-sided binomial (sign) test with p = 1/2: the probability of a
// split at least as uneven as `wins` : `losses`. 1 when both are 0.
double sign_test_p_value(int wins, int losses);

}  // namespace mrrope
