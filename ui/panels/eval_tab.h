#pragma once
// The Evaluation tab's state (eval_tab.cpp draws it): its inputs, as the user
// (or the script) typed them, turned into an EvalRequest when the sweep starts.
#include <string>

#include "ui/export/eval_export.h"
#include "ui/widgets/method_set.h"

namespace mrrope::ui {

struct EvalViewState {
  std::string task = "passkey";  // a task of eval/eval_tasks.h, or "ppl" (perplexity)
  MethodSet methods{RopeMethod::None, RopeMethod::Yarn, RopeMethod::MrRopePro};
  bool lengths_auto = true;  // follow the model: 1x, 2x, 4x, 8x its native context
  std::string lengths;       // "512, 1K, 2048" (eval_args' parse_length)
  std::string depths = "0, 25, 50, 75, 100";  // percent
  int depth_step = 25;
  int trials = 3, seed = 1;
  bool use_document = true;  // perplexity text / haystack: the open document, else the bundled samples
  std::string message;       // why the last Run was refused
  std::string export_dir;    // empty: ~/mrrope-results/<timestamp>
  EvalExport last_export;
  float grid_rect[4] = {0, 0, 0, 0};  // where the grid was drawn last frame (the script dumps it)
  int grid_filled = 0;                // cells (retrieval) or points (perplexity) with data
};

}  // namespace mrrope::ui
