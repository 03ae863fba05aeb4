// The clickable widgets of each frame, for the script's `click` (ui/widgets/click_targets.h).
#include "ui/widgets/click_targets.h"

#include <imgui_internal.h>  // the last item's flags (disabled or not), the window's, the item flags in force

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
std::map<ImGuiID, int>& presses() {
  static std::map<ImGuiID, int> p;
  return p;
}
// The combo boxes open in a frame, by id, and that frame's number: opened = open now, not in the frame before.
std::map<ImGuiID, int>& open_combos() {
  static std::map<ImGuiID, int> open;
  return open;
}
// The combo box or menu whose popup is being drawn: the entries drawn now are its.
std::string& current_parent() {
  static std::string parent;
  return parent;
}
struct ParentScope {
  std::string saved;
  explicit ParentScope(const char* label) : saved(current_parent()) { current_parent() = label; }
  ~ParentScope() { current_parent() = saved; }
};

void add(ClickTarget t, bool pressed) {
  Frame& f = latest();
  if (f.number != ImGui::GetFrameCount()) f.number = ImGui::GetFrameCount(), f.targets.clear();
  if (pressed && t.id) ++presses()[t.id];
  f.targets.push_back(std::move(t));
}

// The item ImGui drew last, as a target.
bool note(ClickKind kind, const char* label, bool pressed, std::string value = "") {
  ClickTarget t;
  t.kind = kind;
  t.label = label;
  t.text = click_label_text(t.label);
  t.parent = current_parent();
  t.value = std::move(value);
  t.id = ImGui::GetItemID();
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  t.x0 = a.x, t.y0 = a.y, t.x1 = b.x, t.y1 = b.y;
  t.enabled = (GImGui->LastItemData.InFlags & ImGuiItemFlags_Disabled) == 0;
  t.visible = ImGui::IsItemVisible() && !ImGui::GetCurrentWindow()->Hidden;  // a popup's first frame is hidden
  add(std::move(t), pressed);
  return pressed;
}

// An entry of a closed combo box or menu: not on screen, found through its parent.
void note_closed_entry(ClickKind kind, const std::string& text, const char* parent, bool enabled) {
  ClickTarget t;
  t.kind = kind;
  t.label = text;
  t.text = click_label_text(text);
  t.parent = parent;
  t.enabled = enabled;
  t.visible = false;
  add(std::move(t), false);
}

bool matches(const ClickTarget& t, const std::string& name, bool exact) {
  if (exact) return t.text == name || t.label == name;
  return t.text.size() > name.size() && t.text.compare(0, name.size(), name) == 0 &&
         (t.text[name.size()] == ' ' || t.text[name.size()] == '(');
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out.empty() ? "none" : out;
}

}  // namespace

const char* click_kind_name(ClickKind kind) {
  switch (kind) {
    case ClickKind::Button: return "button";
    case ClickKind::Checkbox: return "checkbox";
    case ClickKind::Tab: return "tab";
    case ClickKind::TreeNode: return "tree node";
    case ClickKind::ListEntry: return "list entry";
    case ClickKind::Combo: return "combo box";
    case ClickKind::ComboEntry: return "combo box entry";
    case ClickKind::MenuItem: return "menu item";
  }
  return "widget";
}

std::string click_label_text(const std::string& label) {
  const size_t hash = label.find("##");
  if (hash == std::string::npos) return label;
  if (hash > 0) return label.substr(0, hash);
  const size_t id = label.find_first_not_of('#');
  return id == std::string::npos ? "" : label.substr(id);
}

bool button(const char* label, const ImVec2& size) { return note(ClickKind::Button, label, ImGui::Button(label, size)); }
bool small_button(const char* label) { return note(ClickKind::Button, label, ImGui::SmallButton(label)); }

bool checkbox(const char* label, bool* value) {
  const bool toggled = ImGui::Checkbox(label, value);
  note(ClickKind::Checkbox, label, toggled, *value ? "on" : "off");
  return toggled;
}

bool tab_item(const char* label, ImGuiTabItemFlags flags) {
  const bool shown = ImGui::BeginTabItem(label, nullptr, flags);
  // A tab is selected on the press (ImGui's PressedOnClick): the frame it became active.
  note(ClickKind::Tab, label, ImGui::IsItemActivated(), shown ? "shown" : "");
  return shown;
}

bool tree_node(const char* label) {
  const bool open = ImGui::TreeNode(label);
  note(ClickKind::TreeNode, label, ImGui::IsItemToggledOpen(), open ? "open" : "closed");
  return open;
}

bool selectable(const char* label, bool selected, ImGuiSelectableFlags flags) {
  const ClickKind kind = current_parent().empty() ? ClickKind::ListEntry : ClickKind::ComboEntry;
  return note(kind, label, ImGui::Selectable(label, selected, flags), selected ? "selected" : "");
}

