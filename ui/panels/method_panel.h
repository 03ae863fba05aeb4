#pragma once
// The Method panel's state (method_panel.cpp draws it): the RoPE method and its
// parameters, turned into RopeParams on demand (App::rope_params).
#include <string>
#include <vector>

#include <imgui.h>

#include "rope/rope_methods.h"
#include "rope/rope_schedule.h"

namespace mrrope::ui {

struct MethodChoice {
  RopeMethod method = RopeMethod::MrRopePro;
  bool auto_scale = true;
  float scale = 4.0f;
  bool set_alpha = false, set_beta = false, set_attn = false;
  float alpha = 32.0f, beta = 1.0f, attn = 1.0f;
  std::string custom_lambda;  // comma/newline separated
};

// Bars of log2(s_i) per pair; pairs out of distribution at the target length
// in red (the Method panel and the Schedule tab).
void divisor_plot(const char* id, const RopeTable& table, const std::vector<PairInspection>& pairs, float max_log2,
                  ImVec2 size);

}  // namespace mrrope::ui
