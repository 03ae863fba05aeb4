#pragma once
// The Schedule tab (schedule_tab.cpp): the per-pair divisors of every method
// side by side at a length T.
#include "ui/panels/panel.h"

namespace mrrope::ui {

class ScheduleTab : public Panel {
 public:
  using Panel::Panel;
  void draw() override;
  void set_length(int t) { length_ = t; }

 private:
  int length_ = 0;  // T; 0 = the document's length
};

}  // namespace mrrope::ui
