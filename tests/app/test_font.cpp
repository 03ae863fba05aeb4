// The UI font is found, not assumed (ui/platform/font.h): $MRROPE_FONT, then
// fontconfig, then known paths, else ImGui's built-in font. No GPU, no window.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ui/platform/font.h"

namespace mrrope::ui {
namespace {

namespace fs = std::filesystem;

// Font-named files (their contents do not matter to the search).
struct FontFiles {
  fs::path dir = fs::temp_directory_path() / "mrrope-font-test";
  FontFiles() {
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const char* name : {"a.ttf", "b.TTF", "c.otf", "d.pcf", "e.otb"}) std::ofstream(dir / name) << "font";
    fs::create_directories(dir / "folder.ttf");
  }
  std::string operator()(const char* name) const { return (dir / name).string(); }
};

TEST(Font, OnlyTrueTypeAndOpenTypeFilesAreUsable) {
  const FontFiles f;
  EXPECT_TRUE(usable_font_file(f("a.ttf")));
  EXPECT_TRUE(usable_font_file(f("b.TTF")));
  EXPECT_TRUE(usable_font_file(f("c.otf")));
  EXPECT_FALSE(usable_font_file(f("d.pcf")));  // bitmap fonts: ImGui cannot load them
  EXPECT_FALSE(usable_font_file(f("e.otb")));
  EXPECT_FALSE(usable_font_file(f("folder.ttf")));
  EXPECT_FALSE(usable_font_file(f("missing.ttf")));
  EXPECT_FALSE(usable_font_file(""));
}

TEST(Font, TheOverrideComesFirst) {
  const FontFiles f;
  FontSearch s;
  s.env_override = f("c.otf");
  s.fontconfig = [&] { return f("a.ttf"); };
  s.candidates = {f("b.TTF")};
  const FontChoice c = find_ui_font(s);
  EXPECT_EQ(c.path, f("c.otf"));
  EXPECT_EQ(c.source, "MRROPE_FONT");
  EXPECT_EQ(c.note, "");
}

TEST(Font, AnOverrideThatIsNoFontIsSaidAndSkipped) {
  const FontFiles f;
  FontSearch s;
  s.env_override = f("missing.ttf");
  s.fontconfig = [&] { return f("a.ttf"); };
  const FontChoice c = find_ui_font(s);
  EXPECT_EQ(c.path, f("a.ttf"));
  EXPECT_EQ(c.source, "fc-match");
  EXPECT_NE(c.note.find("MRROPE_FONT=" + f("missing.ttf")), std::string::npos) << c.note;
}

TEST(Font, FontconfigThenTheFirstKnownPathThatExists) {
  const FontFiles f;
  FontSearch s;
  s.fontconfig = [&] { return f("d.pcf"); };  // a bitmap font: not usable, go on
  s.candidates = {f("missing.ttf"), f("b.TTF"), f("a.ttf")};
  const FontChoice c = find_ui_font(s);
  EXPECT_EQ(c.path, f("b.TTF"));
  EXPECT_EQ(c.source, "known path");
}

TEST(Font, NothingFoundMeansTheBuiltInFont) {
  FontSearch s;
  s.fontconfig = [] { return std::string(); };  // fontconfig missing
  s.candidates = {"/nonexistent/font.ttf"};
  const FontChoice c = find_ui_font(s);
  EXPECT_EQ(c.path, "");
  EXPECT_EQ(c.source, "");
}

TEST(Font, TheSystemSearchReadsTheEnvironment) {
  const FontFiles f;
  setenv("MRROPE_FONT", f("a.ttf").c_str(), 1);
  const FontSearch s = system_font_search();
  unsetenv("MRROPE_FONT");
  EXPECT_EQ(s.env_override, f("a.ttf"));
  EXPECT_TRUE(static_cast<bool>(s.fontconfig));
  EXPECT_EQ(s.candidates, known_font_paths());
  EXPECT_EQ(find_ui_font(s).path, f("a.ttf"));
  // Whatever fontconfig answers on this machine is a usable file or nothing.
  const std::string matched = fc_match_file("DejaVu Sans:fontformat=TrueType");
  if (!matched.empty()) {
    EXPECT_TRUE(fs::exists(matched)) << matched;
  }
}

}  // namespace
}  // namespace mrrope::ui
