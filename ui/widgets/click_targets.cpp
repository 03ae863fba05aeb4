// The buttons of each frame, for the script's `click` (ui/widgets/click_targets.h).
#include "ui/widgets/click_targets.h"

#include <imgui_internal.h>  // the last item's flags: disabled or not

#include <map>

namespace mrrope::ui {
namespace {

struct Frame {
  int number = -1;
  std::vector<ClickTarget> targets;
};
Frame& latest() {
  static Frame f;
  return f;
}
std::map<std::string, int>& presses() {
  static std::map<std::string, int> p;
  return p;
}

bool note(const char* label, bool pressed) {
  Frame& f = latest();
  if (f.number != ImGui::GetFrameCount()) f.number = ImGui::GetFrameCount(), f.targets.clear();
  ClickTarget t;
  t.label = label;
  t.text = t.label.substr(0, t.label.find("##"));
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  t.x0 = a.x, t.y0 = a.y, t.x1 = b.x, t.y1 = b.y;
  t.enabled = (GImGui->LastItemData.InFlags & ImGuiItemFlags_Disabled) == 0;
  t.visible = ImGui::IsItemVisible();
  f.targets.push_back(std::move(t));
  if (pressed) ++presses()[label];
  return pressed;
}

}  // namespace

bool button(const char* label, const ImVec2& size) { return note(label, ImGui::Button(label, size)); }
bool small_button(const char* label) { return note(label, ImGui::SmallButton(label)); }

const std::vector<ClickTarget>& click_targets() { return latest().targets; }

int click_presses(const std::string& label) {
  const auto it = presses().find(label);
  return it == presses().end() ? 0 : it->second;
}

std::optional<ClickTarget> find_click_target(const std::vector<ClickTarget>& targets, const std::string& name,
                                             std::string* why) {
  std::vector<const ClickTarget*> exact, prefix;
  for (const ClickTarget& t : targets) {
    if (!t.visible) continue;
    if (t.text == name || t.label == name) exact.push_back(&t);
    else if (t.text.size() > name.size() && t.text.compare(0, name.size(), name) == 0 &&
             (t.text[name.size()] == ' ' || t.text[name.size()] == '('))
      prefix.push_back(&t);
  }
  const std::vector<const ClickTarget*>& found = exact.empty() ? prefix : exact;
  if (found.size() == 1) return *found.front();
  std::string shown;
  for (const ClickTarget& t : targets)
    if (t.visible) shown += (shown.empty() ? "'" : ", '") + t.text + "'";
  *why = (found.empty() ? "no button '" + name + "' on screen"
                        : std::to_string(found.size()) + " buttons match '" + name + "' (use the full label)") +
         " (buttons: " + (shown.empty() ? "none" : shown) + ")";
  return std::nullopt;
}

}  // namespace mrrope::ui
