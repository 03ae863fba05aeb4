#pragma once
// A minimal in-app file browser (no native dialog dependency): a folder
// listing filtered by extension; returns the chosen path once.
#include <optional>
#include <string>
#include <vector>

namespace mrrope::ui {

class FileBrowser {
 public:
  FileBrowser(std::string id, std::vector<std::string> extensions) : id_(std::move(id)), extensions_(std::move(extensions)) {}
  void open(const std::string& start_dir);
  bool is_open() const { return open_; }
  // Draws the browser (a child region) while open; returns a file when picked.
  std::optional<std::string> draw();

 private:
  void list();
  std::string id_;
  std::vector<std::string> extensions_;
  std::string dir_;
  std::vector<std::pair<std::string, bool>> entries_;  // name, is folder
  std::string error_;
  bool open_ = false;
};

}  // namespace mrrope::ui
