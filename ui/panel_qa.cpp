// Q&A tab: a question about the document, the answer streamed as it comes.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "ui/app.h"

namespace mrrope::ui {

void App::draw_qa_tab() {
  ImGui::SetNextItemWidth(-1);
  const bool enter = ImGui::InputTextWithHint("##question", "Ask about the document", &question_,
                                              ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SetNextItemWidth(140);
  ImGui::InputInt("max new tokens", &max_new_tokens_);
  max_new_tokens_ = std::clamp(max_new_tokens_, 1, 4096);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140);
  ImGui::SliderFloat("temperature", &temperature_, 0.0f, 1.5f, "%.2f");
  ImGui::SameLine();
  ImGui::Checkbox("watch attention", &probe_during_ask_);
  const bool busy = session_.busy();
  const bool ready = model_ && document_ && document_->tokens > 0 && !question_.empty();
  ImGui::BeginDisabled(busy || !ready);
  if (ImGui::Button("Ask") || (enter && ready && !busy)) ask();
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!busy);
  if (ImGui::Button("Stop")) session_.cancel();
  ImGui::EndDisabled();
  if (!ready) {
    ImGui::SameLine();
    ImGui::TextDisabled(!model_ ? "open a model" : !document_ || document_->tokens == 0 ? "add a document"
                                                                                        : "type a question");
  }
  if (model_) ImGui::TextDisabled("Template: %s; method: %s", model_->chat_template.c_str(),
                                  std::string(rope_method_name(method_.method)).c_str());

  const Answer a = session_.answer();
  ImGui::Separator();
  if (!a.error.empty()) ImGui::TextColored(ImColor(colors::kError), "%s", a.error.c_str());
  if (!a.rope_description.empty()) ImGui::TextDisabled("%s", a.rope_description.c_str());
  if (a.prompt_tokens > 0) {
    ImGui::Text("%d prompt tokens, %d generated in %.1f s | prefill %.1f tok/s, decode %.1f tok/s%s%s", a.prompt_tokens,
                a.new_tokens, a.seconds, a.prefill_tps, a.decode_tps, a.stop_reason.empty() ? "" : " | stop: ",
                a.stop_reason.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Copy")) ImGui::SetClipboardText(a.text.c_str());
  }
  ImGui::BeginChild("answer", ImVec2(0, 0), true);
  ImGui::TextWrapped("%s", a.text.empty() ? (busy ? "..." : "") : a.text.c_str());
  if (busy && ImGui::GetScrollY() >= ImGui::GetScrollMaxY()) ImGui::SetScrollHereY(1.0f);
  ImGui::EndChild();
}

}  // namespace mrrope::ui
