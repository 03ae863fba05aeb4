// Keyboard shortcuts.
//   Ctrl+Enter  ask (also inside the question box)   Esc  stop the running job
//   Ctrl+O      open a document                      Ctrl+1, 2...  a workspace tab (panels/workspace_tabs.cpp)
#include <imgui.h>

#include "ui/app.h"
#include "ui/panels/workspace_tabs.h"

namespace mrrope::ui {
namespace {

constexpr int kKeyO = 79;  // GLFW_KEY_O: ImGui 1.86's GLFW backend indexes KeysDown by GLFW key codes

}  // namespace

void App::handle_shortcuts() {
  const ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false) && session_.busy()) session_.cancel();
  if (io.KeyCtrl && ImGui::IsKeyPressed(kKeyO, false)) document_panel_.browse();
  // In the question box Ctrl+Enter is the box's own "enter" (panels/qa_tab.cpp).
  if (io.KeyCtrl && !io.WantTextInput && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) &&
      !session_.busy())
    qa_tab_.ask();
  if (const WorkspaceTab* tab = pressed_tab_shortcut()) select_tab_ = tab->name;
}

}  // namespace mrrope::ui
