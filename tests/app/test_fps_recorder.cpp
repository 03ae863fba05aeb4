// FpsRecorder: which frames count, how phases are split, the percentile
// arithmetic, and the files it writes (no GPU: times are fed in).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ui/platform/fps_recorder.h"

using mrrope::ui::FpsRecorder;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(FpsRecorder, PhaseNamesComeFromTheProgressText) {
  EXPECT_EQ(FpsRecorder::phase_of(false, "Prefill (mrrope-pro)"), "idle");
  EXPECT_EQ(FpsRecorder::phase_of(true, "Prefill (mrrope-pro)"), "prefill");
  EXPECT_EQ(FpsRecorder::phase_of(true, "Generating (yarn)"), "generation");
  EXPECT_EQ(FpsRecorder::phase_of(true, "Tokenizing prompt"), "other");
}

TEST(FpsRecorder, CountsOnlyFramesFinishedAfterStartWithTheirPhase) {
  FpsRecorder r;
  r.observe(5, 1.0);  // not recording yet
  r.start(10.0);
  r.observe(6, 10.1);  // a frame submitted before start(): baseline only
  r.submitted("prefill");
  r.observe(6, 10.2);  // no new completion
  r.observe(7, 10.5);
  r.submitted("prefill");
  r.observe(8, 11.0);
  r.submitted("generation");
  r.observe(9, 11.1);
  const auto s = r.summary();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].phase, "all");
  EXPECT_EQ(s[0].frames, 3);
  EXPECT_NEAR(s[0].seconds, 1.0, 1e-9);  // 10.1 -> 11.1
  EXPECT_EQ(s[1].phase, "prefill");
  EXPECT_EQ(s[1].frames, 2);
  EXPECT_NEAR(s[1].fps_mean, 2 / 0.9, 1e-9);
  EXPECT_NEAR(s[1].frame_ms_max, 500.0, 1e-6);
  EXPECT_EQ(s[2].phase, "generation");
  EXPECT_NEAR(s[2].fps_mean, 10.0, 1e-6);
}

TEST(FpsRecorder, FifthPercentileFpsIsTheSlowFramesRate) {
  FpsRecorder r;
  r.start(0);
  double t = 0;
  for (int i = 0; i < 100; ++i) {  // 95 frames of 10 ms, 5 of 100 ms
    t += i < 95 ? 0.010 : 0.100;
    r.submitted("generation");
    r.observe(uint64_t(i + 1), t);
  }
  const auto s = r.summary();
  EXPECT_EQ(s[1].frames, 100);
  EXPECT_NEAR(s[1].frame_ms_p95, 10.0, 1e-6);
  EXPECT_NEAR(s[1].fps_p5, 100.0, 1e-6);
  EXPECT_NEAR(s[1].frame_ms_max, 100.0, 1e-6);
  EXPECT_NEAR(s[1].fps_mean, 100 / 1.45, 1e-6);
}

TEST(FpsRecorder, WritesJsonAndCsvAndRefusesWithoutStart) {
  const auto dir = std::filesystem::temp_directory_path() / "mrrope_fps_test";
  std::filesystem::remove_all(dir);
  FpsRecorder r;
  EXPECT_NE(r.write((dir / "fps.json").string(), "dev"), "");
  r.start(0);
  r.submitted("prefill");
  r.observe(1, 0.25);
  EXPECT_EQ(r.write((dir / "sub" / "fps.json").string(), "my \"gpu\""), "");
  EXPECT_FALSE(r.active());
  const std::string json = slurp((dir / "sub" / "fps.json").string());
  EXPECT_NE(json.find("\"device\": \"my \\\"gpu\\\"\""), std::string::npos) << json;
  EXPECT_NE(json.find("{\"phase\": \"prefill\", \"frames\": 1, \"seconds\": 0.250, \"fps_mean\": 4.00"),
            std::string::npos)
      << json;
  const std::string csv = slurp((dir / "sub" / "fps.frames.csv").string());
  EXPECT_EQ(csv, "frame,done_s,frame_ms,phase\n0,0.2500,250.000,prefill\n");
  // A path that cannot be written gives a message, not a crash.
  r.start(0);
  EXPECT_NE(r.write("/proc/no/such/dir/fps.json", "dev"), "");
  std::filesystem::remove_all(dir);
}
