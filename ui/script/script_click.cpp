// The script's `click LABEL` (ui/widgets/click_targets.h): ImGui's mouse moved onto
// the widget drawn last frame (a button, tab, checkbox, combo box, menu
// button, list entry...), pressed on the next frame and released on the one
// after (buttons fire on release over them, tabs on the press), then the
// widget must have reported the press. An entry of a closed combo box or menu
// takes two such clicks on the same line: the box, then the entry in its
// popup. A widget not yet on screen, or disabled, is waited for a little (the
// UI settles after a job), then the line fails, naming what is there.
#include <cfloat>
#include <cstdio>
#include <string>

#include <imgui.h>

#include "ui/widgets/click_targets.h"
#include "ui/script/script.h"

namespace mrrope::ui {
namespace {

constexpr double kFindSeconds = 10;  // for the widget to show and be enabled

std::string unquoted(const std::string& s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

std::string describe(const ClickTarget& t) { return std::string("the ") + click_kind_name(t.kind) + " '" + t.text + "'"; }

}  // namespace

Script::Done Script::click(App&, const Line& line) {
  const std::string name = unquoted(line.arg);
  if (name.empty()) return fail(line, "click needs a widget's label");
  if (click_.step == 0) {
    std::string why;
    const std::optional<ClickMatch> m = find_click_target(click_targets(), name, &why, click_within_);
    // An entry of a closed combo box or menu: its box first.
    const ClickTarget* t = !m ? nullptr : m->opener ? &*m->opener : &m->target;
    if (t && !t->enabled) why = describe(*t) + " is disabled";
    const bool ready = t && t->enabled;
    if (!waiting_) waiting_ = true, wait_start_ = std::chrono::steady_clock::now();
    if (!ready) {
      if (std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start_).count() > kFindSeconds) {
        click_within_.clear();
        return fail(line, why);
      }
      return Done::Wait;
    }
    waiting_ = false;
    click_ = {t->id,  t->label, describe(*t), (t->x0 + t->x1) / 2, (t->y0 + t->y1) / 2, 1, click_presses(t->id),
              m->opener ? m->opener->label : ""};
    return Done::Wait;
  }
  if (click_.step < 4) {  // hover, press, release: one frame each (apply_input)
    ++click_.step;
    return Done::Wait;
  }
  const Click done = click_;
  click_ = {};
  if (click_presses(done.id) <= done.presses_before) {
    click_within_.clear();
    return fail(line, done.what + " did not report the press (covered by a popup or window?)");
  }
  std::fprintf(stderr, "mrrope-app: clicked '%s'%s\n", done.label.c_str(),
               click_within_.empty() ? "" : (" in '" + click_label_text(click_within_) + "'").c_str());
  settle_frames_ = 2;  // what the widget started shows before the next line looks
  click_within_ = done.opens;
  return click_within_.empty() ? Done::Next : Done::Wait;  // opened a popup: its entry on this line next
}

void Script::apply_input() const {
  if (click_.step == 0) return;
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2(click_.x, click_.y);
  io.MouseDown[0] = click_.step == 2;  // step 1 hovers, 2 presses, 3 releases (the press fires), 4 checks
}

}  // namespace mrrope::ui
