#pragma once
// Methods ticked in a list of checkboxes (Side by side, Evaluation); lists show
// them in the registry's order (rope_methods()), whatever the order they were
// ticked in.
#include <algorithm>
#include <initializer_list>
#include <vector>

#include "rope/rope_methods.h"

namespace mrrope::ui {

class MethodSet {
 public:
  MethodSet(std::initializer_list<RopeMethod> on) : on_(on) {}
  bool has(RopeMethod m) const { return std::find(on_.begin(), on_.end(), m) != on_.end(); }
  void set(RopeMethod m, bool on);
  void clear() { on_.clear(); }
  int size() const { return static_cast<int>(on_.size()); }
  std::vector<RopeMethod> in_registry_order() const;
  // One checkbox per registry method, on one line; `id_suffix` keeps ImGui ids apart.
  void draw_checkboxes(const char* id_suffix);

 private:
  std::vector<RopeMethod> on_;
};

// The method's label as the tooltip of the last item drawn.
void method_tooltip(const RopeMethodInfo& m);

}  // namespace mrrope::ui
