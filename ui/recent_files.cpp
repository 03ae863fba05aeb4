#include "ui/recent_files.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include <imgui.h>

#include "ui/widgets/click_targets.h"

namespace mrrope::ui {
namespace {

constexpr size_t kRecentCount = 8;

}  // namespace

std::vector<std::string> recent_files(const Settings& settings, const std::string& key) {
  std::vector<std::string> out;
  std::istringstream in(settings.get(key));
  std::string item;
  while (std::getline(in, item, '|'))
    if (!item.empty()) out.push_back(item);
  return out;
}

void remember_recent_file(Settings& settings, const std::string& key, const std::string& path) {
  if (path.empty()) return;
  std::vector<std::string> list = recent_files(settings, key);
  list.erase(std::remove(list.begin(), list.end(), path), list.end());
  list.insert(list.begin(), path);
  if (list.size() > kRecentCount) list.resize(kRecentCount);
  std::string joined;
  for (const std::string& p : list) joined += (joined.empty() ? "" : "|") + p;
  settings.set(key, joined);
}

bool draw_recent_menu(const Settings& settings, const char* id, const std::string& key, std::string* picked) {
  const std::vector<std::string> list = recent_files(settings, key);
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
