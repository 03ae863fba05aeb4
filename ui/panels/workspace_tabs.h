#pragma once
// The workspace's tabs, one entry each in the tab bar's order
// (workspace_tabs.cpp). The tab bar, the Ctrl+digit shortcuts, the script's
// `tab` and Save PNG read this table, so adding a tab is one entry.
#include <string>
#include <vector>

namespace mrrope::ui {

class App;
class Panel;

struct WorkspaceTab {
  const char* name;        // its label, and the script's `tab NAME`
  Panel& (*panel)(App&);   // the panel that draws it
  char ctrl_key = 0;       // Ctrl+this key shows it ('1': GLFW_KEY_1); 0: no shortcut
};

const std::vector<WorkspaceTab>& workspace_tabs();
const WorkspaceTab* find_workspace_tab(const std::string& name);  // nullptr: no such tab
const WorkspaceTab* workspace_tab_of(App& app, const Panel& panel);  // the tab it draws, or nullptr
std::string workspace_tab_names();  // "Q&A, Side by side, ...", for help and errors
// The tab whose shortcut was pressed this frame (ImGui's keys), or nullptr.
const WorkspaceTab* pressed_tab_shortcut();

}  // namespace mrrope::ui
