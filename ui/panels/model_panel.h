#pragma once
// The Model panel's state (model_panel.cpp draws it): which GGUF is open, what
// it declares, and what it needs.
#include <string>

#include "ui/widgets/file_browser.h"

namespace mrrope::ui {

struct ModelPanelState {
  std::string path;  // the path box: what Open opens, remembered in the settings
  FileBrowser browser{"model_browser", {".gguf"}};
};

}  // namespace mrrope::ui
