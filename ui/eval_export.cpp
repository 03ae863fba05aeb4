#include "ui/eval_export.h"

#include <cstdlib>
#include <filesystem>

#include "eval/effective_context.h"
#include "eval/eval_tasks.h"
#include "eval/plots.h"
#include "eval/report.h"
#include "ui/local_time.h"

namespace mrrope::ui {

std::string default_export_dir() {
  const char* home = std::getenv("HOME");
  const std::filesystem::path base = home && *home ? std::filesystem::path(home) : std::filesystem::current_path();
  return (base / "mrrope-results" / local_time("%Y%m%d-%H%M%S")).string();
}

EvalExport export_evaluation(const EvalState& s, const std::string& dir) {
  EvalExport out;
  if (s.rows() == 0) {
    out.error = "nothing to export: no finished runs yet";
    return out;
  }
  if (dir.empty()) {
    out.error = "choose a folder to write into";
    return out;
  }
  try {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create folder '" + dir + "': " + ec.message());
    const SweepConfig& c = s.request.config;
    RunInfo info;
    info.model = s.model_name;
    info.device = s.device;
    info.command = "mrrope-app Evaluation tab";
    info.seconds = s.seconds;
    info.seed = c.seed;
    info.native_length = s.native_length;
    const auto effective = effective_context(s.retrieval, s.perplexity, s.native_length, info.threshold, info.margin);
    const std::string base = (std::filesystem::path(dir) / "").string();
    write_results_csv(base + "results.csv", s.retrieval, s.perplexity, info);
    out.written.push_back(base + "results.csv");
    write_results_json(base + "results.json", s.retrieval, s.perplexity, effective, info);
    out.written.push_back(base + "results.json");
    if (s.request.perplexity) {
      plot_perplexity(s.perplexity, base + "ppl.png", "Perplexity vs context length - " + s.model_name);
      out.written.push_back(base + "ppl.png");
    } else {
      const std::string title(eval_task(c.task).title);
      plot_retrieval_heatmaps(s.retrieval, base + c.task + ".png", title + " - " + s.model_name);
      out.written.push_back(base + c.task + ".png");
    }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace mrrope::ui
