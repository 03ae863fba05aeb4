#pragma once
// The Schedule tab's state (schedule_tab.cpp draws it): the per-pair divisors
// of every method side by side at a length T.

namespace mrrope::ui {

struct ScheduleTabState {
  int length = 0;  // T; 0 = the document's length
};

}  // namespace mrrope::ui
