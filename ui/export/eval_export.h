#pragma once
// Writing the Evaluation tab's results with runtime/eval's writer
// (eval/eval_outputs.h), the same files as `mrrope-cli eval`: results.csv,
// results.json (with the effective context) and the picture (TASK.png heatmaps
// or ppl.png).
#include <string>
#include <vector>

#include "ui/session/app_session.h"

namespace mrrope::ui {

struct EvalExport {
  std::vector<std::string> written;  // paths, in writing order
  std::string error;                 // empty on success
};

// ~/mrrope-results/YYYYMMDD-HHMMSS (the current folder when HOME is unset).
std::string default_export_dir();
// Creates `dir` if needed. Never throws: a failure lands in .error.
EvalExport export_evaluation(const EvalState& state, const std::string& dir);

}  // namespace mrrope::ui
