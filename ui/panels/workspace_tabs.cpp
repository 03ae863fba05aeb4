#include "ui/panels/workspace_tabs.h"

#include <imgui.h>

#include "ui/app.h"

namespace mrrope::ui {

const std::vector<WorkspaceTab>& workspace_tabs() {
  static const std::vector<WorkspaceTab> tabs = {
      {"Q&A", [](App& a) -> Panel& { return a.qa_tab(); }, '1'},
      {"Side by side", [](App& a) -> Panel& { return a.compare_tab(); }, '2'},
      {"Schedule", [](App& a) -> Panel& { return a.schedule_tab(); }, '3'},
      {"Attention", [](App& a) -> Panel& { return a.attention_tab(); }, '4'},
      {"Evaluation", [](App& a) -> Panel& { return a.eval_tab(); }, '5'},
  };
  return tabs;
}

const WorkspaceTab* find_workspace_tab(const std::string& name) {
  for (const WorkspaceTab& t : workspace_tabs())
    if (name == t.name) return &t;
  return nullptr;
}

const WorkspaceTab* workspace_tab_of(App& app, const Panel& panel) {
  for (const WorkspaceTab& t : workspace_tabs())
    if (&t.panel(app) == &panel) return &t;
  return nullptr;
}

std::string workspace_tab_names() {
  std::string out;
  for (const WorkspaceTab& t : workspace_tabs()) out += (out.empty() ? "" : ", ") + std::string(t.name);
  return out;
}

const WorkspaceTab* pressed_tab_shortcut() {
  if (!ImGui::GetIO().KeyCtrl) return nullptr;
  // ImGui 1.86's GLFW backend indexes keys by GLFW key codes, which are ASCII for digits and letters.
  for (const WorkspaceTab& t : workspace_tabs())
    if (t.ctrl_key && ImGui::IsKeyPressed(t.ctrl_key, false)) return &t;
  return nullptr;
}

}  // namespace mrrope::ui
