// Document panel: the conversation's documents (txt, md, pdf, html; opened,
// dropped on the window, or pasted). A long paste becomes an attachment card
// (never a huge text box); extraction and tokenizing run on the worker.
#include <algorithm>
#include <filesystem>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "rope/rope_methods.h"
#include "ui/app.h"
#include "ui/panels/document_panel.h"
#include "ui/util/format.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {
namespace {

// Pastes longer than this become attachments instead of editable text.
constexpr size_t kAttachmentChars = 2000;

// Tokens used against the native and the extended context, on one bar.
void context_gauge(int used, int native_ctx, int extended_ctx) {
  const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetFrameHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float full = float(std::max({used, native_ctx, extended_ctx, 1}));
  auto x = [&](int t) { return p.x + w * float(t) / full; };
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), IM_COL32(50, 50, 60, 255));
  dl->AddRectFilled(p, ImVec2(x(extended_ctx), p.y + h), IM_COL32(60, 90, 130, 255));
  dl->AddRectFilled(p, ImVec2(x(native_ctx), p.y + h), IM_COL32(70, 130, 80, 255));
  const bool over = used > extended_ctx;
  dl->AddRectFilled(ImVec2(p.x, p.y + h * 0.3f), ImVec2(x(used), p.y + h * 0.7f),
                    over ? IM_COL32(230, 80, 80, 255) : IM_COL32(240, 220, 120, 255));
  dl->AddLine(ImVec2(x(native_ctx), p.y), ImVec2(x(native_ctx), p.y + h), IM_COL32(255, 255, 255, 200), 2);
  ImGui::Dummy(ImVec2(w, h));
  ImGui::TextDisabled("used %d  |  native %d (green)  |  extended %d (blue)", used, native_ctx, extended_ctx);
}

}  // namespace

void App::draw_document_panel() {
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Browse  Add  Recent ").x - ImGui::GetStyle().ItemSpacing.x * 3);
  const bool enter = ImGui::InputTextWithHint("##doc_path", "a .txt, .md, .pdf or .html file (or drop one here)",
                                              &document_panel_.path, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (button("Browse##doc")) {
    std::string start = document_panel_.path;
    if (start.empty() && !model_panel_.path.empty())
      start = (std::filesystem::path(model_panel_.path).parent_path() / "samples").string();
    document_panel_.browser.open(start);
  }
  ImGui::SameLine();
  if (button("Add##doc") || enter) open_document(document_panel_.path);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("adds the file to the conversation's documents (Ctrl+O browses)");
  ImGui::SameLine();
  if (std::string picked; draw_recent_menu("Recent##docs", "recent_documents", &picked)) open_document(picked);
  if (auto picked = document_panel_.browser.draw()) open_document(*picked);

  if (button("Paste from clipboard")) {
    const char* clip = ImGui::GetClipboardText();
    std::string text = clip ? clip : "";
    if (text.empty()) document_panel_.message = "The clipboard holds no text.";
    else if (text.size() > kAttachmentChars) session_.add_document_text("pasted text", std::move(text));
    else document_panel_.paste = std::move(text);
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(document_panel_.paste.empty());
  if (button("Add typed text")) {
    session_.add_document_text("typed text", document_panel_.paste);
    document_panel_.paste.clear();
  }
  ImGui::EndDisabled();
  ImGui::InputTextMultiline("##paste", &document_panel_.paste, ImVec2(-1, ImGui::GetTextLineHeight() * 3));
  if (document_panel_.paste.size() > kAttachmentChars) {
    session_.add_document_text("typed text", std::move(document_panel_.paste));
    document_panel_.paste.clear();
  }
  if (!document_panel_.message.empty()) ImGui::TextColored(ImColor(colors::kWarning), "%s", document_panel_.message.c_str());
  if (const std::string m = session_.document_message(); !m.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(ImColor(colors::kWarning), "%s", m.c_str());
    ImGui::PopTextWrapPos();
    ImGui::SameLine();
    if (small_button("OK##docmsg")) session_.clear_document_message();
  }

  if (!document_) {
    ImGui::TextDisabled("No document yet: open a file or paste text.");
    return;
  }
  const DocumentSummary& d = *document_;
  ImGui::Separator();
  for (size_t i = 0; i < d.parts.size(); ++i) {
    const DocumentPart& p = d.parts[i];
    ImGui::PushID(static_cast<int>(i));
    if (small_button("x")) session_.remove_document(i);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("remove it from the conversation");
    ImGui::PopID();
    ImGui::SameLine();
    ImGui::Text("%s", p.name.c_str());
    ImGui::SameLine();
    if (p.pages > 0) ImGui::TextDisabled("%s, %s, %d pages", p.format.c_str(), format_bytes(p.bytes).c_str(), p.pages);
    else ImGui::TextDisabled("%s, %s", p.format.c_str(), format_bytes(p.bytes).c_str());
  }
  ImGui::TextDisabled("%zu document%s: %s, %d tokens (tokenized in %.2f s)", d.parts.size(),
                      d.parts.size() == 1 ? "" : "s", format_bytes(d.bytes).c_str(), d.tokens, d.tokenize_seconds);
  if (d.tokens == 0) {
    ImGui::TextColored(ImColor(colors::kError), "The document is empty: there is nothing to ask about.");
    return;
  }
  if (tree_node("Preview")) {
    ImGui::TextWrapped("%s", d.preview.c_str());
    ImGui::TreePop();
  }
  if (!model_) return;
  const ModelSummary& m = *model_;
  const int used = estimated_prompt_tokens() + qa_.max_new_tokens;
  const int L = m.rope.n_ctx_orig > 0 ? m.rope.n_ctx_orig : m.n_ctx_train;
  const double auto_s = std::max(1.0, double(used) / L);
  const double s = method_.auto_scale ? auto_s : double(method_.scale);
  // None keeps the trained window, native the file's own extended one, the others L x S.
  const RopeMethodInfo& info = rope_method_info(method_.method);
  int extended = info.scale_source == ScaleSource::One ? L : info.from_file ? m.n_ctx_train : int(L * s);
  const ConversationSettings& cs = qa_.conversation.settings;
  if (cs.window > 0 && cs.method == rope_method_name(method_.method) &&
      cs.scale == (method_.auto_scale ? 0.0 : double(method_.scale)))
    extended = cs.window;  // the thread's window, planned at its first turn
  context_gauge(used, m.n_ctx_train, extended);
  ImGui::Text("Auto would choose S = %.2f", auto_s);
  if (used > extended)
    ImGui::TextColored(ImColor(colors::kWarning),
                       "The input (%d tokens) is longer than the extended context (%d): positions past it are out of "
                       "distribution. Nothing is truncated.", used, extended);
  const int ctx = AppSession::context_for(estimated_prompt_tokens(), qa_.max_new_tokens);
  const uint64_t need = m.memory_for(ctx), have = session_.memory_budget_bytes();
  if (have > 0 && need > have)
    ImGui::TextColored(ImColor(colors::kError), "Will not fit: needs %s for %d tokens, the %s has %s.",
                       format_bytes(need).c_str(), ctx, session_.device().type == "CPU" ? "system" : "device",
                       format_bytes(have).c_str());
}

}  // namespace mrrope::ui
