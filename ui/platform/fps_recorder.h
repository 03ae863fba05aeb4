#pragma once
// Frame-rate measurement for scripted runs (`fps-start`, `fps-report PATH`,
// or mrrope-app --fps-report PATH): records when each frame finished on the
// GPU and what the worker was doing while it was drawn, then writes a JSON
// report (frames, seconds, mean FPS, 5th-percentile FPS, per phase) and a
// CSV of every frame beside it.
#include <cstdint>
#include <string>
#include <vector>

namespace mrrope::ui {

class FpsRecorder {
 public:
  // Phase names from the session's progress text: "prefill", "generation",
  // "other" (loading, tokenizing, loss curves...), "idle".
  static std::string phase_of(bool busy, const std::string& progress_what);

  // Seconds on the steady clock: the time base of start() and observe().
  static double clock_now();
  // Starts (or restarts) recording at `now`.
  void start(double now);
  bool active() const { return active_; }
  // The frame just submitted was drawn during `phase`.
  void submitted(const std::string& phase);
  // `completed`: the frame target's count of finished frames. A rise means
  // the submitted frame finished at about `now` (seconds, steady clock).
  void observe(uint64_t completed, double now);
  // Writes PATH (JSON) and beside it STEM.frames.csv; stops recording.
  // Returns an error message, empty on success.
  std::string write(const std::string& path, const std::string& device);

  struct PhaseStats {
    std::string phase;
    int frames = 0;
    double seconds = 0;  // sum of the frame intervals that ended in this phase
    double fps_mean = 0, fps_p5 = 0, frame_ms_mean = 0, frame_ms_p95 = 0, frame_ms_max = 0;
  };
  // "all" first, then each phase seen, in order of first appearance.
  std::vector<PhaseStats> summary() const;

 private:
  struct Frame {
    double done;       // when it was seen finished (seconds since start)
    double interval;   // since the previous finished frame (or the start)
    std::string phase;
  };
  bool active_ = false;
  double start_ = 0, last_ = 0;
  uint64_t seen_ = 0;
  std::string in_flight_phase_;
  std::vector<Frame> frames_;
};

}  // namespace mrrope::ui
