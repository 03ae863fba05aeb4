// Keyboard shortcuts and the recent-files menus.
//   Ctrl+Enter  ask (also inside the question box)   Esc  stop the running job
//   Ctrl+O      open a document
#include <algorithm>
#include <filesystem>
#include <sstream>

#include <imgui.h>

#include "ui/app.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {
namespace {

constexpr int kRecentCount = 8;
constexpr int kKeyO = 79;  // GLFW_KEY_O: ImGui 1.86's GLFW backend indexes KeysDown by GLFW key codes

}  // namespace

void App::handle_shortcuts() {
  const ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false) && session_.busy()) stop();
  if (io.KeyCtrl && ImGui::IsKeyPressed(kKeyO, false)) {
    const std::string& path = document_panel_.path;
    std::string start = path.empty() ? std::string() : std::filesystem::path(path).parent_path().string();
    document_panel_.browser.open(start);
  }
  // In the question box Ctrl+Enter is the box's own "enter" (panels/qa_tab.cpp).
  if (io.KeyCtrl && !io.WantTextInput && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) &&
      !session_.busy())
    ask();
}

std::vector<std::string> App::recent(const std::string& key) const {
  std::vector<std::string> out;
  std::istringstream in(settings_.get(key));
  std::string item;
  while (std::getline(in, item, '|'))
    if (!item.empty()) out.push_back(item);
  return out;
}

void App::remember_recent(const std::string& key, const std::string& path) {
  // A scripted run keeps them too (its Recent menus can be clicked): it never loads or saves the settings file.
  if (path.empty()) return;
  std::vector<std::string> list = recent(key);
  list.erase(std::remove(list.begin(), list.end(), path), list.end());
  list.insert(list.begin(), path);
  if (list.size() > kRecentCount) list.resize(kRecentCount);
  std::string joined;
  for (const std::string& p : list) joined += (joined.empty() ? "" : "|") + p;
  settings_.set(key, joined);
}

bool App::draw_recent_menu(const char* id, const std::string& key, std::string* picked) {
  const std::vector<std::string> list = recent(key);
  std::vector<MenuEntry> entries;
  for (const std::string& p : list) {
    const bool there = std::filesystem::exists(p);
    entries.push_back({std::filesystem::path(p).filename().string(), there ? p : "missing", there});
  }
  ImGui::BeginDisabled(list.empty());
  const int i = menu_button(id, entries);
  ImGui::EndDisabled();
  if (i < 0) return false;
  *picked = list[size_t(i)];
  return true;
}

}  // namespace mrrope::ui
