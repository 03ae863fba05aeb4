#pragma once
// Writing sweep results: one CSV with a row per run (retrieval trials and
// perplexity runs, every setting), JSON (the same plus the sweep's settings
// and the effective context per method), and markdown tables for docs.
#include <string>
#include <vector>

#include "eval/effective_context.h"
#include "eval/sweep.h"

namespace mrrope {

struct RunInfo {
  std::string model, device, command;
  double seconds = 0;
  uint64_t seed = 0;
  int seeds = 1;          // sweep seeds seed .. seed + seeds - 1, pooled
  int native_length = 0;  // L: the reference length of the effective context
  double threshold = 0.85, margin = 0.10;
  // The paired comparison of the reports (eval/paired_comparison.h), when both ran.
  RopeMethod compare_a = RopeMethod::MrRopePro, compare_b = RopeMethod::Yarn;
};

// Columns: kind (a task of eval/eval_tasks.h, or ppl), model, device, method, scale, attn_factor,
// d_low, d_high, length, then retrieval fields (prompt_tokens, cached_tokens,
// depth, actual_depth, trial, sweep_seed, seed, expected, generated, correct; empty for
// ppl), perplexity fields (windows, perplexity, mean_nll, nll_bucket0..15;
// empty for retrieval), score (0..1 as the task scores; empty for ppl), and seconds last.
void write_results_csv(const std::string& path, const std::vector<RetrievalRow>& retrieval,
                       const std::vector<PerplexityRow>& perplexity, const RunInfo& info);
void write_results_json(const std::string& path, const std::vector<RetrievalRow>& retrieval,
                        const std::vector<PerplexityRow>& perplexity, const std::vector<EffectiveContext>& effective,
                        const RunInfo& info);
// Markdown: each task's mean score (%) and perplexity, methods as rows and
// lengths as columns (only the parts that have rows; retrieval pooled over the
// sweep seeds), the paired comparison of info's two methods when both ran,
// then the effective context (and per task when several ran).
std::string markdown_report(const std::vector<RetrievalRow>& retrieval, const std::vector<PerplexityRow>& perplexity,
                            const std::vector<EffectiveContext>& effective, const RunInfo& info);

}  // namespace mrrope
