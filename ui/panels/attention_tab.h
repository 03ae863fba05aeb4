#pragma once
// The Attention tab's state (attention_tab.cpp draws it): which layer, head and
// pair band the probe watches, and how the map is shown.

namespace mrrope::ui {

struct AttentionViewState {
  int layer = 0;
  int head = -1;         // -1: mean of heads
  int band = 0;          // 0 all, 1 low (high-frequency) pairs, 2 middle, 3 high (low-frequency) pairs
  bool log_scale = true;
  bool mask_sink = true;
  bool per_paragraph = false;
  int selected_unit = -1;  // sentence/paragraph the user clicked
  int jump_to_unit = -1;
};

}  // namespace mrrope::ui
