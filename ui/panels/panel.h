#pragma once
// A panel of the app, a window of the left column or a workspace tab: a class
// holding its own state. It reaches the session and the other panels through
// the App that owns it (ui/app.h), which outlives it.
namespace mrrope::ui {

class App;

class Panel {
 public:
  explicit Panel(App& app) : app_(app) {}
  Panel(const Panel&) = delete;
  Panel& operator=(const Panel&) = delete;
  virtual ~Panel() = default;

  virtual void draw() = 0;  // into the current window or tab, once a frame

 protected:
  App& app_;
};

}  // namespace mrrope::ui