bool combo(const char* label, int* current, const std::vector<std::string>& items, const char* preview,
           const std::function<void(int)>& item_drawn) {
  const int n = static_cast<int>(items.size());
  const std::string shown = preview ? preview : *current >= 0 && *current < n ? items[size_t(*current)] : "";
  // The box as BeginCombo lays it out (once open, ImGui's last item is inside the popup).
  ClickTarget t;
  t.kind = ClickKind::Combo;
  t.label = label;
  t.text = click_label_text(t.label);
  t.parent = current_parent();
  t.value = shown;
  t.id = ImGui::GetID(label);
  const ImVec2 a = ImGui::GetCursorScreenPos(), b(a.x + ImGui::CalcItemWidth(), a.y + ImGui::GetFrameHeight());
  t.x0 = a.x, t.y0 = a.y, t.x1 = b.x, t.y1 = b.y;
  t.enabled = (GImGui->CurrentItemFlags & ImGuiItemFlags_Disabled) == 0;
  t.visible = ImGui::IsRectVisible(a, b) && !ImGui::GetCurrentWindow()->Hidden;

  const bool open = ImGui::BeginCombo(label, shown.c_str(), ImGuiComboFlags_HeightLargest);
  const int frame = ImGui::GetFrameCount();
  auto& was = open_combos();
  const auto it = was.find(t.id);
  const bool opened = open && (it == was.end() || it->second != frame - 1);
  if (open) was[t.id] = frame;
  add(t, opened);
  bool picked = false;
  if (open) {
    ParentScope scope(label);
    for (int i = 0; i < n; ++i) {
      ImGui::PushID(i);
      if (selectable(items[size_t(i)].c_str(), i == *current)) *current = i, picked = true;
      if (i == *current && ImGui::IsWindowAppearing()) ImGui::SetItemDefaultFocus();
      if (item_drawn) item_drawn(i);
      ImGui::PopID();
    }
    ImGui::EndCombo();
  } else {
    for (const std::string& item : items) note_closed_entry(ClickKind::ComboEntry, item, label, t.enabled);
  }
  return picked;
}

int menu_button(const char* label, const std::vector<MenuEntry>& entries) {
  if (button(label)) ImGui::OpenPopup(label);
  int picked = -1;
  if (ImGui::BeginPopup(label)) {
    ParentScope scope(label);
    for (size_t i = 0; i < entries.size(); ++i) {
      const MenuEntry& e = entries[i];
      ImGui::PushID(static_cast<int>(i));
      ImGui::BeginDisabled(!e.enabled);
      const bool chosen = ImGui::MenuItem(e.text.c_str(), e.shortcut.empty() ? nullptr : e.shortcut.c_str());
      note(ClickKind::MenuItem, e.text.c_str(), chosen);
      ImGui::EndDisabled();
      ImGui::PopID();
      if (chosen) picked = static_cast<int>(i);
    }
    ImGui::EndPopup();
  } else {
    for (const MenuEntry& e : entries) note_closed_entry(ClickKind::MenuItem, e.text, label, e.enabled);
  }
  return picked;
}

const std::vector<ClickTarget>& click_targets() { return latest().targets; }

int click_presses(ImGuiID id) {
  const auto it = presses().find(id);
  return it == presses().end() ? 0 : it->second;
}

std::optional<ClickMatch> find_click_target(const std::vector<ClickTarget>& targets, const std::string& name,
                                            std::string* why, const std::string& within) {
  // "BOX > ENTRY": an entry of that combo box or menu.
  std::string owner, item = name;
  if (const size_t gt = name.find(" > "); gt != std::string::npos) owner = name.substr(0, gt), item = name.substr(gt + 3);
  auto opener_of = [&](const ClickTarget& t) -> const ClickTarget* {
    for (const ClickTarget& o : targets)
      if (o.visible && o.label == t.parent && (o.kind == ClickKind::Combo || o.kind == ClickKind::Button)) return &o;
    return nullptr;
  };
  auto in_owner = [&](const ClickTarget& t) {
    if (!within.empty() && t.parent != within) return false;
    return owner.empty() || (!t.parent.empty() && (t.parent == owner || click_label_text(t.parent) == owner));
  };
  // On screen (exact, then prefix), then the entries of closed combo boxes and menus on screen.
  for (const bool on_screen : {true, false}) {
    if (!on_screen && !within.empty()) break;  // the popup is open: its entries are on screen or not there
    for (const bool exact : {true, false}) {
      std::vector<ClickMatch> found;
      for (const ClickTarget& t : targets) {
        if (t.visible != on_screen || !in_owner(t) || !matches(t, item, exact)) continue;
        if (on_screen) {
          found.push_back({t, std::nullopt});
        } else if (const ClickTarget* o = t.parent.empty() ? nullptr : opener_of(t)) {
          found.push_back({t, *o});
        }
      }
      if (found.size() == 1) return found.front();
      if (found.size() > 1) {
        std::vector<std::string> names;
        for (const ClickMatch& m : found)
          names.push_back(m.target.parent.empty() ? m.target.label : click_label_text(m.target.parent) + " > " + m.target.text);
        *why = std::to_string(found.size()) + " widgets match '" + name + "': " + quoted_list(names) +
               " (use the full label, or 'BOX > ENTRY' for a combo box's or menu's entry)";
        return std::nullopt;
      }
    }
  }
  std::vector<std::string> shown, entries;
  for (const ClickTarget& t : targets) {
    if (!within.empty() && t.parent != within) continue;
    if (t.visible && !t.text.empty()) shown.push_back(t.text);
    else if (!t.parent.empty() && opener_of(t)) entries.push_back(click_label_text(t.parent) + " > " + t.text);
  }
  *why = "nothing labelled '" + name + "' on screen" + (within.empty() ? "" : " in '" + click_label_text(within) + "'") +
         " (on screen: " + quoted_list(shown) + (entries.empty() ? "" : "; in combo boxes and menus: " + quoted_list(entries)) +
         ")";
  return std::nullopt;
}

}  // namespace mrrope::ui
