#pragma once
// The Model panel (model_panel.cpp): which GGUF is open, what it declares,
// what it needs, and the KV cache's type.
#include <string>

#include "ui/panels/panel.h"
#include "ui/widgets/file_browser.h"

namespace mrrope::ui {

class Settings;
struct ModelSummary;

class ModelPanel : public Panel {
 public:
  using Panel::Panel;
  void draw() override;

  // Loads it on the worker; remembered as a recent model.
  void open(const std::string& path);
  const std::string& path() const { return path_; }
  void set_path(const std::string& path) { path_ = path; }
  void load(const Settings& s);  // the last model and KV cache type
  void save(Settings& s) const;

 private:
  void draw_kv_cache_choice(const ModelSummary& m);

  std::string path_;  // the path box: what Open opens, remembered in the settings
  FileBrowser browser_{"model_browser", {".gguf"}};
};

}  // namespace mrrope::ui
