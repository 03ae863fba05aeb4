// Q&A tab: the conversation about the documents. The thread of turns (each
// with what it took from the KV cache), the question box (Ctrl+Enter asks, Esc
// stops), regenerate / edit the last question, the choice when the next turn
// would not fit, and the conversation's files (save, open, export).
#include <imgui.h>
#include <imgui_stdlib.h>

#include "rope/rope_methods.h"
#include "ui/app.h"
#include "ui/panels/qa_tab.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {

void App::draw_conversation_bar() {
  const bool busy = session_.busy();
  ImGui::BeginDisabled(busy);
  if (button("New conversation")) new_conversation();
  ImGui::SameLine();
  if (button("Save")) save_conversation(qa_.path);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s", qa_.path.empty() ? "into ~/mrrope-conversations/" : qa_.path.c_str());
  ImGui::SameLine();
  if (button("Open...")) qa_.browser.open(qa_.path.empty() ? "" : qa_.path);
  ImGui::SameLine();
  if (button("Export")) export_conversation(qa_.export_dir);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("conversation.md and conversation.json (with every setting)");
  ImGui::EndDisabled();
  if (auto picked = qa_.browser.draw()) open_conversation(*picked);
  if (!qa_.message.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", qa_.message.c_str());
  }
}

void App::draw_thread() {
  ImGui::BeginChild("thread", ImVec2(0, -ImGui::GetFrameHeightWithSpacing() * 5.5f), true);
  if (qa_.conversation.turns.empty())
    ImGui::TextDisabled("Ask a question about the documents; follow-up questions continue the thread, and the "
                        "documents stay in the KV cache (prefilled once per method and S).");
  const bool busy = session_.busy();
  for (size_t i = 0; i < qa_.conversation.turns.size(); ++i) {
    const ConversationTurn& t = qa_.conversation.turns[i];
    ImGui::PushID(static_cast<int>(i));
    if (!t.in_context) ImGui::PushStyleVar(ImGuiStyleVar_Alpha, 0.45f);
    ImGui::TextColored(ImColor(0xFFE0C080), "You:");
    ImGui::SameLine();
    ImGui::TextWrapped("%s", t.question.c_str());
    ImGui::TextColored(ImColor(colors::kOk), "Model:");
    ImGui::SameLine();
    if (!t.error.empty()) ImGui::TextColored(ImColor(colors::kError), "%s", t.error.c_str());
    else ImGui::TextWrapped("%s", t.answer.empty() ? (t.done ? "(no answer)" : "...") : t.answer.c_str());
    if (t.prompt_tokens > 0)
      ImGui::TextDisabled("%s | prompt %d tokens: %d from the cache%s, %d prefilled | %d generated in %.1f s%s%s%s",
                          t.method.c_str(), t.prompt_tokens, t.cached_tokens,
                          t.restored_tokens > 0 ? " (the thread's saved copy)" : "", t.prefilled_tokens, t.new_tokens,
                          t.seconds, t.stop_reason.empty() ? "" : " | stop: ", t.stop_reason.c_str(),
                          t.in_context ? "" : " | dropped from the context");
    if (t.done && !t.answer.empty()) {
      ImGui::SameLine();
      if (small_button("Copy")) ImGui::SetClipboardText(t.answer.c_str());
    }
    if (!t.in_context) ImGui::PopStyleVar();
    ImGui::Separator();
    ImGui::PopID();
  }
  if (busy && ImGui::GetScrollY() >= ImGui::GetScrollMaxY()) ImGui::SetScrollHereY(1.0f);
  ImGui::EndChild();
}

void App::draw_fit_choice() {
  if (!qa_.fit) return;
  const FitProblem& f = *qa_.fit;
  ImGui::PushTextWrapPos(0);
  ImGui::TextColored(ImColor(colors::kWarning),
                     "The next turn needs about %d tokens but the conversation's context holds %d. Nothing is cut "
                     "on its own: choose.",
                     f.needed, f.window);
  ImGui::PopTextWrapPos();
  const double larger = scale_to_fit(f.needed, native_context());
  char label[96];
  std::snprintf(label, sizeof label, "Use S = %.1f (prefills the documents again)", larger);
  if (!rope_method_takes_user_scale(method_.method))
    std::snprintf(label, sizeof label, "Larger context (%d tokens, prefills again)", f.needed);
  if (button(label)) resolve_fit(true);
  ImGui::SameLine();
  ImGui::BeginDisabled(f.drop < 0);
  char drop[64];
  std::snprintf(drop, sizeof drop, "Drop the oldest %d turn%s", std::max(f.drop, 0), f.drop == 1 ? "" : "s");
  if (button(f.drop < 0 ? "Dropping turns is not enough" : drop)) resolve_fit(false);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (button("Cancel##fit")) qa_.fit.reset();
}

void App::draw_qa_tab() {
  draw_conversation_bar();
  draw_thread();
  draw_fit_choice();

  const bool busy = session_.busy();
  const bool ready = model_ && document_ && document_->tokens > 0 && !qa_.question.empty();
  if (qa_.focus_question) ImGui::SetKeyboardFocusHere(), qa_.focus_question = false;
  // Enter makes a new line; Ctrl+Enter asks (ImGui's multiline "enter").
  const bool ctrl_enter = ImGui::InputTextMultiline("##question", &qa_.question,
                                                    ImVec2(-1, ImGui::GetTextLineHeight() * 2.6f),
                                                    ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::BeginDisabled(busy || !ready);
  if (button("Ask (Ctrl+Enter)") || (ctrl_enter && ready && !busy)) ask();
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!busy);
  if (button("Stop (Esc)")) stop();
  ImGui::EndDisabled();
  ImGui::SameLine();
  const bool has_last = !qa_.conversation.turns.empty() && qa_.pending_turn < 0;
  ImGui::BeginDisabled(busy || !has_last);
  if (button("Regenerate")) regenerate();
  ImGui::SameLine();
  if (button("Edit last question")) edit_last();
  ImGui::EndDisabled();
  if (!ready && !busy) {
    ImGui::SameLine();
    ImGui::TextDisabled(!model_ ? "open a model" : !document_ || document_->tokens == 0 ? "add a document"
                                                                                        : "type a question");
  }
  ImGui::SetNextItemWidth(140);
  ImGui::InputInt("max new tokens", &qa_.max_new_tokens);
  qa_.max_new_tokens = std::clamp(qa_.max_new_tokens, 1, 4096);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140);
  ImGui::SliderFloat("temperature", &qa_.temperature, 0.0f, 1.5f, "%.2f");
  ImGui::SameLine();
  checkbox("watch attention", &qa_.probe_during_ask);
  if (model_) {
    const ConversationSettings& s = qa_.conversation.settings;
    if (s.window > 0)
      ImGui::TextDisabled("Template: %s | thread: %s, S = %.2f, window %d tokens", model_->chat_template.c_str(),
                          s.method.c_str(), s.resolved_scale, s.window);
    else
      ImGui::TextDisabled("Template: %s; method: %s", model_->chat_template.c_str(),
                          std::string(rope_method_name(method_.method)).c_str());
  }
}

}  // namespace mrrope::ui
