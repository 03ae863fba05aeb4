#include "eval/sample_text.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/engine.h"
#include "eval/haystack.h"

namespace mrrope {
namespace {

namespace fs = std::filesystem;

// The .txt files of `dir` in name order (the same text on every machine).
std::vector<std::string> text_files(const fs::path& dir) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".txt") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::vector<std::string> bundled_eval_documents() {
  const fs::path assets = fs::path(default_model_path()).parent_path();
  const std::vector<std::string> samples = text_files(assets / "samples");
  if (samples.empty()) throw std::runtime_error("no sample texts in " + (assets / "samples").string());
  std::vector<std::string> docs;
  for (const auto& f : samples) docs.push_back(read_file(f));  // a sample file is one document
  for (const auto& f : text_files(assets / "heldout"))
    for (std::string& d : documents_of(read_file(f))) docs.push_back(std::move(d));
  return docs;
}

std::string bundled_eval_text() { return join_documents(bundled_eval_documents()); }

}  // namespace mrrope
