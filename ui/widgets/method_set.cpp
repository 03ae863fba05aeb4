#include "ui/widgets/method_set.h"

#include <string>

#include <imgui.h>

#include "ui/widgets/click_targets.h"

namespace mrrope::ui {

void method_tooltip(const RopeMethodInfo& m) {
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%.*s", int(m.label.size()), m.label.data());
}

void MethodSet::set(RopeMethod m, bool on) {
  if (on && !has(m)) on_.push_back(m);
  if (!on) on_.erase(std::remove(on_.begin(), on_.end(), m), on_.end());
}

std::vector<RopeMethod> MethodSet::in_registry_order() const {
  std::vector<RopeMethod> out;
  for (const RopeMethodInfo& m : rope_methods())
    if (has(m.id)) out.push_back(m.id);
  return out;
}

void MethodSet::draw_checkboxes(const char* id_suffix) {
  for (const RopeMethodInfo& m : rope_methods()) {
    ImGui::SameLine();
    bool on = has(m.id);
    if (checkbox((std::string(m.name) + id_suffix).c_str(), &on)) set(m.id, on);
    method_tooltip(m);
  }
}

}  // namespace mrrope::ui
