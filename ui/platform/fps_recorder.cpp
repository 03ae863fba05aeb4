#include "ui/platform/fps_recorder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace mrrope::ui {
namespace {

// Nearest-rank percentile of a sorted list (q in 0..1).
double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t rank = size_t(std::ceil(q * double(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::string csv_path(const std::string& path) {
  std::filesystem::path p(path);
  p.replace_extension(".frames.csv");  // never the JSON's own name
  return p.string();
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) out += ' ';
    else out += c;
  }
  return out + "\"";
}

}  // namespace

double FpsRecorder::clock_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string FpsRecorder::phase_of(bool busy, const std::string& what) {
  if (!busy) return "idle";
  if (what.rfind("Prefill", 0) == 0) return "prefill";
  if (what.rfind("Generating", 0) == 0) return "generation";
  return "other";
}

void FpsRecorder::start(double now) {
  active_ = true;
  start_ = last_ = now;
  in_flight_phase_.clear();
  frames_.clear();
}

void FpsRecorder::submitted(const std::string& phase) {
  if (active_) in_flight_phase_ = phase;
}

void FpsRecorder::observe(uint64_t completed, double now) {
  if (!active_ || completed <= seen_) return;
  // A frame submitted before start() has no phase: it only moves the baseline.
  if (!in_flight_phase_.empty()) frames_.push_back({now - start_, now - last_, in_flight_phase_});
  seen_ = completed;
  last_ = now;
}

std::vector<FpsRecorder::PhaseStats> FpsRecorder::summary() const {
  std::vector<std::string> phases = {"all"};
  for (const Frame& f : frames_)
    if (std::find(phases.begin(), phases.end(), f.phase) == phases.end()) phases.push_back(f.phase);
  std::vector<PhaseStats> out;
  for (const std::string& phase : phases) {
    PhaseStats s;
    s.phase = phase;
    std::vector<double> ms;
    for (const Frame& f : frames_)
      if (phase == "all" || f.phase == phase) ms.push_back(f.interval * 1000.0), s.seconds += f.interval;
    s.frames = int(ms.size());
    if (!ms.empty()) {
      std::sort(ms.begin(), ms.end());
      s.fps_mean = s.seconds > 0 ? s.frames / s.seconds : 0;
      s.frame_ms_mean = s.seconds * 1000.0 / s.frames;
      s.frame_ms_p95 = percentile(ms, 0.95);
      s.frame_ms_max = ms.back();
      // The 5th-percentile frame rate is the rate of the 95th-percentile frame time.
      s.fps_p5 = s.frame_ms_p95 > 0 ? 1000.0 / s.frame_ms_p95 : 0;
    }
    out.push_back(s);
  }
  return out;
}

std::string FpsRecorder::write(const std::string& path, const std::string& device) {
  if (!active_) return "no FPS recording is running (fps-start first)";
  active_ = false;
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::ofstream json(path);
  if (!json) return "cannot write " + path;
  char buf[512];
  json << "{\n  \"device\": " << json_string(device) << ",\n";
  std::snprintf(buf, sizeof buf, "  \"recorded_seconds\": %.3f,\n", last_ - start_);
  json << buf << "  \"phases\": [\n";
  const auto stats = summary();
  for (size_t i = 0; i < stats.size(); ++i) {
    const PhaseStats& s = stats[i];
    std::snprintf(buf, sizeof buf,
                  "    {\"phase\": \"%s\", \"frames\": %d, \"seconds\": %.3f, \"fps_mean\": %.2f, \"fps_p5\": %.2f, "
                  "\"frame_ms_mean\": %.2f, \"frame_ms_p95\": %.2f, \"frame_ms_max\": %.2f}%s\n",
                  s.phase.c_str(), s.frames, s.seconds, s.fps_mean, s.fps_p5, s.frame_ms_mean, s.frame_ms_p95,
                  s.frame_ms_max, i + 1 < stats.size() ? "," : "");
    json << buf;
  }
  json << "  ]\n}\n";
  if (!json) return "could not write " + path;

  const std::string csv_file = csv_path(path);
  std::ofstream csv(csv_file);
  if (!csv) return "cannot write " + csv_file;
  csv << "frame,done_s,frame_ms,phase\n";
  for (size_t i = 0; i < frames_.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%zu,%.4f,%.3f,%s\n", i, frames_[i].done, frames_[i].interval * 1000.0,
                  frames_[i].phase.c_str());
    csv << buf;
  }
  if (!csv) return "could not write " + csv_file;
  std::fprintf(stderr, "mrrope-app: wrote %s and %s (%zu frames)\n", path.c_str(), csv_file.c_str(), frames_.size());
  return {};
}

}  // namespace mrrope::ui
