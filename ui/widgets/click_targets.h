#pragma once
// Buttons a script can click by their label (issue 18: the tests press the
// actual buttons). The app's buttons go through button() / small_button(),
// which draw ImGui's and note, per frame, each one's label, rectangle and
// whether it was enabled and pressed. `click LABEL` (ui/script/script_click.cpp)
// finds the button in the last frame and moves ImGui's mouse onto it: press,
// release, over three frames, so ImGui's own hover, disabled and popup rules
// decide, and it checks that the button reported the press.
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>

namespace mrrope::ui {

bool button(const char* label, const ImVec2& size = ImVec2(0, 0));  // ImGui::Button, noted
bool small_button(const char* label);                               // ImGui::SmallButton, noted

struct ClickTarget {
  std::string label;  // as passed, "Stop##compare"
  std::string text;   // as shown, "Stop"
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool enabled = true, visible = true;
};

// The buttons drawn in the latest frame (complete once it has ended).
const std::vector<ClickTarget>& click_targets();
// How many times a button with this label has reported a press so far.
int click_presses(const std::string& label);

// The button `name` means among `targets`: its shown text or full label
// exactly, else the one whose shown text starts with `name` and a space or
// "(" ("Ask" for "Ask (Ctrl+Enter)"). Visible buttons only; `why` says what
// went wrong (none, or several) when nothing is returned.
std::optional<ClickTarget> find_click_target(const std::vector<ClickTarget>& targets, const std::string& name,
                                             std::string* why);

}  // namespace mrrope::ui
