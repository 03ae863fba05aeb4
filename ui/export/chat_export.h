#pragma once
// The files of the conversation and of the side by side, written from their
// data (ui/chat/): conversation.json (every setting; Open reads it back) and
// conversation.md, side_by_side.json and side_by_side.md. No GPU, no ImGui;
// never throws: a failure is the returned message.
#include <string>
#include <vector>

#include "ui/chat/conversation.h"
#include "ui/chat/thread_comparison.h"

namespace mrrope::ui {

// Writes `text` to `path`, creating its folder. Returns "could not write PATH", or empty.
std::string write_text_file(const std::string& path, const std::string& text);
// conversation.md and conversation.json in `dir` (created). Returns the error,
// or empty with both paths in `written` (Markdown first).
std::string export_conversation_files(const Conversation& c, const std::string& dir,
                                      std::vector<std::string>* written = nullptr);
// side_by_side.md and side_by_side.json in `dir` (created), as above.
std::string export_thread_comparison_files(const ThreadComparison& tc, const std::string& dir,
                                           std::vector<std::string>* written = nullptr);
// Where conversations go unless told: ~/mrrope-conversations (./ when HOME is unset).
std::string conversations_folder();

}  // namespace mrrope::ui
