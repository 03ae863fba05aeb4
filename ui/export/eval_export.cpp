#include "ui/export/eval_export.h"

#include <cstdlib>
#include <filesystem>

#include "eval/eval_outputs.h"
#include "ui/util/local_time.h"

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
    write_eval_results(dir, s.retrieval, s.perplexity, info, &out.written);
    out.written.push_back(write_eval_plot(dir, s.request.perplexity ? "ppl" : c.task, s.retrieval, s.perplexity, info));
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace mrrope::ui
