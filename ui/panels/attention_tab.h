#pragma once
// The Attention tab (attention_tab.cpp): which layer, head and pair band the
// probe watches, how the map is shown, and the text the last token attended.
#include "model/attention_probe.h"
#include "rope/rope_schedule.h"
#include "ui/export/attention_map_image.h"
#include "ui/panels/panel.h"

namespace mrrope::ui {

class AttentionTab : public Panel {
 public:
  using Panel::Panel;
  void draw() override;

  // The probe for an answer under `rope` over `tokens` positions: the bands
  // come from that method's correction boundaries.
  AttentionProbeConfig probe_config(const RopeParams& rope, int tokens) const;
  AttentionMapStyle map_style() const { return {log_scale_, mask_sink_}; }  // Save PNG writes with it

 private:
  int layer_ = 0;
  int head_ = -1;         // -1: mean of heads
  int band_ = 0;          // 0 all, 1 low (high-frequency) pairs, 2 middle, 3 high (low-frequency) pairs
  bool log_scale_ = true;
  bool mask_sink_ = true;
  bool per_paragraph_ = false;
  int selected_unit_ = -1;  // sentence/paragraph the user clicked
  int jump_to_unit_ = -1;
};

}  // namespace mrrope::ui
