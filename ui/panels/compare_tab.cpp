// Side by side: 2-4 methods on the same questions, run one after the other on
// the worker. Either the question box alone (with each method's loss curve over
// the document) or the whole conversation, each method in a thread of its own
// (compare_threads.cpp), shown turn by turn. The results scroll in a child
// window; Save PNG pages through it, so the picture holds every answer whole.
#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "ui/app.h"
#include "ui/panels/compare_tab.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {
namespace {

// Moving average so that a long document's curve stays readable.
std::vector<float> smooth(const std::vector<float>& v, int window) {
  std::vector<float> out(v.size());
  double sum = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    sum += v[i];
    if (i >= size_t(window)) sum -= v[i - size_t(window)];
    out[i] = float(sum / double(std::min(i + 1, size_t(window))));
  }
  return out;
}

const std::vector<std::string> kSources = {"the question box", "the conversation's questions",
                                           "the conversation, then the question box"};

}  // namespace

void CompareTab::draw() {
  sync_thread_comparison();
  draw_controls();
  const bool threads = threads_shown_ && !threads_.empty();
  if (!threads && app_.session().comparison().empty()) return;
  ImGui::BeginChild("compare_results", ImVec2(0, 0), false, ImGuiWindowFlags_AlwaysVerticalScrollbar);
  if (const std::optional<float> y = app_.panel_png().scroll(PanelShot::Compare))
    ImGui::SetScrollY(*y);  // a paged export
  if (threads) draw_thread_results();
  else draw_question_results();
  // The view down to where the content ends, and how far that is: Save PNG pages through it.
  const ImVec2 pos = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
  // Cursor: window-local, scroll included; it can pass the scroll range by an item spacing, which no page reaches.
  const float content_h = std::min(ImGui::GetCursorPosY(), ImGui::GetScrollMaxY() + size.y), scroll = ImGui::GetScrollY();
  const float bottom = pos.y + std::min(size.y, content_h - scroll);
  app_.panel_png().note_rect(PanelShot::Compare, pos.x, pos.y, pos.x + size.x, bottom, scroll, content_h);
  ImGui::EndChild();
}

void CompareTab::draw_controls() {
  AppSession& session = app_.session();
  QaTab& qa = app_.qa_tab();
  ImGui::TextDisabled("Methods (2-4):");
  methods_.draw_checkboxes("");
  const int chosen = methods_.size();
  ImGui::SetNextItemWidth(300);
  combo("questions", &source_, kSources);
  ImGui::SameLine();
  checkbox("loss curve over the document", &loss_curve_);
  const bool has_answered = !questions_to_compare(qa.conversation(), "").empty();
  const bool source_ok = source_ == 0   ? !qa.question().empty()
                         : source_ == 1 ? has_answered
                                        : has_answered && !qa.question().empty();
  const std::optional<DocumentSummary>& document = app_.document();
  const bool ok = chosen >= 2 && chosen <= 4 && app_.model() && document && document->tokens > 0 && source_ok;
  ImGui::BeginDisabled(!ok || session.busy());
  if (button("Run side by side")) {
    if (source_ == 0) compare(methods_.in_registry_order());
    else message_ = compare_conversation(methods_.in_registry_order(), source_ == 2);
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!session.busy());
  if (button("Stop##compare")) session.cancel();
  ImGui::EndDisabled();
  const bool threads = threads_shown_ && !threads_.empty();
  if (threads) {
    ImGui::SameLine();
    ImGui::BeginDisabled(session.busy() || qa.question().empty());
    if (button("Ask the question box in every thread")) message_ = compare_follow_up();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(session.busy());
    if (button("Export##compare")) export_thread_comparison("");
    ImGui::EndDisabled();
  }
  if (threads || !session.comparison().empty()) {
    ImGui::SameLine();
    app_.panel_png().draw_button(PanelShot::Compare);
  }
  if (chosen < 2 || chosen > 4) ImGui::TextDisabled("choose 2 to 4 methods");
  else if (source_ != 0 && !has_answered) ImGui::TextDisabled("ask a question in the Q&A tab first");
  if (!message_.empty()) ImGui::TextDisabled("%s", message_.c_str());
}

