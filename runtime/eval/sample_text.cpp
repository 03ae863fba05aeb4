#include "eval/sample_text.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "engine/engine.h"

namespace mrrope {

std::string bundled_sample_text() {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(default_model_path()).parent_path() / "samples";
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".txt") files.push_back(e.path().string());
  if (ec || files.empty()) throw std::runtime_error("no sample texts in " + dir.string());
  std::sort(files.begin(), files.end());  // name order: the same text on every machine
  std::string text;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open '" + f + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    text += ss.str() + "\n\n";
  }
  return text;
}

}  // namespace mrrope
