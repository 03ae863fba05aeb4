#pragma once
// Writing sweep results: CSV (one row per run, every setting), JSON (the same
// plus the effective context per method), and a markdown summary table.
#include <string>
#include <vector>

#include "eval/effective_context.h"
#include "eval/sweep.h"

namespace mrrope {

struct RunInfo {
  std::string model, device, command;
  double seconds = 0;
};

void write_retrieval_csv(const std::string& path, const std::vector<RetrievalRow>& rows, const RunInfo& info);
void write_perplexity_csv(const std::string& path, const std::vector<PerplexityRow>& rows, const RunInfo& info);
void write_results_json(const std::string& path, const std::vector<RetrievalRow>& retrieval,
                        const std::vector<PerplexityRow>& perplexity, const std::vector<EffectiveContext>& effective,
                        const RunInfo& info);
// Methods as rows, lengths as columns: accuracy (%) or perplexity, then the effective context.
std::string markdown_summary(const std::vector<EffectiveContext>& effective);

}  // namespace mrrope
