#include "ui/settings.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mrrope::ui {

std::string Settings::config_dir() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/mrrope";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.config/mrrope";
  return {};
}

void Settings::load() {
  const std::string dir = config_dir();
  if (dir.empty()) return;
  std::ifstream in(dir + "/app.ini");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    values_[line.substr(0, eq)] = line.substr(eq + 1);
  }
}

void Settings::save() const {
  const std::string dir = config_dir();
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ofstream out(dir + "/app.ini");
  out << "# mrrope-app settings (rewritten on exit)\n";
  for (const auto& [k, v] : values_) {
    std::string one_line = v;
    for (char& c : one_line)
      if (c == '\n' || c == '\r') c = ' ';
    out << k << '=' << one_line << '\n';
  }
}

std::string Settings::get(const std::string& key, const std::string& fallback) const {
  auto it = values_.find(key);
  return it == values_.end() ? fallback : it->second;
}

int Settings::get_int(const std::string& key, int fallback) const {
  try {
    auto it = values_.find(key);
    return it == values_.end() ? fallback : std::stoi(it->second);
  } catch (...) {
    return fallback;
  }
}

double Settings::get_double(const std::string& key, double fallback) const {
  try {
    auto it = values_.find(key);
    return it == values_.end() ? fallback : std::stod(it->second);
  } catch (...) {
    return fallback;
  }
}

void Settings::set(const std::string& key, double value) {
  std::ostringstream s;
  s << value;
  values_[key] = s.str();
}

}  // namespace mrrope::ui
