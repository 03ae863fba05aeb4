// The workspace tabs' one table (ui/panels/workspace_tabs.h): names and
// shortcuts unique, looked up by name, and a Ctrl+digit press read from
// ImGui's keys (a bare ImGui context, no window).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include <imgui.h>

#include "ui/panels/workspace_tabs.h"

namespace mrrope::ui {
namespace {

TEST(WorkspaceTabs, NamesAndShortcutsAreUnique) {
  std::set<std::string> names;
  std::set<char> keys;
  for (const WorkspaceTab& t : workspace_tabs()) {
    EXPECT_TRUE(names.insert(t.name).second) << t.name;
    EXPECT_NE(t.panel, nullptr) << t.name;
    if (t.ctrl_key) EXPECT_TRUE(keys.insert(t.ctrl_key).second) << t.name;
  }
  EXPECT_EQ(workspace_tab_names(), "Q&A, Side by side, Schedule, Attention, Evaluation");
}

TEST(WorkspaceTabs, FoundByName) {
  const WorkspaceTab* t = find_workspace_tab("Side by side");
  ASSERT_NE(t, nullptr);
  EXPECT_STREQ(t->name, "Side by side");
  EXPECT_EQ(find_workspace_tab("side by side"), nullptr);  // exact, as the tab bar shows it
  EXPECT_EQ(find_workspace_tab("Nothing"), nullptr);
}

// One frame with these keys down; returns the tab whose shortcut was pressed.
std::string pressed(bool ctrl, int key) {
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(640, 480);
  io.DeltaTime = 1.0f / 60;
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // NewFrame needs a built atlas
  io.KeyCtrl = ctrl;
  io.KeysDown[key] = true;
  ImGui::NewFrame();
  const WorkspaceTab* t = pressed_tab_shortcut();
  ImGui::EndFrame();
  ImGui::DestroyContext();
  return t ? t->name : "";
}

TEST(WorkspaceTabs, CtrlDigitPicksATab) {
  EXPECT_EQ(pressed(true, '1'), "Q&A");
  EXPECT_EQ(pressed(true, '5'), "Evaluation");
  EXPECT_EQ(pressed(false, '2'), "");  // no Ctrl: typing a digit
  EXPECT_EQ(pressed(true, '9'), "");   // no tab there
}

}  // namespace
}  // namespace mrrope::ui
