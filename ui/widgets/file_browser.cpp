#include "ui/widgets/file_browser.h"

#include <algorithm>
#include <filesystem>

#include <imgui.h>

#include "ui/widgets/click_targets.h"

namespace mrrope::ui {
namespace fs = std::filesystem;

void FileBrowser::open(const std::string& start_dir) {
  std::error_code ec;
  fs::path dir = start_dir.empty() ? fs::current_path(ec) : fs::path(start_dir);
  if (!fs::is_directory(dir, ec)) dir = dir.parent_path();
  if (!fs::is_directory(dir, ec)) dir = fs::current_path(ec);
  dir_ = fs::absolute(dir, ec).lexically_normal().string();
  open_ = true;
  list();
}

void FileBrowser::list() {
  entries_.clear();
  error_.clear();
  std::error_code ec;
  for (fs::directory_iterator it(dir_, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    const bool folder = it->is_directory(ec);
    if (!folder) {
      const std::string ext = it->path().extension().string();
      if (!extensions_.empty() && std::find(extensions_.begin(), extensions_.end(), ext) == extensions_.end()) continue;
    }
    entries_.emplace_back(name, folder);
  }
  if (ec) error_ = "cannot list " + dir_ + ": " + ec.message();
  std::sort(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second : a.first < b.first;  // folders first
  });
}

std::optional<std::string> FileBrowser::draw() {
  if (!open_) return std::nullopt;
  std::optional<std::string> picked;
  ImGui::PushID(id_.c_str());
  ImGui::TextDisabled("%s", dir_.c_str());
  if (small_button("Up")) {
    dir_ = fs::path(dir_).parent_path().string();
    list();
  }
  ImGui::SameLine();
  if (small_button("Close")) open_ = false;
  ImGui::BeginChild("listing", ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 8), true);
  if (!error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", error_.c_str());
  std::string enter;
  for (const auto& [name, folder] : entries_) {
    const std::string label = folder ? "[" + name + "]" : name;
    if (selectable(label.c_str(), false, ImGuiSelectableFlags_AllowDoubleClick)) {
      if (folder) enter = name;
      else picked = (fs::path(dir_) / name).string();
    }
  }
  if (entries_.empty() && error_.empty()) ImGui::TextDisabled("(no matching files)");
  ImGui::EndChild();
  if (!enter.empty()) {
    dir_ = (fs::path(dir_) / enter).string();
    list();
  }
  if (picked) open_ = false;
  ImGui::PopID();
  return picked;
}

}  // namespace mrrope::ui
