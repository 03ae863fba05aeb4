#pragma once
// Recent files, kept in the settings under a key (recent_documents,
// recent_models): '|'-separated, newest first. A scripted run keeps them too
// (its Recent menus can be clicked); it never loads or saves the settings file.
#include <string>
#include <vector>

#include "ui/settings.h"

namespace mrrope::ui {

std::vector<std::string> recent_files(const Settings& settings, const std::string& key);
void remember_recent_file(Settings& settings, const std::string& key, const std::string& path);
// The Recent button and its menu; true when the user picked a file (`*picked`).
bool draw_recent_menu(const Settings& settings, const char* id, const std::string& key, std::string* picked);

}  // namespace mrrope::ui
