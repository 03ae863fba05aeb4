#pragma once
// The Document panel (document_panel.cpp): the conversation's documents,
// opened, dropped on the window or pasted.
#include <string>

#include "ui/panels/panel.h"
#include "ui/widgets/file_browser.h"

namespace mrrope::ui {

class Settings;

class DocumentPanel : public Panel {
 public:
  using Panel::Panel;
  void draw() override;

  // Adds a document (txt, md, pdf, html) to the conversation; a refusal shows
  // here and changes nothing else.
  void open(const std::string& path);
  void browse();  // the file browser in the last document's folder (Ctrl+O)
  const std::string& path() const { return path_; }
  void set_message(const std::string& message) { message_ = message; }
  void load(const Settings& s);  // the last document opened, reopened at start
  void save(Settings& s) const;

 private:
  std::string path_;     // the path box; the last one opened
  FileBrowser browser_{"document_browser", {".txt", ".md", ".pdf", ".html", ".htm"}};
  std::string paste_;    // typed or short pasted text, not yet added
  std::string message_;  // why the last file was refused here (the worker's refusals are the session's)
};

}  // namespace mrrope::ui
