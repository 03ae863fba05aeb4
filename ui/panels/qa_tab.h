#pragma once
// The Q&A tab's state (qa_tab.cpp draws it, qa_conversation.cpp runs it): the
// conversation about the documents, the question box and its settings, and the
// conversation's files.
#include <optional>
#include <string>

#include "ui/chat/conversation.h"
#include "ui/widgets/file_browser.h"

namespace mrrope::ui {

// The next turn does not fit the thread's window: the choice the tab offers.
struct FitProblem {
  int needed = 0, window = 0, drop = 0;  // drop: oldest turns that would make room (-1: not enough)
  std::string question;
};

struct QaTabState {
  Conversation conversation;
  int pending_turn = -1;  // the turn being answered
  std::optional<FitProblem> fit;
  std::string question = "Who is the Preacher?";  // the question box (Side by side asks it too)
  int max_new_tokens = 32;
  float temperature = 0.0f;
  bool probe_during_ask = true;  // "watch attention": the Attention tab's probe runs with each answer
  bool focus_question = false;   // give the box the keyboard next frame
  std::string path;              // where the conversation was saved or opened
  std::string export_dir;        // empty: ~/mrrope-conversations/<timestamp>
  std::string message;           // what the last save, open or export did
  FileBrowser browser{"conversation_browser", {".json"}};
};

}  // namespace mrrope::ui
