// Model panel: which GGUF is open, what it declares, and what it needs.
#include <filesystem>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "ui/app.h"
#include "ui/panels/model_panel.h"
#include "ui/util/format.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {

void App::draw_model_panel() {
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Browse  Open  Recent ").x - ImGui::GetStyle().ItemSpacing.x * 3);
  const bool enter = ImGui::InputText("##model_path", &model_panel_.path, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (button("Browse")) model_panel_.browser.open(std::filesystem::path(model_panel_.path).parent_path().string());
  ImGui::SameLine();
  if (button("Open") || enter) open_model(model_panel_.path);
  ImGui::SameLine();
  if (std::string picked; draw_recent_menu("Recent##models", "recent_models", &picked)) open_model(picked);
  if (auto picked = model_panel_.browser.draw()) open_model(*picked);

  if (!model_) {
    ImGui::TextDisabled(session_.busy() ? "Loading..." : "No model open. Choose a .gguf file.");
    return;
  }
  const ModelSummary& m = *model_;
  if (m.path != model_panel_.path && !session_.busy())
    ImGui::TextColored(ImColor(colors::kWarning), "Still using %s (the file above did not open)",
                       std::filesystem::path(m.path).filename().c_str());
  if (ImGui::BeginTable("model_facts", 2, ImGuiTableFlags_SizingStretchProp)) {
    auto row = [](const char* k, const std::string& v) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", k);
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", v.c_str());
    };
    row("Model", m.name.empty() ? std::filesystem::path(m.path).filename().string() : m.name);
    row("Architecture", m.architecture + ", " + std::to_string(m.n_layer) + " layers, " + std::to_string(m.n_head) +
                            " heads (" + std::to_string(m.n_head_kv) + " KV) x " + std::to_string(m.head_dim));
    row("Size", format_count(m.n_params) + " parameters, " + format_bytes(m.file_bytes));
    row("Quantization", m.quantization + (m.file_type.empty() ? "" : " (file type " + m.file_type + ")"));
    row("Native context", std::to_string(m.n_ctx_train) + " tokens");
    row("RoPE", "base " + format_number(m.rope.freq_base) + ", " + std::to_string(m.rope.n_rot / 2) + " pairs" +
                    (m.rope.neox_layout ? ", NeoX layout" : ""));
    row("Native scaling", m.native_scaling + (m.rope.freq_factors.empty() ? "" : ", rope_freqs present") +
                              (m.has_scaling_metadata ? "" : " (no scaling metadata in the file)"));
    row("Chat template", m.chat_template);
    const vk::DeviceInfo& d = session_.device();
    row("Device", d.name + " (" + d.type + ")");
    const int ctx = AppSession::context_for(estimated_prompt_tokens(), qa_.max_new_tokens);
    row("Memory", format_bytes(m.memory_for(ctx)) + " for " + std::to_string(ctx) + " tokens (weights " +
                      format_bytes(m.weights_bytes) + ", KV " + format_bytes(m.kv_bytes_per_token_now()) + "/token); " +
                      format_bytes(session_.memory_budget_bytes()) +
                      (d.type == "CPU" ? " of system RAM (CPU device)" : " on the device"));
    ImGui::EndTable();
  }
  draw_kv_cache_choice(m);
}

// F16 or Q8_0 keys and values: Q8_0 stores 34 bytes per 32 values instead of
// 64, for documents that would not fit otherwise, at some attention speed.
void App::draw_kv_cache_choice(const ModelSummary& m) {
  int choice = m.kv_type == KvCacheType::Q8_0 ? 1 : 0;
  const std::string f16 = "F16 (" + format_bytes(m.kv_bytes_per_token) + "/token)";
  const std::string q8 = m.kv_q8_bytes_per_token
                             ? "Q8_0 (" + format_bytes(m.kv_q8_bytes_per_token) + "/token)"
                             : "Q8_0 (not for head size " + std::to_string(m.head_dim) + ")";
  ImGui::SetNextItemWidth(ImGui::CalcTextSize(q8.c_str()).x + ImGui::GetFrameHeight() * 2);
  ImGui::BeginDisabled(session_.busy());
  if (combo("KV cache", &choice, {f16, q8})) set_kv_cache(choice == 1 ? KvCacheType::Q8_0 : KvCacheType::F16);
  ImGui::EndDisabled();
}

void App::set_kv_cache(KvCacheType type) { session_.set_kv_type(type); }

}  // namespace mrrope::ui
