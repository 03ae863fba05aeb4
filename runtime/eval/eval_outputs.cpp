#include "eval/eval_outputs.h"

#include <filesystem>

#include "eval/eval_tasks.h"
#include "eval/plots.h"

namespace mrrope {

std::string eval_output_path(const std::string& dir, const std::string& file) {
  return (std::filesystem::path(dir) / "").string() + file;
}

std::vector<EffectiveContext> write_eval_results(const std::string& dir, const std::vector<RetrievalRow>& retrieval,
                                                 const std::vector<PerplexityRow>& perplexity, const RunInfo& info,
                                                 std::vector<std::string>* written) {
  const auto effective = effective_context(retrieval, perplexity, info.native_length, info.threshold, info.margin);
  const std::string csv = eval_output_path(dir, "results.csv"), json = eval_output_path(dir, "results.json");
  write_results_csv(csv, retrieval, perplexity, info);
  if (written) written->push_back(csv);
  write_results_json(json, retrieval, perplexity, effective, info);
  if (written) written->push_back(json);
  return effective;
}

std::string write_eval_plot(const std::string& dir, const std::string& part, const std::vector<RetrievalRow>& retrieval,
                            const std::vector<PerplexityRow>& perplexity, const RunInfo& info) {
  const std::string model_name = std::filesystem::path(info.model).filename().string();
  const std::string path = eval_output_path(dir, part + ".png");
  if (part == "ppl")
    plot_perplexity(perplexity, path, "Perplexity vs context length - " + model_name);
  else
    plot_retrieval_heatmaps(retrieval, path, std::string(eval_task(part).title) + " - " + model_name);
  return path;
}

}  // namespace mrrope
