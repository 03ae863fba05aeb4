// Q&A tab: the conversation about the documents. The thread of turns (each
// with what it took from the KV cache), the question box (Ctrl+Enter asks, Esc
// stops), regenerate / edit the last question, the choice when the next turn
// would not fit, and the conversation's files (save, open, export).
#include <imgui.h>
#include <imgui_stdlib.h>

#include "rope/rope_methods.h"
#include "ui/app.h"
#include "ui/panels/qa_tab.h"
#include "ui/settings.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {

void QaTab::load(const Settings& s) {
  question_ = s.get("question", question_);
  max_new_tokens_ = s.get_int("max_new_tokens", max_new_tokens_);
}

void QaTab::save(Settings& s) const {
  s.set("question", question_);
  s.set("max_new_tokens", double(max_new_tokens_));
}

void QaTab::draw_conversation_bar() {
  const bool busy = app_.session().busy();
  ImGui::BeginDisabled(busy);
  if (button("New conversation")) new_conversation();
  ImGui::SameLine();
  if (button("Save")) save_conversation(path_);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s", path_.empty() ? "into ~/mrrope-conversations/" : path_.c_str());
  ImGui::SameLine();
  if (button("Open...")) browser_.open(path_.empty() ? "" : path_);
  ImGui::SameLine();
  if (button("Export")) export_conversation(export_dir_);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("conversation.md and conversation.json (with every setting)");
  ImGui::EndDisabled();
  if (auto picked = browser_.draw()) open_conversation(*picked);
  if (!message_.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", message_.c_str());
  }
}

void QaTab::draw_thread() {
  ImGui::BeginChild("thread", ImVec2(0, -ImGui::GetFrameHeightWithSpacing() * 5.5f), true);
  if (conversation_.turns.empty())
    ImGui::TextDisabled("Ask a question about the documents; follow-up questions continue the thread, and the "
                        "documents stay in the KV cache (prefilled once per method and S).");
  const bool busy = app_.session().busy();
  for (size_t i = 0; i < conversation_.turns.size(); ++i) {
    const ConversationTurn& t = conversation_.turns[i];
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

void QaTab::draw_fit_choice() {
  if (!fit_) return;
  const FitProblem& f = *fit_;
  ImGui::PushTextWrapPos(0);
  ImGui::TextColored(ImColor(colors::kWarning),
                     "The next turn needs about %d tokens but the conversation's context holds %d. Nothing is cut "
                     "on its own: choose.",
                     f.needed, f.window);
  ImGui::PopTextWrapPos();
  const double larger = scale_to_fit(f.needed, app_.native_context());
  char label[96];
  std::snprintf(label, sizeof label, "Use S = %.1f (prefills the documents again)", larger);
  if (!rope_method_takes_user_scale(app_.method_panel().choice().method))
    std::snprintf(label, sizeof label, "Larger context (%d tokens, prefills again)", f.needed);
  if (button(label)) resolve_fit(true);
  ImGui::SameLine();
  ImGui::BeginDisabled(f.drop < 0);
  char drop[64];
  std::snprintf(drop, sizeof drop, "Drop the oldest %d turn%s", std::max(f.drop, 0), f.drop == 1 ? "" : "s");
  if (button(f.drop < 0 ? "Dropping turns is not enough" : drop)) resolve_fit(false);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (button("Cancel##fit")) fit_.reset();
}

void QaTab::draw() {
  draw_conversation_bar();
  draw_thread();
  draw_fit_choice();

  const bool busy = app_.session().busy();
  const std::optional<ModelSummary>& model = app_.model();
  const std::optional<DocumentSummary>& document = app_.document();
  const bool ready = model && document && document->tokens > 0 && !question_.empty();
  if (focus_question_) ImGui::SetKeyboardFocusHere(), focus_question_ = false;
  // Enter makes a new line; Ctrl+Enter asks (ImGui's multiline "enter").
  const bool ctrl_enter = ImGui::InputTextMultiline("##question", &question_,
                                                    ImVec2(-1, ImGui::GetTextLineHeight() * 2.6f),
                                                    ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::BeginDisabled(busy || !ready);
  if (button("Ask (Ctrl+Enter)") || (ctrl_enter && ready && !busy)) ask();
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!busy);
  if (button("Stop (Esc)")) app_.session().cancel();
  ImGui::EndDisabled();
  ImGui::SameLine();
  const bool has_last = !conversation_.turns.empty() && pending_turn_ < 0;
  ImGui::BeginDisabled(busy || !has_last);
  if (button("Regenerate")) regenerate();
  ImGui::SameLine();
  if (button("Edit last question")) edit_last();
  ImGui::EndDisabled();
  if (!ready && !busy) {
    ImGui::SameLine();
    ImGui::TextDisabled(!model ? "open a model" : !document || document->tokens == 0 ? "add a document"
                                                                                     : "type a question");
  }
  ImGui::SetNextItemWidth(140);
  ImGui::InputInt("max new tokens", &max_new_tokens_);
  max_new_tokens_ = std::clamp(max_new_tokens_, 1, 4096);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140);
  ImGui::SliderFloat("temperature", &temperature_, 0.0f, 1.5f, "%.2f");
  ImGui::SameLine();
  checkbox("watch attention", &probe_during_ask_);
  if (model) {
    const ConversationSettings& s = conversation_.settings;
    if (s.window > 0)
      ImGui::TextDisabled("Template: %s | thread: %s, S = %.2f, window %d tokens", model->chat_template.c_str(),
                          s.method.c_str(), s.resolved_scale, s.window);
    else
      ImGui::TextDisabled("Template: %s; method: %s", model->chat_template.c_str(),
                          std::string(rope_method_name(app_.method_panel().choice().method)).c_str());
  }
}

}  // namespace mrrope::ui
