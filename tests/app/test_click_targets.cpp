// What the script's `click NAME` picks among a frame's widgets
// (ui/widgets/click_targets.h): exact labels before prefixes, widgets on
// screen before the entries of closed combo boxes and menus (then opened
// first), "BOX > ENTRY", and messages naming the label when nothing or
// several match. No ImGui frame: the targets are made here.
#include <gtest/gtest.h>

#include "ui/widgets/click_targets.h"

namespace mrrope::ui {
namespace {

ClickTarget widget(ClickKind kind, const std::string& label, const std::string& parent = "", bool visible = true) {
  ClickTarget t;
  t.kind = kind;
  t.label = label;
  t.text = click_label_text(label);
  t.parent = parent;
  t.visible = visible;
  return t;
}

// A frame of the app, roughly: tabs, buttons, a checkbox, two closed combo
// boxes (one with an entry named like a checkbox), a menu button and its items.
std::vector<ClickTarget> frame() {
  return {widget(ClickKind::Tab, "Q&A"),
          widget(ClickKind::Tab, "Side by side"),
          widget(ClickKind::Button, "Ask (Ctrl+Enter)"),
          widget(ClickKind::Button, "Stop (Esc)"),
          widget(ClickKind::Button, "Stop##compare"),
          widget(ClickKind::Button, "Copy"),
          widget(ClickKind::Button, "Copy"),
          widget(ClickKind::Checkbox, "yarn"),
          widget(ClickKind::Checkbox, "##alpha (beta_fast)"),
          widget(ClickKind::Combo, "Method"),
          widget(ClickKind::ComboEntry, "none", "Method", false),
          widget(ClickKind::ComboEntry, "yarn", "Method", false),
          widget(ClickKind::ComboEntry, "mrrope-pro", "Method", false),
          widget(ClickKind::Combo, "KV cache"),
          widget(ClickKind::ComboEntry, "F16 (4 KiB/token)", "KV cache", false),
          widget(ClickKind::ComboEntry, "Q8_0 (2 KiB/token)", "KV cache", false),
          widget(ClickKind::Button, "Recent##docs"),
          widget(ClickKind::MenuItem, "a.txt", "Recent##docs", false),
          // A combo box that is not on screen (another tab): its entries cannot be reached.
          widget(ClickKind::Combo, "band", "", false),
          widget(ClickKind::ComboEntry, "middle pairs", "band", false)};
}

TEST(ClickTargets, LabelTextIsWhatShowsOrTheIdOfAHiddenLabel) {
  EXPECT_EQ(click_label_text("Stop##compare"), "Stop");
  EXPECT_EQ(click_label_text("##eval_task"), "eval_task");
  EXPECT_EQ(click_label_text("Ask (Ctrl+Enter)"), "Ask (Ctrl+Enter)");
}

TEST(ClickTargets, WidgetsOnScreenByTextLabelOrPrefix) {
  std::string why;
  auto m = find_click_target(frame(), "Side by side", &why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->target.kind, ClickKind::Tab);
  EXPECT_FALSE(m->opener);
  m = find_click_target(frame(), "Ask", &why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->target.label, "Ask (Ctrl+Enter)");
  m = find_click_target(frame(), "alpha (beta_fast)", &why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->target.kind, ClickKind::Checkbox);
  // The checkbox on screen comes before the closed combo box's entry of the same name.
  m = find_click_target(frame(), "yarn", &why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->target.kind, ClickKind::Checkbox);
}

TEST(ClickTargets, AnEntryOfAClosedComboBoxOrMenuOpensItFirst) {
  std::string why;
  auto m = find_click_target(frame(), "mrrope-pro", &why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->target.kind, ClickKind::ComboEntry);
  ASSERT_TRUE(m->opener);
  EXPECT_EQ(m->opener->label, "Method");
  m = find_click_target(frame(), "Method > yarn", &why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->target.kind, ClickKind::ComboEntry);
  EXPECT_EQ(m->opener->label, "Method");
  m = find_click_target(frame(), "Q8_0", &why);  // a prefix
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->target.label, "Q8_0 (2 KiB/token)");
  EXPECT_EQ(m->opener->label, "KV cache");
  m = find_click_target(frame(), "Recent > a.txt", &why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->target.kind, ClickKind::MenuItem);
  EXPECT_EQ(m->opener->label, "Recent##docs");
  // Not on screen: its combo box is not either.
  EXPECT_FALSE(find_click_target(frame(), "middle pairs", &why));
}

TEST(ClickTargets, OnceOpenOnlyItsEntriesCount) {
  std::vector<ClickTarget> open = frame();
  for (ClickTarget& t : open)
    if (t.parent == "Method") t.visible = true;
  std::string why;
  auto m = find_click_target(open, "yarn", &why, "Method");
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->target.kind, ClickKind::ComboEntry);
  EXPECT_FALSE(m->opener);
  EXPECT_FALSE(find_click_target(open, "Ask", &why, "Method"));
  EXPECT_NE(why.find("nothing labelled 'Ask' on screen in 'Method'"), std::string::npos) << why;
}

TEST(ClickTargets, NothingOrSeveralFailWithTheLabelNamed) {
  std::string why;
  EXPECT_FALSE(find_click_target(frame(), "No such widget", &why));
  EXPECT_EQ(why.rfind("nothing labelled 'No such widget' on screen (on screen: 'Q&A', 'Side by side'", 0), 0u) << why;
  EXPECT_NE(why.find("in combo boxes and menus: 'Method > none'"), std::string::npos) << why;
  EXPECT_NE(why.find("'Recent > a.txt'"), std::string::npos) << why;
  EXPECT_EQ(why.find("middle pairs"), std::string::npos) << why;  // unreachable: not offered
  EXPECT_FALSE(find_click_target(frame(), "Copy", &why));
  EXPECT_EQ(why.rfind("2 widgets match 'Copy': 'Copy', 'Copy'", 0), 0u) << why;
  // An exact text before a prefix: "Stop" is Stop##compare, not "Stop (Esc)".
  const auto m = find_click_target(frame(), "Stop", &why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->target.label, "Stop##compare");
}

}  // namespace
}  // namespace mrrope::ui
