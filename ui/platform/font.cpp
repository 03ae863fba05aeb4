#include "ui/platform/font.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace mrrope::ui {

bool usable_font_file(const std::string& path) {
  if (path.empty()) return false;
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (ext != ".ttf" && ext != ".otf" && ext != ".ttc") return false;
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

const std::vector<std::string>& known_font_paths() {
  static const std::vector<std::string> paths = {
      "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",            // Debian, Ubuntu (fonts-dejavu-core)
      "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",          // Fedora
      "/usr/share/fonts/dejavu/DejaVuSans.ttf",                     // older Fedora, openSUSE
      "/usr/share/fonts/TTF/DejaVuSans.ttf",                        // Arch (ttf-dejavu)
      "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
      "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
      "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
      "/usr/share/fonts/noto/NotoSans-Regular.ttf",
      "/System/Library/Fonts/Supplemental/Arial.ttf",               // macOS
  };
  return paths;
}

std::string fc_match_file(const std::string& pattern) {
  const std::string command = "fc-match -f '%{file}' '" + pattern + "' 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return "";
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  if (pclose(pipe) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

FontSearch system_font_search() {
  FontSearch s;
  if (const char* env = std::getenv("MRROPE_FONT")) s.env_override = env;
  s.fontconfig = [] { return fc_match_file("DejaVu Sans:style=Book:fontformat=TrueType"); };
  s.candidates = known_font_paths();
  return s;
}

FontChoice find_ui_font(const FontSearch& search) {
  FontChoice choice;
  if (!search.env_override.empty()) {
    if (usable_font_file(search.env_override)) {
      choice.path = search.env_override;
      choice.source = "MRROPE_FONT";
      return choice;
    }
    choice.note = "MRROPE_FONT=" + search.env_override + " is not a .ttf, .otf or .ttc file; looking elsewhere";
  }
  if (search.fontconfig) {
    const std::string matched = search.fontconfig();
    if (usable_font_file(matched)) {
      choice.path = matched;
      choice.source = "fc-match";
      return choice;
    }
  }
  for (const std::string& p : search.candidates)
    if (usable_font_file(p)) {
      choice.path = p;
      choice.source = "known path";
      return choice;
    }
  return choice;
}

}  // namespace mrrope::ui
