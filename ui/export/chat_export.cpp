#include "ui/export/chat_export.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace mrrope::ui {
namespace {

namespace fs = std::filesystem;

// Both files of an export, Markdown first; stops at the first that fails.
std::string write_pair(const std::string& dir, const std::string& stem, const std::string& markdown,
                       const std::string& json, std::vector<std::string>* written) {
  const std::string md = (fs::path(dir) / (stem + ".md")).string(), js = (fs::path(dir) / (stem + ".json")).string();
  std::string err = write_text_file(md, markdown);
  if (err.empty()) err = write_text_file(js, json);
  if (err.empty() && written) *written = {md, js};
  return err;
}

}  // namespace

std::string write_text_file(const std::string& path, const std::string& text) {
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  std::ofstream out(path, std::ios::binary);
  if (!(out << text)) return "could not write " + path;
  return "";
}

std::string export_conversation_files(const Conversation& c, const std::string& dir, std::vector<std::string>* written) {
  return write_pair(dir, "conversation", conversation_to_markdown(c), conversation_to_json(c), written);
}

std::string export_thread_comparison_files(const ThreadComparison& tc, const std::string& dir,
                                           std::vector<std::string>* written) {
  return write_pair(dir, "side_by_side", thread_comparison_to_markdown(tc), thread_comparison_to_json(tc), written);
}

std::string conversations_folder() {
  const char* home = std::getenv("HOME");
  return (fs::path(home && *home ? home : ".") / "mrrope-conversations").string();
}

}  // namespace mrrope::ui
