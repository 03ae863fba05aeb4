#pragma once
// The UI font, found rather than assumed: $MRROPE_FONT (a TrueType/OpenType
// file), else fontconfig's best match for DejaVu Sans (`fc-match`, which knows
// the system's fonts and their substitutes), else the first of a few usual
// paths that exists. When none is there the caller falls back to ImGui's
// built-in font (and says so).
#include <functional>
#include <string>
#include <vector>

namespace mrrope::ui {

struct FontChoice {
  std::string path;    // empty: ImGui's built-in font
  std::string source;  // "MRROPE_FONT", "fc-match" or "known path"; empty with no path
  std::string note;    // something to tell the user (an override that is not a font file), or empty
};

// Where to look. system_font_search() is the real environment; tests build their own.
struct FontSearch {
  std::string env_override;                 // $MRROPE_FONT, empty when unset
  std::function<std::string()> fontconfig;  // fontconfig's answer: a path, or "" (may be empty)
  std::vector<std::string> candidates;      // known paths, in order
};

FontSearch system_font_search();
FontChoice find_ui_font(const FontSearch& search);
// The usual places of DejaVu Sans, Liberation Sans and Noto Sans on Debian,
// Ubuntu, Fedora, Arch and macOS.
const std::vector<std::string>& known_font_paths();
// `fc-match -f %{file} PATTERN`: the best match's file, or "" when fontconfig
// is missing or fails.
std::string fc_match_file(const std::string& pattern);
// A regular file ImGui can load: .ttf, .otf or .ttc (not a bitmap .pcf or .otb).
bool usable_font_file(const std::string& path);

}  // namespace mrrope::ui