void CompareTab::draw_question_results() {
  const std::vector<Answer> answers = app_.session().comparison();
  ImGui::TextWrapped("Question: %s", compared_question_.c_str());  // as run, not the box's text now
  if (!ImGui::BeginTable("compare", int(answers.size()), ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable)) return;
  for (const Answer& a : answers) ImGui::TableSetupColumn(a.method.c_str());
  ImGui::TableHeadersRow();
  ImGui::TableNextRow();
  for (const Answer& a : answers) {
    ImGui::TableNextColumn();
    ImGui::PushID(&a);
    if (!a.error.empty()) ImGui::TextColored(ImColor(colors::kError), "%s", a.error.c_str());
    if (a.prompt_tokens == 0 && a.error.empty()) {
      ImGui::TextDisabled("waiting");
    } else {
      ImGui::TextDisabled("%.1f s | %d tokens | %.1f tok/s%s%s", a.seconds, a.new_tokens, a.decode_tps,
                          a.stop_reason.empty() ? "" : " | ", a.stop_reason.c_str());
      ImGui::TextWrapped("%s", a.text.empty() ? "..." : a.text.c_str());
      if (small_button("Copy")) ImGui::SetClipboardText(a.text.c_str());
    }
    ImGui::PopID();
  }
  ImGui::EndTable();
  draw_loss_curves(loss_curves());
}

std::vector<LossCurve> CompareTab::loss_curves() {
  sync_thread_comparison();
  std::vector<LossCurve> out;
  if (shows_threads()) {
    const std::vector<std::vector<float>> losses = app_.session().thread_losses();
    for (size_t m = 0; m < threads_.threads.size(); ++m)
      out.push_back({threads_.threads[m].settings.method, m < losses.size() ? losses[m] : std::vector<float>{}});
  } else {
    for (const Answer& a : app_.session().comparison()) out.push_back({a.method, a.loss});
  }
  return out;
}

// Each column's loss per position over the documents, under its schedule, on one scale: the threads of a
// conversation and the methods of one question alike.
void CompareTab::draw_loss_curves(const std::vector<LossCurve>& curves) {
  bool any = false;
  float loss_max = 0;
  size_t points = 0;
  for (const LossCurve& c : curves) {
    for (float v : c.loss) any = true, loss_max = std::max(loss_max, v);
    points = std::max(points, c.loss.size());
  }
  if (!any) return;
  ImGui::Separator();
  ImGui::TextDisabled("Loss per position over the documents (%zu tokens), under each method's schedule", points);
  if (!ImGui::BeginTable("loss_curves", int(curves.size()), ImGuiTableFlags_BordersInnerV)) return;
  for (size_t m = 0; m < curves.size(); ++m) {
    ImGui::TableNextColumn();
    const std::vector<float>& l = curves[m].loss;
    if (l.empty()) {
      ImGui::TextDisabled("-");
      continue;
    }
    double mean = 0;
    for (float v : l) mean += v;
    mean /= double(l.size());
    const auto curve = smooth(l, std::max(1, int(l.size() / 64)));
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "%s: mean NLL %.3f (ppl %.1f)", curves[m].method.c_str(), mean, std::exp(mean));
    ImGui::PushID(int(m));
    ImGui::PlotLines("##loss", curve.data(), int(curve.size()), 0, overlay, 0.0f, loss_max,
                     ImVec2(ImGui::GetContentRegionAvail().x, 90));
    ImGui::PopID();
  }
  ImGui::EndTable();
}

void CompareTab::draw_thread_results() {
  const ThreadComparison& tc = threads_;
  ImGui::PushTextWrapPos(0.0f);  // a narrow window wraps the lines rather than cutting them (and the PNG with them)
  ImGui::TextDisabled("%zu questions; each method answers in a thread of its own (its earlier answers are its history)",
                      tc.questions.size());
  for (size_t q = 0; q < tc.questions.size(); ++q) {
    ImGui::PushID(int(q));
    ImGui::Separator();
    ImGui::TextWrapped("Q%zu: %s", q + 1, tc.questions[q].c_str());
    if (ImGui::BeginTable("turn", int(tc.threads.size()), ImGuiTableFlags_BordersInnerV)) {
      for (const Conversation& t : tc.threads) ImGui::TableSetupColumn(t.settings.method.c_str());
      if (q == 0) ImGui::TableHeadersRow();
      ImGui::TableNextRow();
      for (const Conversation& t : tc.threads) {
        ImGui::TableNextColumn();
        if (q >= t.turns.size()) {
          ImGui::TextDisabled("%s", q == 0 ? "waiting" : "-");
          continue;
        }
        const ConversationTurn& turn = t.turns[q];
        if (!turn.error.empty()) ImGui::TextColored(ImColor(colors::kError), "%s", turn.error.c_str());
        ImGui::TextDisabled("%d prompt tokens, %d from the cache%s | %d new | %.1f s%s%s", turn.prompt_tokens,
                            turn.cached_tokens, turn.restored_tokens > 0 ? " (saved copy)" : "", turn.new_tokens, turn.seconds, turn.stop_reason.empty() ? "" : " | ",
                            turn.stop_reason.c_str());
        ImGui::TextWrapped("%s", turn.answer.empty() ? "..." : turn.answer.c_str());
      }
      ImGui::EndTable();
    }
    ImGui::PopID();
  }
  draw_loss_curves(loss_curves());
  ImGui::PopTextWrapPos();
}

}  // namespace mrrope::ui
