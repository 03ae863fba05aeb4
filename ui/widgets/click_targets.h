#pragma once
// Widgets a script can click by their label (issues 16, 18: the tests press
// what a user presses). The app's clickable widgets (buttons, tabs,
// checkboxes, combo boxes and their entries, menu buttons and their items,
// tree nodes, list entries) go through the wrappers below, which draw
// ImGui's widget and note, per frame, each one's label, rectangle, whether it
// was enabled and whether it reported a press. A combo box or menu notes its
// entries even while it is closed, so `click ENTRY` can open it first.
// `click LABEL` (ui/script/script_click.cpp) finds the widget in the last
// frame and moves ImGui's mouse onto it: press, release, over three frames, so
// ImGui's own hover, disabled and popup rules decide, and it checks that the
// widget reported the press.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>

namespace mrrope::ui {

bool button(const char* label, const ImVec2& size = ImVec2(0, 0));  // ImGui::Button, noted
bool small_button(const char* label);                               // ImGui::SmallButton, noted
bool checkbox(const char* label, bool* value);                      // ImGui::Checkbox; pressed: toggled
// ImGui::BeginTabItem (no close button): true while the tab is shown, then
// call ImGui::EndTabItem. Pressed: clicked.
bool tab_item(const char* label, ImGuiTabItemFlags flags = 0);
bool tree_node(const char* label);  // ImGui::TreeNode: true while open, then call ImGui::TreePop
// ImGui::Selectable, as a list's entry (the file browser's files).
bool selectable(const char* label, bool selected = false, ImGuiSelectableFlags flags = 0);
// A combo box of `items` (all shown when open, no scrolling); `*current` is
// the chosen one, `preview` what the box shows (default: the chosen item).
// `item_drawn(i)` runs after each entry, e.g. for its tooltip. True when the
// user picked an entry (then `*current` is it). Pressed: opened.
bool combo(const char* label, int* current, const std::vector<std::string>& items, const char* preview = nullptr,
           const std::function<void(int)>& item_drawn = nullptr);
// A button that opens a menu of `entries`; returns the entry picked, or -1.
struct MenuEntry {
  std::string text, shortcut;  // shortcut: the grey text on the right
  bool enabled = true;
};
int menu_button(const char* label, const std::vector<MenuEntry>& entries);

enum class ClickKind { Button, Checkbox, Tab, TreeNode, ListEntry, Combo, ComboEntry, MenuItem };
const char* click_kind_name(ClickKind kind);  // "button", "checkbox", "combo box", ...

struct ClickTarget {
  ClickKind kind = ClickKind::Button;
  std::string label;   // as passed, "Stop##compare"
  std::string text;    // as shown, "Stop"; for a hidden label ("##eval_task") its id, "eval_task"
  std::string parent;  // a combo entry's combo box, a menu item's menu button (their labels); else ""
  std::string value;   // what it shows: a checkbox "on"/"off", a combo box its choice, a tab "shown"
  ImGuiID id = 0;      // ImGui's id (presses are counted by it); 0 for an entry of a closed popup
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool enabled = true;
  bool visible = true;  // on screen (an entry of a closed combo box or menu is not)
};

// The text a label shows: before "##", or, when that is empty, the id after it.
std::string click_label_text(const std::string& label);

// The widgets drawn in the latest frame (complete once it has ended).
const std::vector<ClickTarget>& click_targets();
// How many times the widget with this ImGui id has reported a press so far.
int click_presses(ImGuiID id);

// What `click NAME` means among `targets`: `target`, and, when it is the
// entry of a closed combo box or menu, `opener`, to click first.
struct ClickMatch {
  ClickTarget target;
  std::optional<ClickTarget> opener;
};
// NAME is a widget's shown text or full label exactly, else the one whose
// shown text starts with NAME and a space or "(" ("Ask" for "Ask (Ctrl+Enter)");
// "BOX > ENTRY" names an entry of the combo box or menu BOX. Widgets on screen
// come first, then the entries of closed combo boxes and menus on screen.
// `within`: only the entries of this combo box or menu (by label; it is open).
// `why` says what went wrong (none, or several) when nothing is returned.
std::optional<ClickMatch> find_click_target(const std::vector<ClickTarget>& targets, const std::string& name,
                                            std::string* why, const std::string& within = "");

}  // namespace mrrope::ui
