// Model panel: which GGUF is open, what it declares, and what it needs.
#include <filesystem>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "ui/app.h"
#include "ui/panels/model_panel.h"
#include "ui/recent_files.h"
#include "ui/util/format.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {

void ModelPanel::open(const std::string& path) {
  path_ = path;
  remember_recent_file(app_.settings(), "recent_models", path);
  app_.session().load_model(path);
}

void ModelPanel::load(const Settings& s) {
  path_ = s.get("model");
  if (auto kv = kv_cache_type_from_name(s.get("kv_cache", "f16"))) app_.session().set_kv_type(*kv);
}

void ModelPanel::save(Settings& s) const {
  s.set("model", path_);
  s.set("kv_cache", std::string(kv_cache_type_name(app_.session().kv_type())));
}

void ModelPanel::draw() {
  AppSession& session = app_.session();
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Browse  Open  Recent ").x - ImGui::GetStyle().ItemSpacing.x * 3);
  const bool enter = ImGui::InputText("##model_path", &path_, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (button("Browse")) browser_.open(std::filesystem::path(path_).parent_path().string());
  ImGui::SameLine();
  if (button("Open") || enter) open(path_);
  ImGui::SameLine();
  if (std::string picked; draw_recent_menu(app_.settings(), "Recent##models", "recent_models", &picked)) open(picked);
  if (auto picked = browser_.draw()) open(*picked);

  const std::optional<ModelSummary>& model = app_.model();
  if (!model) {
    ImGui::TextDisabled(session.busy() ? "Loading..." : "No model open. Choose a .gguf file.");
    return;
  }
  const ModelSummary& m = *model;
  if (m.path != path_ && !session.busy())
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
    const vk::DeviceInfo& d = session.device();
    row("Device", d.name + " (" + d.type + ")");
    const int ctx = AppSession::context_for(app_.qa_tab().estimated_prompt_tokens(), app_.qa_tab().max_new_tokens());
    row("Memory", format_bytes(m.memory_for(ctx)) + " for " + std::to_string(ctx) + " tokens (weights " +
                      format_bytes(m.weights_bytes) + ", KV " + format_bytes(m.kv_bytes_per_token_now()) + "/token); " +
                      format_bytes(session.memory_budget_bytes()) +
                      (d.type == "CPU" ? " of system RAM (CPU device)" : " on the device"));
    ImGui::EndTable();
  }
  draw_kv_cache_choice(m);
}

// F16 or Q8_0 keys and values: Q8_0 stores 34 bytes per 32 values instead of
// 64, for documents that would not fit otherwise, at some attention speed.
void ModelPanel::draw_kv_cache_choice(const ModelSummary& m) {
  AppSession& session = app_.session();
  int choice = m.kv_type == KvCacheType::Q8_0 ? 1 : 0;
  const std::string f16 = "F16 (" + format_bytes(m.kv_bytes_per_token) + "/token)";
  const std::string q8 = m.kv_q8_bytes_per_token
                             ? "Q8_0 (" + format_bytes(m.kv_q8_bytes_per_token) + "/token)"
                             : "Q8_0 (not for head size " + std::to_string(m.head_dim) + ")";
  ImGui::SetNextItemWidth(ImGui::CalcTextSize(q8.c_str()).x + ImGui::GetFrameHeight() * 2);
  ImGui::BeginDisabled(session.busy());
  if (combo("KV cache", &choice, {f16, q8})) session.set_kv_type(choice == 1 ? KvCacheType::Q8_0 : KvCacheType::F16);
  ImGui::EndDisabled();
}

}  // namespace mrrope::ui
