// The script's `click LABEL` (ui/widgets/click_targets.h): ImGui's mouse moved onto
// the button drawn last frame, pressed on the next frame and released on the
// one after (ImGui buttons fire on release over them), then the button must
// have reported the press. A button not yet on screen, or disabled, is waited
// for a little (the UI settles after a job), then the line fails, naming the
// buttons that are there.
#include <cfloat>
#include <cstdio>
#include <string>

#include <imgui.h>

#include "ui/widgets/click_targets.h"
#include "ui/script/script.h"

namespace mrrope::ui {
namespace {

constexpr double kFindSeconds = 10;  // for the button to show and be enabled

std::string unquoted(const std::string& s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

Script::Done Script::click(App&, const Line& line) {
  const std::string name = unquoted(line.arg);
  if (name.empty()) return fail(line, "click needs a button's label");
  if (click_.step == 0) {
    std::string why;
    const std::optional<ClickTarget> t = find_click_target(click_targets(), name, &why);
    if (t && !t->enabled) why = "the button '" + t->text + "' is disabled";
    const bool ready = t && t->enabled;
    if (!waiting_) waiting_ = true, wait_start_ = std::chrono::steady_clock::now();
    if (!ready) {
      if (std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start_).count() > kFindSeconds)
        return fail(line, why);
      return Done::Wait;
    }
    waiting_ = false;
    click_ = {t->label, (t->x0 + t->x1) / 2, (t->y0 + t->y1) / 2, 1, click_presses(t->label)};
    return Done::Wait;
  }
  if (click_.step < 4) {  // hover, press, release: one frame each (apply_input)
    ++click_.step;
    return Done::Wait;
  }
  const Click done = click_;
  click_ = {};
  if (click_presses(done.label) <= done.presses_before)
    return fail(line, "the button '" + done.label + "' did not report the press (covered by a popup or window?)");
  std::fprintf(stderr, "mrrope-app: clicked '%s'\n", done.label.c_str());
  settle_frames_ = 2;  // what the button started shows before the next line looks
  return Done::Next;
}

void Script::apply_input() const {
  if (click_.step == 0) return;
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2(click_.x, click_.y);
  io.MouseDown[0] = click_.step == 2;  // step 1 hovers, 2 presses, 3 releases (the press fires), 4 checks
}

}  // namespace mrrope::ui
