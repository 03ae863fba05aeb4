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
#include "ui/recent_files.h"
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

void DocumentPanel::open(const std::string& path) {
  // A FIFO would block the worker in open(), and a directory reads as empty:
  // refused here, the rest (format, size, text) on the worker.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    message_ = path.empty() ? "type a file's path, or Browse" : path + " is not a regular file";
    return;
  }
  path_ = path;
  message_.clear();
  app_.session().clear_document_message();
  app_.session().add_document_file(path);
  remember_recent_file(app_.settings(), "recent_documents", path);
}

void DocumentPanel::browse() {
  browser_.open(path_.empty() ? std::string() : std::filesystem::path(path_).parent_path().string());
}

void DocumentPanel::load(const Settings& s) { path_ = s.get("document"); }

void DocumentPanel::save(Settings& s) const { s.set("document", path_); }

void DocumentPanel::draw() {
  AppSession& session = app_.session();
  QaTab& qa = app_.qa_tab();
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Browse  Add  Recent ").x - ImGui::GetStyle().ItemSpacing.x * 3);
  const bool enter = ImGui::InputTextWithHint("##doc_path", "a .txt, .md, .pdf or .html file (or drop one here)",
                                              &path_, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (button("Browse##doc")) {
    std::string start = path_;
    if (start.empty() && !app_.model_panel().path().empty())
      start = (std::filesystem::path(app_.model_panel().path()).parent_path() / "samples").string();
    browser_.open(start);
  }
  ImGui::SameLine();
  if (button("Add##doc") || enter) open(path_);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("adds the file to the conversation's documents (Ctrl+O browses)");
  ImGui::SameLine();
  if (std::string picked; draw_recent_menu(app_.settings(), "Recent##docs", "recent_documents", &picked)) open(picked);
  if (auto picked = browser_.draw()) open(*picked);

  if (button("Paste from clipboard")) {
    const char* clip = ImGui::GetClipboardText();
    std::string text = clip ? clip : "";
    if (text.empty()) message_ = "The clipboard holds no text.";
    else if (text.size() > kAttachmentChars) session.add_document_text("pasted text", std::move(text));
    else paste_ = std::move(text);
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(paste_.empty());
  if (button("Add typed text")) {
    session.add_document_text("typed text", paste_);
    paste_.clear();
  }
  ImGui::EndDisabled();
  ImGui::InputTextMultiline("##paste", &paste_, ImVec2(-1, ImGui::GetTextLineHeight() * 3));
  if (paste_.size() > kAttachmentChars) {
    session.add_document_text("typed text", std::move(paste_));
    paste_.clear();
  }
  if (!message_.empty()) ImGui::TextColored(ImColor(colors::kWarning), "%s", message_.c_str());
  if (const std::string m = session.document_message(); !m.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(ImColor(colors::kWarning), "%s", m.c_str());
    ImGui::PopTextWrapPos();
    ImGui::SameLine();
    if (small_button("OK##docmsg")) session.clear_document_message();
  }

  if (!app_.document()) {
    ImGui::TextDisabled("No document yet: open a file or paste text.");
    return;
  }
  const DocumentSummary& d = *app_.document();
  ImGui::Separator();
  for (size_t i = 0; i < d.parts.size(); ++i) {
    const DocumentPart& p = d.parts[i];
    ImGui::PushID(static_cast<int>(i));
    if (small_button("x")) session.remove_document(i);
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
  if (!app_.model()) return;
  const ModelSummary& m = *app_.model();
  const MethodChoice& method = app_.method_panel().choice();
  const int used = qa.estimated_prompt_tokens() + qa.max_new_tokens();
  const int L = m.rope.n_ctx_orig > 0 ? m.rope.n_ctx_orig : m.n_ctx_train;
  const double auto_s = std::max(1.0, double(used) / L);
  const double s = method.auto_scale ? auto_s : double(method.scale);
  // None keeps the trained window, native the file's own extended one, the others L x S.
  const RopeMethodInfo& info = rope_method_info(method.method);
  int extended = info.scale_source == ScaleSource::One ? L : info.from_file ? m.n_ctx_train : int(L * s);
  const ConversationSettings& cs = qa.conversation().settings;
  if (cs.window > 0 && cs.method == rope_method_name(method.method) &&
      cs.scale == method.user_scale())
    extended = cs.window;  // the thread's window, planned at its first turn
  context_gauge(used, m.n_ctx_train, extended);
  ImGui::Text("Auto would choose S = %.2f", auto_s);
  if (used > extended)
    ImGui::TextColored(ImColor(colors::kWarning),
                       "The input (%d tokens) is longer than the extended context (%d): positions past it are out of "
                       "distribution. Nothing is truncated.", used, extended);
  const int ctx = AppSession::context_for(qa.estimated_prompt_tokens(), qa.max_new_tokens());
  const uint64_t need = m.memory_for(ctx), have = session.memory_budget_bytes();
  if (have > 0 && need > have)
    ImGui::TextColored(ImColor(colors::kError), "Will not fit: needs %s for %d tokens, the %s has %s.",
                       format_bytes(need).c_str(), ctx, session.device().type == "CPU" ? "system" : "device",
                       format_bytes(have).c_str());
}

}  // namespace mrrope::ui
