#pragma once
// The Method panel (method_panel.cpp): the RoPE method and its parameters,
// turned into RopeParams on demand, the values applied and what the file declares.
#include <string>
#include <vector>

#include <imgui.h>

#include "rope/rope_methods.h"
#include "rope/rope_schedule.h"
#include "ui/panels/panel.h"

namespace mrrope::ui {

class Settings;

struct MethodChoice {
  RopeMethod method = RopeMethod::MrRopePro;
  bool auto_scale = true;
  float scale = 4.0f;
  bool set_alpha = false, set_beta = false, set_attn = false;
  float alpha = 32.0f, beta = 1.0f, attn = 1.0f;
  std::string custom_lambda;  // comma/newline separated

  double user_scale() const { return auto_scale ? 0.0 : double(scale); }  // 0: auto
  void set_user_scale(double s) {  // 0 = auto
    auto_scale = s <= 0;
    if (s > 0) scale = static_cast<float>(s);
  }
};

class MethodPanel : public Panel {
 public:
  using Panel::Panel;
  void draw() override;

  MethodChoice& choice() { return choice_; }
  const MethodChoice& choice() const { return choice_; }
  // `method` with this panel's S and parameters (custom lambdas: typed, else a ramp to S).
  RopeParams rope_params(RopeMethod method) const;
  void load(const Settings& s);  // the last method and S
  void save(Settings& s) const;

 private:
  std::string custom_ramp() const;

  MethodChoice choice_;
};

// Bars of log2(s_i) per pair; pairs out of distribution at the target length
// in red (the Method panel and the Schedule tab).
void divisor_plot(const char* id, const RopeTable& table, const std::vector<PairInspection>& pairs, float max_log2,
                  ImVec2 size);

}  // namespace mrrope::ui
