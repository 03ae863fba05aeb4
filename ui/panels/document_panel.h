#pragma once
// The Document panel's state (document_panel.cpp draws it): the conversation's
// documents, opened, dropped on the window or pasted.
#include <string>

#include "ui/widgets/file_browser.h"

namespace mrrope::ui {

struct DocumentPanelState {
  std::string path;     // the path box; the last one opened, reopened at start
  FileBrowser browser{"document_browser", {".txt", ".md", ".pdf", ".html", ".htm"}};
  std::string paste;    // typed or short pasted text, not yet added
  std::string message;  // why the last file was refused here (the worker's refusals are the session's)
};

}  // namespace mrrope::ui
