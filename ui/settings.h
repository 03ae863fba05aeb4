#pragma once
// What the app remembers between runs (last model, method, window size...), in
// a small key=value file: $XDG_CONFIG_HOME/mrrope/app.ini or ~/.config/mrrope/app.ini.
// ImGui keeps its own layout file (imgui.ini) in the same folder.
#include <map>
#include <string>

namespace mrrope::ui {

class Settings {
 public:
  // The folder; created on save. Empty when neither variable is set.
  static std::string config_dir();

  void load();        // missing file: defaults
  void save() const;  // best effort: an unwritable folder is not an error

  std::string get(const std::string& key, const std::string& fallback = "") const;
  int get_int(const std::string& key, int fallback) const;
  double get_double(const std::string& key, double fallback) const;
  void set(const std::string& key, const std::string& value) { values_[key] = value; }
  void set(const std::string& key, double value);

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace mrrope::ui
