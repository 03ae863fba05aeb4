// mrrope-app: the desktop app. Frame loop here; everything else in ui/.
//   mrrope-app [--model FILE]            interactive
//   mrrope-app --demo [--out DIR]         scripted demo, screenshots into DIR
//   mrrope-app --script FILE [--out DIR]  commands: --script-help
//   --headless [--size WxH]               no window: frames render offscreen
//   --fps-report FILE.json                frame times of the whole run
//   MRROPE_FONT=FILE.ttf                  the UI font (else fontconfig's DejaVu Sans, ui/platform/font.h)
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <imgui.h>
#include <backends/imgui_impl_vulkan.h>

#include "options/option_table.h"
#include "ui/app.h"
#include "ui/platform/font.h"
#include "ui/platform/fps_recorder.h"
#include "ui/platform/offscreen_target.h"
#include "ui/platform/vulkan_window.h"
#include "ui/script/script.h"
#include "ui/session/app_session.h"
#include "ui/settings.h"

#ifndef MRROPE_SOURCE_DIR
#define MRROPE_SOURCE_DIR "."
#endif

namespace {

struct AppArgs {
  std::string script_file, out_dir, model, size, fps_report;
  bool demo = false, headless = false, help = false, script_help = false;
};

mrrope::OptionTable app_options(AppArgs& a) {
  mrrope::OptionTable table("mrrope-app --help");
  table.store({"--model"}, "FILE", "open this GGUF model (remembered for the next start)", &a.model);
  table.store_true({"--demo"}, "run the scripted demo (screenshots into --out)", &a.demo);
  table.store({"--script"}, "FILE", "run a script of commands (--script-help lists them)", &a.script_file);
  table.store_true({"--script-help"}, "list the script commands", &a.script_help);
  table.store({"--out"}, "DIR", "where the script's screenshots and exports go", &a.out_dir);
  table.store_true({"--headless"}, "no window: frames render offscreen (needs --script or --demo)", &a.headless);
  table.store({"--size"}, "WxH", "the offscreen frame size with --headless (default 1600x1000)", &a.size);
  table.store({"--fps-report"}, "FILE.json", "write the frame times of the whole run", &a.fps_report);
  table.help_option(&a.help);
  return table;
}

int usage(int status) {
  AppArgs unused;
  std::fprintf(status ? stderr : stdout,
               "usage: mrrope-app [--model FILE] | --demo [--out DIR] | --script FILE [--out DIR]\n"
               "                  [--headless [--size WxH]] [--fps-report FILE.json]\n%s",
               app_options(unused).help().c_str());
  return status;
}

int run(int argc, char** argv) {
  using namespace mrrope;
  AppArgs args;
  app_options(args).parse({argv + 1, argv + argc});
  if (args.help) return usage(0);
  if (args.script_help) return std::fputs(ui::Script::commands_help().c_str(), stdout), 0;
  const std::string &script_file = args.script_file, &out_dir = args.out_dir, &model = args.model,
                    &size = args.size, &fps_report = args.fps_report;
  const bool demo = args.demo, headless = args.headless;
  std::unique_ptr<ui::Script> script;
  if (demo) script = std::make_unique<ui::Script>(ui::Script::demo_text(MRROPE_SOURCE_DIR), out_dir);
  else if (!script_file.empty()) {
    std::ifstream in(script_file);
    if (!in) throw std::runtime_error("cannot read the script " + script_file);
    std::stringstream s;
    s << in.rdbuf();
    script = std::make_unique<ui::Script>(s.str(), out_dir);
  }
  const bool scripted = script != nullptr;
  if (headless && !scripted) throw std::invalid_argument("--headless needs --script FILE or --demo (there is no input)");
  if (!size.empty() && !headless) throw std::invalid_argument("--size is for --headless (a window takes its own)");

  ui::Settings settings;
  if (!scripted) settings.load();
  if (!model.empty()) settings.set("model", model);
  int width = scripted ? 1600 : settings.get_int("window_width", 1500);
  int height = scripted ? 1000 : settings.get_int("window_height", 950);
  if (!size.empty()) ui::parse_size(size, &width, &height);

  std::unique_ptr<ui::FrameTarget> window;
  if (headless) window = std::make_unique<ui::OffscreenTarget>(width, height);
  else window = std::make_unique<ui::VulkanWindow>("mrrope", width, height);
  auto ctx = std::make_unique<vk::Context>(window->context_options());
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  // ImGui keeps its layout beside our settings; a scripted run starts clean.
  static std::string imgui_ini;
  if (!scripted && !ui::Settings::config_dir().empty()) {
    imgui_ini = ui::Settings::config_dir() + "/imgui.ini";
    ImGui::GetIO().IniFilename = imgui_ini.c_str();
  } else {
    ImGui::GetIO().IniFilename = nullptr;
  }
  ImGui::StyleColorsDark();
  const ui::FontChoice font = ui::find_ui_font(ui::system_font_search());
  if (!font.note.empty()) std::fprintf(stderr, "mrrope-app: %s\n", font.note.c_str());
  if (font.path.empty())
    std::fprintf(stderr, "mrrope-app: no TrueType font found (MRROPE_FONT, fc-match, the usual paths): "
                         "ImGui's built-in font\n");
  window->attach(*ctx, font.path, 15.0f);

  int status = 0;
  {
    ui::AppSession session(*ctx);
    ui::App app(session, settings, scripted);
    ui::FpsRecorder fps;
    if (!fps_report.empty()) fps.start(ui::FpsRecorder::clock_now());
    if (script) {
      script->set_target(window.get());
      script->set_fps_recorder(&fps);
    }
    std::optional<std::string> capture;
    while (!window->should_close()) {
      if (!window->begin_frame()) continue;
      fps.observe(window->frames_completed(), ui::FpsRecorder::clock_now());
      if (auto dropped = window->take_dropped_files(); !dropped.empty()) app.drop_files(dropped);
      if (script && !capture) capture = script->step(app);
      if (script && script->finished()) break;
      ImGui_ImplVulkan_NewFrame();
      window->new_frame();
      if (script) script->apply_input();  // a scripted click's mouse, over the platform's
      ImGui::NewFrame();
      app.draw();
      ImGui::Render();
      const ui::Progress progress = session.progress();
      fps.submitted(ui::FpsRecorder::phase_of(progress.busy, progress.what));
      const bool panel_png = app.panel_png().capture_now();  // Save PNG of a panel: this frame, cropped
      if (capture || panel_png) {
        const std::optional<std::string> path = capture;
        capture.reset();
        window->end_frame(ImGui::GetDrawData(), [&](const ui::Image& img) {
          if (path) script->save_capture(*path, img);
          if (panel_png) app.panel_png().captured(img);
        });
      } else {
        window->end_frame(ImGui::GetDrawData());
      }
    }
    if (!fps_report.empty() && fps.active()) {
      const std::string err = fps.write(fps_report, session.device().name);
      if (!err.empty()) std::fprintf(stderr, "mrrope-app: %s\n", err.c_str()), status = 1;
    }
    if (script && script->exit_status() != 0) {
      std::fprintf(stderr, "mrrope-app: %s\n", script->failure().c_str());
      status = script->exit_status();
    } else if (script && !script->finished()) {
      std::fprintf(stderr, "mrrope-app: the window closed before the script finished\n");
      status = 1;
    }
    if (!scripted) {
      app.save_settings();
      int w = 0, h = 0;
      window->size(&w, &h);
      settings.set("window_width", double(w));
      settings.set("window_height", double(h));
      settings.save();
    }
    session.cancel();
  }
  window.reset();  // needs the ImGui context and the device
  ImGui::DestroyContext();
  // Under MRROPE_VALIDATION=require (the app's tests) any validation message fails the run.
  if (ctx->validation_required() && ctx->validation_message_count() > 0) {
    std::fprintf(stderr, "mrrope-app: %zu Vulkan validation message(s), see above\n", ctx->validation_message_count());
    status = 1;
  }
  ctx.reset();
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "mrrope-app: %s\n", e.what());
    return usage(2);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mrrope-app: %s\n", e.what());
    return 1;
  }
}
