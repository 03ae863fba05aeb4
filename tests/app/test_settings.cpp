// What the app remembers between runs (ui/settings.h): where the file lives,
// a save and load round trip, and values that do not parse. No GPU, no window.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "ui/settings.h"

namespace mrrope::ui {
namespace {

namespace fs = std::filesystem;

// Sets (or unsets) an environment variable for one test and puts it back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("mrrope-settings-" + name);
  fs::remove_all(d);
  return d;
}

TEST(Settings, TheFolderFollowsXdgThenHome) {
  {
    ScopedEnv xdg("XDG_CONFIG_HOME", "/tmp/xdg"), home("HOME", "/home/someone");
    EXPECT_EQ(Settings::config_dir(), "/tmp/xdg/mrrope");
  }
  {
    ScopedEnv xdg("XDG_CONFIG_HOME", ""), home("HOME", "/home/someone");
    EXPECT_EQ(Settings::config_dir(), "/home/someone/.config/mrrope");
  }
  {
    ScopedEnv xdg("XDG_CONFIG_HOME", nullptr), home("HOME", nullptr);
    EXPECT_EQ(Settings::config_dir(), "");
  }
}

TEST(Settings, SaveAndLoadRoundTrip) {
  const fs::path dir = fresh_dir("roundtrip");
  ScopedEnv xdg("XDG_CONFIG_HOME", dir.c_str());
  Settings s;
  s.set("model", "/models/tiny model.gguf");
  s.set("question", "Who is\nthe Preacher?");  // one line in the file
  s.set("scale", 2.5);
  s.set("window_width", 1500.0);
  s.save();  // creates the folder
  ASSERT_TRUE(fs::is_regular_file(dir / "mrrope" / "app.ini"));

  Settings r;
  r.load();
  EXPECT_EQ(r.get("model"), "/models/tiny model.gguf");
  EXPECT_EQ(r.get("question"), "Who is the Preacher?");
  EXPECT_DOUBLE_EQ(r.get_double("scale", 0), 2.5);
  EXPECT_EQ(r.get_int("window_width", 0), 1500);
  EXPECT_EQ(r.get("missing", "fallback"), "fallback");
}

TEST(Settings, CommentsAndLinesWithoutAValueAreIgnoredAndBadNumbersFallBack) {
  const fs::path dir = fresh_dir("bad");
  fs::create_directories(dir / "mrrope");
  std::ofstream(dir / "mrrope" / "app.ini") << "# a comment\nno equals sign\nmax_new_tokens=many\nscale=\n"
                                               "method=yarn\nurl=a=b\n";
  ScopedEnv xdg("XDG_CONFIG_HOME", dir.c_str());
  Settings s;
  s.load();
  EXPECT_EQ(s.get("method"), "yarn");
  EXPECT_EQ(s.get("url"), "a=b");  // the first '=' splits
  EXPECT_EQ(s.get("no equals sign", "none"), "none");
  EXPECT_EQ(s.get_int("max_new_tokens", 32), 32);
  EXPECT_DOUBLE_EQ(s.get_double("scale", 4.0), 4.0);
}

TEST(Settings, AMissingFileOrFolderIsNotAnError) {
  const fs::path dir = fresh_dir("missing");
  ScopedEnv xdg("XDG_CONFIG_HOME", dir.c_str());
  Settings s;
  s.load();
  EXPECT_EQ(s.get("model", "default"), "default");
  ScopedEnv none("XDG_CONFIG_HOME", nullptr), home("HOME", nullptr);
  s.save();  // nowhere to save: nothing happens
  EXPECT_FALSE(fs::exists(dir));
}

}  // namespace
}  // namespace mrrope::ui
