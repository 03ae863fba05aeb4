#pragma once
// Scripted runs (mrrope-app --script FILE / --demo): one command per line,
// executed across frames so the UI keeps rendering while the worker runs.
//   model PATH|default      document PATH (added to the documents)   question TEXT
//   max-tokens N            method NAME           scale S|auto
//   kv-cache f16|q8_0 (the KV cache type of the next decoder)
//   ask (the question as the conversation's next turn)   compare M1 M2 [M3 M4] wait [SECONDS]
//   tab NAME                screenshot FILE.png   dump-windows FILE.json
//   schedule-length T (the schedule tab's T; 0 = the document's)   resize W H
//   content-scale S (1-4: text and widgets as on a monitor of S x 96 dpi)
//   fps-start (record frame times from here)   fps-report FILE.json (write them)
//   wait-phase prefill|generation [FRACTION] (a job part-way, for screenshots)
//   eval passkey|needle|ppl|TASK [methods=M1,M2] [lengths=256,1K] [depths=0,50,100 (%)]
//        [trials=N] [seed=N]   starts the Evaluation tab's sweep (then `wait`)
//   wait-eval N   until the sweep has N finished runs (or has ended)
//   cancel        as the Cancel button
//   eval-export [DIR]   writes results.csv/.json and the PNG into DIR (default eval/)
//   paste TEXT (\n: a line break) as text pasted into the Document panel
//   drop PATH...  as files dropped on the window (documents; .gguf a model; .json a conversation)
//   new-conversation   regenerate   edit-last (the last question back into the box)
//   conversation-save FILE.json   conversation-open FILE.json   conversation-export [DIR]
//   expect-document-message TEXT  once the worker is idle, the Document panel's message holds TEXT
//   expect-question TEXT (what the question box holds)   expect-turns N   expect-reuse (the last turn prefilled fewer tokens than it took from the KV cache)
//   expect-fit (the next turn did not fit: the choice is showing)   resolve-fit larger|drop
//   attention-png FILE.png   compare-png FILE.png   as the panels' Save PNG: the heatmap /
//        the side-by-side answers as drawn (the tab is shown first), cropped from the frame,
//        paged through when the answers are taller than the view
//   compare-conversation M1 M2 [M3 M4] [then-question]   the conversation's questions (then the
//        question box's) under each method, each in a thread of its own (then `wait`)
//   compare-follow-up (the question box in every method's thread)   compare-export [DIR]
//   expect-compare-turns N (every thread has N answered turns)
//   expect-compare-reuse (every thread's second turn took the documents from the KV cache)
//   max-tokens past-window N   max tokens such that the next turn overflows the window by N
//   quit
// Relative paths: documents and models from the working folder, outputs into
// the output folder. A bad line, a failed job or a timeout ends the run with
// a non-zero status.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ui/frame_target.h"

namespace mrrope::ui {

class App;
class FpsRecorder;

class Script {
 public:
  // Throws std::runtime_error naming the line on an unknown command.
  Script(const std::string& text, std::string output_dir);
  static std::string demo_text(const std::string& source_dir);

  // Called once per frame before the UI is built. Returns a path when this
  // frame must be captured (then call saved()).
  std::optional<std::string> step(App& app);
  void save_capture(const std::string& path, const Image& image);
  bool finished() const { return finished_; }
  // `resize W H` (exercises swapchain recreation) and `content-scale S` (as
  // a move to a monitor with another DPI) act on this target.
  void set_target(FrameTarget* target) { target_ = target; }
  // `fps-start` / `fps-report` use this recorder (the frame loop feeds it).
  void set_fps_recorder(FpsRecorder* fps) { fps_ = fps; }
  int exit_status() const { return failed_ ? 1 : 0; }
  const std::string& failure() const { return failure_; }

 private:
  struct Line {
    int number;
    std::string command, arg;
  };
  void fail(const Line& line, const std::string& why);
  bool wait_phase(App& app, const Line& line);  // true when done waiting
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
};

}  // namespace mrrope::ui
