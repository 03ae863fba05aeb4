#pragma once
// The Evaluation tab (eval_tab.cpp): its inputs, as the user (or the script)
// typed them, turned into an EvalRequest when the sweep starts; the grid
// filling in as runs finish; the export.
#include <array>
#include <string>

#include "ui/export/eval_export.h"
#include "ui/panels/panel.h"
#include "ui/widgets/method_set.h"

namespace mrrope::ui {

struct EvalRequest;
struct EvalState;

struct EvalInputs {
  std::string task = "passkey";  // a task of eval/eval_tasks.h, or "ppl" (perplexity)
  MethodSet methods{RopeMethod::None, RopeMethod::Yarn, RopeMethod::MrRopePro};
  bool lengths_auto = true;  // follow the model: 1x, 2x, 4x, 8x its native context
  std::string lengths;       // "512, 1K, 2048" (eval_args' parse_length)
  std::string depths = "0, 25, 50, 75, 100";  // percent
  int depth_step = 25;
  int trials = 3, seed = 1;
  bool use_document = true;  // perplexity text / haystack: the open document, else the bundled samples
  std::string export_dir;    // empty: ~/mrrope-results/<timestamp>
};

class EvalTab : public Panel {
 public:
  using Panel::Panel;
  void draw() override;

  EvalInputs& inputs() { return inputs_; }
  std::string run();  // the sweep from inputs(); returns why not (empty: started)
  EvalExport export_results(const std::string& dir);  // empty dir: the default folder
  const EvalExport& last_export() const { return last_export_; }
  // Where the grid was drawn last frame, x0 y0 x1 y1 (the script dumps it), and
  // its cells (retrieval) or points (perplexity) with data.
  const std::array<float, 4>& grid_rect() const { return grid_rect_; }
  int grid_filled() const { return grid_filled_; }

 private:
  EvalRequest make_request();  // throws std::invalid_argument on bad input
  std::string default_lengths() const;
  void draw_controls(const EvalState& state);
  void draw_results(const EvalState& state);
  void draw_export(const EvalState& state);

  EvalInputs inputs_;
  std::string message_;  // why the last Run was refused
  EvalExport last_export_;
  std::array<float, 4> grid_rect_{0, 0, 0, 0};
  int grid_filled_ = 0;
};

}  // namespace mrrope::ui
