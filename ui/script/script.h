#pragma once
// Scripted runs (mrrope-app --script FILE / --demo): one command per line
// ("# ..." comments), executed across frames so the UI keeps rendering while
// the worker runs. The commands, their arguments and help are one table in
// script.cpp (`mrrope-app --script-help` prints it), e.g.
//   model default   document notes.txt   question Who is it?   ask   wait
//   eval passkey methods=none,mrrope-pro lengths=256,1K   wait   eval-export DIR
// Relative paths: documents and models from the working folder, outputs into
// the output folder. A bad line, a failed job or a timeout ends the run with
// a non-zero status.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ui/platform/frame_target.h"

namespace mrrope::ui {

class App;
class FpsRecorder;

class Script {
 public:
  // Throws std::runtime_error naming the line on an unknown command.
  Script(const std::string& text, std::string output_dir);
  static std::string demo_text(const std::string& source_dir);
  // Every command with its arguments and what it does, from the command table.
  static std::string commands_help();

  // Called once per frame before the UI is built. Returns a path when this
  // frame must be captured (then call saved()).
  std::optional<std::string> step(App& app);
  void save_capture(const std::string& path, const Image& image);
  bool finished() const { return finished_; }
  // Call after the platform's new frame and before ImGui::NewFrame: a `click`
  // in progress sets ImGui's mouse (the platform's would overwrite it).
  void apply_input() const;
  // `resize W H` (exercises swapchain recreation) and `content-scale S` (as
  // a move to a monitor with another DPI) act on this target.
  void set_target(FrameTarget* target) { target_ = target; }
  // `fps-start` / `fps-report` use this recorder (the frame loop feeds it).
  void set_fps_recorder(FpsRecorder* fps) { fps_ = fps; }
  int exit_status() const { return failed_ ? 1 : 0; }
  const std::string& failure() const { return failure_; }

 private:
  struct Command;

 public:
  // The script's commands as parsed: line number, command, argument.
  struct Line {
    int number;
    std::string command, arg;
    const Command* run;
  };
  const std::vector<Line>& lines() const { return lines_; }

 private:
  // What a command did this frame: done (on to the next line), not yet (the
  // same line next frame; also after a failure), or done once this frame is captured.
  enum class Done { Next, Wait, Capture };
  struct Command {
    const char* name;
    const char* args;  // the syntax of its argument, "" for none
    std::string help;
    Done (*run)(Script&, App&, const Line&);
  };
  static const std::vector<Command>& commands();

  Done fail(const Line& line, const std::string& why);
  // Holds the line until the worker is idle; fails on a job's error or the time limit.
  Done wait_for_worker(App& app, const Line& line);
  Done wait_phase(App& app, const Line& line);
  Done panel_png(App& app, const Line& line, bool attention);  // attention-png / compare-png
  Done click(App& app, const Line& line);                      // script_click.cpp
  // Holds the line until `ready`, failing with `what` after the time limit.
  Done hold_until(bool ready, const Line& line, const std::string& what);
  void dump_windows(App& app, const std::string& path);
  std::string output_path(const std::string& name) const;

  FrameTarget* target_ = nullptr;
  FpsRecorder* fps_ = nullptr;
  std::vector<Line> lines_;
  size_t next_ = 0;
  std::string output_dir_;
  int settle_frames_ = 0;
  bool waiting_ = false;
  std::chrono::steady_clock::time_point wait_start_;
  double wait_limit_ = 900;
  bool finished_ = false, failed_ = false;
  std::string failure_;
  std::string capture_;  // the screenshot a command asked for this frame
  // A `click` in progress: the widget (its ImGui id, label, what it is) and
  // centre, the step (1 hover, 2 press, 3 release, 4 check), its press count
  // before, and, when it opens the combo box or menu holding the entry the
  // line names, that box's label (the entry is clicked next, `click_within_`).
  struct Click {
    unsigned id = 0;
    std::string label, what;
    float x = 0, y = 0;
    int step = 0, presses_before = 0;
    std::string opens;
  };
  Click click_;
  std::string click_within_;
};

}  // namespace mrrope::ui
