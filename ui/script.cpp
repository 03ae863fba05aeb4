#include "ui/script.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <imgui.h>
#include <imgui_internal.h>  // the window list, for dump-windows
#include <stb_image_write.h>

#include "eval/eval_tasks.h"
#include "ui/app.h"
#include "ui/fps_recorder.h"

namespace mrrope::ui {
namespace {

const std::set<std::string> kCommands = {"model", "document", "question", "max-tokens", "method", "scale", "ask",
                                         "compare", "wait", "schedule-length", "resize", "content-scale", "tab", "screenshot", "dump-windows", "quit",
                                         "fps-start", "fps-report", "wait-phase",
                                         "eval", "wait-eval", "eval-export", "cancel", "kv-cache",
                                         "drop", "new-conversation", "regenerate", "edit-last", "conversation-save",
                                         "conversation-open", "conversation-export", "expect-document-message",
                                         "expect-turns", "expect-reuse", "expect-question", "expect-fit", "resolve-fit",
                                         "attention-png", "compare-png", "paste", "compare-conversation",
                                         "compare-follow-up", "compare-export", "expect-compare-turns",
                                         "expect-compare-reuse"};

// The methods of `compare` / `compare-conversation`; `then-question` among the
// words is left in `*then_question`. Returns why not (empty: parsed).
std::string parse_compare_methods(const std::string& arg, std::vector<RopeMethod>* methods, bool* then_question) {
  std::istringstream names(arg);
  std::string name;
  try {
    while (names >> name) {
      if (then_question && name == "then-question") *then_question = true;
      else methods->push_back(parse_rope_method(name));
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  if (methods->size() < 2 || methods->size() > 4) return "takes 2 to 4 methods";
  return "";
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20) out += ' ';
    else out += c;
  }
  return out;
}

// `eval TASK key=value...` into the Evaluation tab's inputs (the same ones the
// user edits), then starts the sweep. Returns why not (empty: started).
std::string start_eval(App& app, const std::string& arg) {
  EvalViewState& v = app.eval_view();
  std::istringstream words(arg);
  std::string task, word;
  words >> task;
  if (task == "needle") task = "niah";
  if (task == "perplexity") task = "ppl";
  bool known = task == "ppl";
  for (const auto& t : eval_tasks()) known |= t.name == task;
  if (!known) return "eval takes a task first: ppl or " + eval_task_names() + " (got '" + task + "')";
  v.task = task;
  while (words >> word) {
    const size_t eq = word.find('=');
    if (eq == std::string::npos) return "expected key=value, got '" + word + "'";
    const std::string key = word.substr(0, eq), value = word.substr(eq + 1);
    if (key == "methods") {
      v.methods.clear();
      std::istringstream names(value);
      std::string name;
      while (std::getline(names, name, ',')) {
        RopeMethod m;
        try {
          m = parse_rope_method(name);
        } catch (const std::exception& e) {
          return e.what();
        }
        v.methods.set(m, true);
      }
    } else if (key == "lengths") {
      v.lengths = value;
      v.lengths_auto = false;
    } else if (key == "depths") {
      v.depths = value;
    } else if (key == "trials" || key == "seed") {
      char* end = nullptr;
      const long n = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end) return key + " must be a whole number (got '" + value + "')";
      (key == "trials" ? v.trials : v.seed) = static_cast<int>(n);
    } else {
      return "unknown eval setting '" + key + "' (methods, lengths, depths, trials, seed)";
    }
  }
  return app.run_evaluation();
}

}  // namespace

Script::Script(const std::string& text, std::string output_dir) : output_dir_(std::move(output_dir)) {
  std::istringstream in(text);
  std::string raw;
  int number = 0;
  while (std::getline(in, raw)) {
    ++number;
    const size_t start = raw.find_first_not_of(" \t\r");
    if (start == std::string::npos || raw[start] == '#') continue;
    std::string body = raw.substr(start);
    while (!body.empty() && (body.back() == '\r' || body.back() == ' ')) body.pop_back();
    const size_t sp = body.find(' ');
    Line line{number, body.substr(0, sp), sp == std::string::npos ? "" : body.substr(sp + 1)};
    if (!kCommands.count(line.command))
      throw std::runtime_error("script line " + std::to_string(number) + ": unknown command '" + line.command + "'");
    lines_.push_back(line);
  }
  if (lines_.empty()) throw std::runtime_error("the script has no commands");
}

std::string Script::demo_text(const std::string& source_dir) {
  return "# The demo: bundled model, a ~350-token document, one question under two methods, a tiny sweep,\n"
         "# then the side by side over a three-turn conversation.\n"
         "model default\n"
         "document " + source_dir + "/tests/app/demo_document.txt\n"
         "question Who is the Preacher?\n"
         "max-tokens 8\n"
         "method mrrope-pro\n"
         "scale 4\n"
         "wait\n"
         "schedule-length 4096\n"
         "tab Schedule\n"
         "screenshot schedule.png\n"
         "resize 1200 800\n"
         "resize 1600 1000\n"
         "tab Q&A\n"
         "ask\n"
         "wait\n"
         "screenshot qa.png\n"
         "tab Side by side\n"
         "compare none mrrope-pro\n"
         "wait\n"
         "screenshot side_by_side.png\n"
         "tab Attention\n"
         "screenshot attention.png\n"
         "# A tiny passkey sweep: 6 runs (mrrope-pro at 256 has none's schedule: copied), the grid, the files.\n"
         "tab Evaluation\n"
         "eval passkey methods=none,mrrope-pro lengths=256,768 depths=0,100 trials=1 seed=1\n"
         "wait-eval 4\n"
         "screenshot evaluation_running.png\n"
         "wait\n"
         "screenshot evaluation.png\n"
         "eval-export eval\n"
         "dump-windows windows.json\n"
         "# Side by side over a whole conversation: a second turn in the Q&A thread, both questions under yarn\n"
         "# and mrrope-pro (each method in a thread of its own), then a follow-up asked in every thread.\n"
         "max-tokens 32\n"
         "question What did the Preacher say?\n"
         "ask\n"
         "wait\n"
         "tab Side by side\n"
         "compare-conversation yarn mrrope-pro\n"
         "wait\n"
         "question And who was his father?\n"
         "compare-follow-up\n"
         "wait\n"
         "expect-compare-turns 3\n"
         "resize 1440 800\n"
         "screenshot compare_conversation.png\n"
         "quit\n";
}

void Script::fail(const Line& line, const std::string& why) {
  failed_ = finished_ = true;
  failure_ = "script line " + std::to_string(line.number) + " (" + line.command + "): " + why;
}

std::string Script::output_path(const std::string& name) const {
  std::filesystem::path p(name);
  if (p.is_absolute() || output_dir_.empty()) return name;
  return (std::filesystem::path(output_dir_) / p).string();
}

std::optional<std::string> Script::step(App& app) {
  while (!finished_ && next_ < lines_.size()) {
    if (settle_frames_ > 0) {  // let the UI draw the new state before looking at it
      --settle_frames_;
      return std::nullopt;
    }
    const Line& line = lines_[next_];
    const std::string& c = line.command;
    if (c == "wait") {
      if (!waiting_) {
        waiting_ = true;
        wait_start_ = std::chrono::steady_clock::now();
        if (!line.arg.empty()) wait_limit_ = std::stod(line.arg);
        settle_frames_ = 1;  // jobs queued this frame show up as busy
        return std::nullopt;
      }
      if (app.session().busy()) {
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start_).count() > wait_limit_)
          fail(line, "timed out waiting for the worker");
        return std::nullopt;
      }
      waiting_ = false;
      const std::string err = app.session().last_error();
      if (!err.empty()) {
        fail(line, err);
        return std::nullopt;
      }
      for (const Answer& a : app.session().comparison())
        if (!a.error.empty()) return fail(line, a.method + ": " + a.error), std::nullopt;
      for (const auto& thread : app.session().thread_comparison())
        for (const Answer& a : thread)
          if (!a.error.empty()) return fail(line, a.method + "'s thread: " + a.error), std::nullopt;
      if (const Answer a = app.session().answer(); !a.error.empty()) return fail(line, a.error), std::nullopt;
      if (const EvalState e = app.session().evaluation(); !e.error.empty())
        return fail(line, "evaluation: " + e.error), std::nullopt;
      settle_frames_ = 2;
    } else if (c == "model") {
      try {
        app.open_model(line.arg == "default" || line.arg.empty() ? default_model_path() : line.arg);
      } catch (const std::exception& e) {
        return fail(line, e.what()), std::nullopt;
      }
    } else if (c == "document") {
      if (!std::filesystem::exists(line.arg)) return fail(line, "no such file: " + line.arg), std::nullopt;
      app.open_document(line.arg);
    } else if (c == "drop") {
      std::vector<std::string> paths;
      std::istringstream words(line.arg);
      for (std::string p; words >> p;) paths.push_back(p);
      if (paths.empty()) return fail(line, "drop needs one or more paths"), std::nullopt;
      app.drop_files(paths);  // as GLFW's drop callback
    } else if (c == "paste") {
      // As Paste from clipboard: the text (\n for a line break) becomes a document with no file.
      std::string text;
      for (size_t i = 0; i < line.arg.size(); ++i) {
        if (line.arg.compare(i, 2, "\\n") == 0) text += '\n', ++i;
        else text += line.arg[i];
      }
      if (text.empty()) return fail(line, "paste needs some text"), std::nullopt;
      app.session().add_document_text("pasted text", std::move(text));
    } else if (c == "new-conversation") {
      app.new_conversation();
    } else if (c == "regenerate") {
      app.regenerate();
    } else if (c == "edit-last") {
      app.edit_last();
    } else if (c == "conversation-save" || c == "conversation-open") {
      if (line.arg.empty()) return fail(line, c + " needs a file name"), std::nullopt;
      const std::string path = output_path(line.arg);
      const std::string err = c == "conversation-save" ? app.save_conversation(path) : app.open_conversation(path);
      if (!err.empty()) return fail(line, err), std::nullopt;
      std::fprintf(stderr, "mrrope-app: %s\n", app.conversation_message().c_str());
    } else if (c == "conversation-export") {
      std::vector<std::string> written;
      const std::string err = app.export_conversation(output_path(line.arg.empty() ? "conversation" : line.arg), &written);
      if (!err.empty()) return fail(line, err), std::nullopt;
      for (const auto& path : written) std::fprintf(stderr, "mrrope-app: wrote %s\n", path.c_str());
    } else if (c == "expect-document-message") {
      // The Document panel's message (a refusal) once the worker is done with the file.
      if (!waiting_) waiting_ = true, wait_start_ = std::chrono::steady_clock::now(), settle_frames_ = 1;
      else if (!app.session().busy()) {
        waiting_ = false;
        const std::string m = app.session().document_message();
        if (m.find(line.arg) == std::string::npos)
          return fail(line, "the document message is '" + m + "', expected it to hold '" + line.arg + "'"), std::nullopt;
        std::fprintf(stderr, "mrrope-app: document message: %s\n", m.c_str());
        app.session().clear_document_message();
        settle_frames_ = 2;
      } else if (std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start_).count() > wait_limit_) {
        return fail(line, "timed out waiting for the worker"), std::nullopt;
      }
      if (waiting_) return std::nullopt;
    } else if (c == "expect-fit") {
      if (!app.fit_problem()) return fail(line, "the next turn was expected not to fit, and no choice is offered"), std::nullopt;
      std::fprintf(stderr, "mrrope-app: does not fit: %d tokens needed, the window holds %d\n", app.fit_problem()->needed,
                   app.fit_problem()->window);
    } else if (c == "resolve-fit") {
      if (line.arg != "larger" && line.arg != "drop") return fail(line, "resolve-fit takes larger or drop"), std::nullopt;
      if (!app.fit_problem()) return fail(line, "there is no choice to make"), std::nullopt;
      app.resolve_fit(line.arg == "larger");
    } else if (c == "expect-question") {
      if (app.question() != line.arg)
        return fail(line, "the question box holds '" + app.question() + "', expected '" + line.arg + "'"), std::nullopt;
    } else if (c == "expect-turns") {
      const int n = std::atoi(line.arg.c_str());
      const int have = static_cast<int>(app.conversation().turns.size());
      if (have != n) return fail(line, "the conversation has " + std::to_string(have) + " turns, expected " + line.arg), std::nullopt;
    } else if (c == "expect-reuse") {
      // The last turn took the documents from the KV cache: it prefilled fewer tokens than it took from the cache.
      const auto& turns = app.conversation().turns;
      if (turns.size() < 2) return fail(line, "expect-reuse needs two turns or more"), std::nullopt;
      const ConversationTurn& t = turns.back();
      if (t.cached_tokens <= 0 || t.prefilled_tokens >= t.cached_tokens)
        return fail(line, "the last turn took " + std::to_string(t.cached_tokens) + " prompt tokens from the cache and prefilled " +
                              std::to_string(t.prefilled_tokens) + ": the documents were not reused"),
               std::nullopt;
      std::fprintf(stderr, "mrrope-app: turn %zu: %d prompt tokens, %d from the cache, %d prefilled\n", turns.size(),
                   t.prompt_tokens, t.cached_tokens, t.prefilled_tokens);
    } else if (c == "question") {
      app.set_question(line.arg);
    } else if (c == "kv-cache") {
      const auto type = kv_cache_type_from_name(line.arg);
      if (!type) return fail(line, "kv-cache takes f16 or q8_0, not '" + line.arg + "'"), std::nullopt;
      app.set_kv_cache(*type);
    } else if (c == "max-tokens") {
      if (line.arg.rfind("past-window ", 0) == 0) {  // drives the fit choice: the next turn overflows by N tokens
        const std::string why = app.set_max_new_tokens_past_window(std::atoi(line.arg.c_str() + 12));
        if (!why.empty()) return fail(line, why), std::nullopt;
      } else {
        app.set_max_new_tokens(std::atoi(line.arg.c_str()));
      }
    } else if (c == "method") {
      try {
        app.set_method(parse_rope_method(line.arg));
      } catch (const std::exception& e) {
        return fail(line, e.what()), std::nullopt;
      }
    } else if (c == "scale") {
      app.set_scale(line.arg == "auto" ? 0.0 : std::atof(line.arg.c_str()));
    } else if (c == "ask") {
      app.ask();
    } else if (c == "compare") {
      std::vector<RopeMethod> methods;
      if (const std::string why = parse_compare_methods(line.arg, &methods, nullptr); !why.empty())
        return fail(line, why), std::nullopt;
      app.compare(methods);
    } else if (c == "compare-conversation") {
      std::vector<RopeMethod> methods;
      bool then_question = false;
      if (const std::string why = parse_compare_methods(line.arg, &methods, &then_question); !why.empty())
        return fail(line, why), std::nullopt;
      if (const std::string why = app.compare_conversation(methods, then_question); !why.empty())
        return fail(line, why), std::nullopt;
    } else if (c == "compare-follow-up") {
      if (const std::string why = app.compare_follow_up(); !why.empty()) return fail(line, why), std::nullopt;
    } else if (c == "compare-export") {
      std::vector<std::string> written;
      const std::string err = app.export_thread_comparison(output_path(line.arg.empty() ? "side_by_side" : line.arg), &written);
      if (!err.empty()) return fail(line, err), std::nullopt;
      for (const auto& path : written) std::fprintf(stderr, "mrrope-app: wrote %s\n", path.c_str());
    } else if (c == "expect-compare-turns") {
      const ThreadComparison& tc = app.thread_comparison();
      const size_t n = size_t(std::max(0, std::atoi(line.arg.c_str())));
      if (tc.empty()) return fail(line, "no side-by-side conversation"), std::nullopt;
      for (const Conversation& t : tc.threads) {
        size_t answered = 0;
        for (const ConversationTurn& turn : t.turns) answered += turn.done && turn.error.empty();
        if (answered != n)
          return fail(line, t.settings.method + "'s thread has " + std::to_string(answered) + " answered turns, expected " +
                                line.arg),
                 std::nullopt;
      }
    } else if (c == "expect-compare-reuse") {
      // Every method's second turn took the documents from its own thread's KV cache.
      const ThreadComparison& tc = app.thread_comparison();
      if (tc.empty()) return fail(line, "no side-by-side conversation"), std::nullopt;
      for (const Conversation& t : tc.threads) {
        if (t.turns.size() < 2) return fail(line, t.settings.method + "'s thread has fewer than 2 turns"), std::nullopt;
        const ConversationTurn& turn = t.turns[1];
        if (turn.cached_tokens <= 0 || turn.prefilled_tokens >= turn.cached_tokens)
          return fail(line, t.settings.method + "'s turn 2 took " + std::to_string(turn.cached_tokens) +
                                " tokens from the cache and prefilled " + std::to_string(turn.prefilled_tokens)),
                 std::nullopt;
        std::fprintf(stderr, "mrrope-app: %s turn 2: %d prompt tokens, %d from the cache, %d prefilled\n",
                     t.settings.method.c_str(), turn.prompt_tokens, turn.cached_tokens, turn.prefilled_tokens);
      }
    } else if (c == "eval") {
      if (const std::string why = start_eval(app, line.arg); !why.empty()) return fail(line, why), std::nullopt;
    } else if (c == "wait-eval") {
      // Until the sweep has N finished runs (or has ended): a picture of the grid filling in.
      const int n = std::atoi(line.arg.c_str());
      if (n < 1) return fail(line, "wait-eval needs a number of runs (1 or more)"), std::nullopt;
      if (!waiting_) waiting_ = true, wait_start_ = std::chrono::steady_clock::now();
      const EvalState e = app.session().evaluation();
      if (!e.error.empty()) return fail(line, "evaluation: " + e.error), std::nullopt;
      if (e.busy() && e.rows() < n) {
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start_).count() > wait_limit_)
          fail(line, "timed out waiting for the sweep");
        return std::nullopt;
      }
      waiting_ = false;
      settle_frames_ = 2;
    } else if (c == "cancel") {
      app.session().cancel();  // as the Cancel button: the running job stops, finished sweep runs stay
    } else if (c == "eval-export") {
      const EvalExport x = app.export_evaluation(output_path(line.arg.empty() ? "eval" : line.arg));
      if (!x.error.empty()) return fail(line, x.error), std::nullopt;
      for (const auto& path : x.written) std::fprintf(stderr, "mrrope-app: wrote %s\n", path.c_str());
    } else if (c == "resize") {
      int w = 0, h = 0;
      if (std::sscanf(line.arg.c_str(), "%d %d", &w, &h) != 2 || w < 200 || h < 200)
        return fail(line, "resize needs W H (at least 200 each)"), std::nullopt;
      if (target_) target_->resize(w, h);
      settle_frames_ = 4;
    } else if (c == "content-scale") {
      char* end = nullptr;
      const float scale = std::strtof(line.arg.c_str(), &end);
      if (end == line.arg.c_str() || *end != '\0' || !(scale >= 1.0f && scale <= 4.0f))
        return fail(line, "content-scale needs a number from 1 to 4"), std::nullopt;
      if (target_) target_->set_content_scale(scale);
      settle_frames_ = 4;
    } else if (c == "schedule-length") {
      app.set_schedule_length(std::atoi(line.arg.c_str()));
    } else if (c == "tab") {
      app.select_tab(line.arg);
      settle_frames_ = 3;
    } else if (c == "screenshot") {
      ++next_;
      return output_path(line.arg);
    } else if (c == "attention-png" || c == "compare-png") {
      // As the panel's Save PNG button: its tab shows, a settled frame is cropped and written.
      if (line.arg.empty()) return fail(line, c + " needs a file name"), std::nullopt;
      if (!waiting_) {
        const PanelShot which = c == "attention-png" ? PanelShot::Attention : PanelShot::Compare;
        if (const std::string why = app.request_panel_png(which, output_path(line.arg)); !why.empty())
          return fail(line, why), std::nullopt;
        waiting_ = true, wait_start_ = std::chrono::steady_clock::now();
        return std::nullopt;
      }
      if (app.panel_png_pending()) {
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start_).count() > wait_limit_)
          fail(line, "timed out waiting for the PNG");
        return std::nullopt;
      }
      waiting_ = false;
      const PanelPngResult& r = app.panel_png_result();
      if (!r.error.empty()) return fail(line, r.error), std::nullopt;
      std::fprintf(stderr, "mrrope-app: wrote %s (%dx%d, %d pages)\n", r.path.c_str(), r.width, r.height, r.pages);
    } else if (c == "dump-windows") {
      dump_windows(app, output_path(line.arg));
    } else if (c == "wait-phase") {
      if (!wait_phase(app, line)) return std::nullopt;
    } else if (c == "fps-start" || c == "fps-report") {
      if (!fps_) return fail(line, "FPS recording is not available in this run"), std::nullopt;
      if (c == "fps-start") {
        fps_->start(FpsRecorder::clock_now());
      } else {
        if (line.arg.empty()) return fail(line, "fps-report needs a file name"), std::nullopt;
        const std::string err = fps_->write(output_path(line.arg), app.session().device().name);
        if (!err.empty()) return fail(line, err), std::nullopt;
      }
    } else if (c == "quit") {
      finished_ = true;
    }
    ++next_;
  }
  if (next_ >= lines_.size()) finished_ = true;
  return std::nullopt;
}

// wait-phase PHASE [FRACTION]: holds the script until the worker is in PHASE
// (prefill or generation) with at least FRACTION (0..1) of it done, so a
// screenshot can show a job in progress. If the job got past it unseen (a
// fast GPU), the script goes on with a note: there is nothing left to wait for.
bool Script::wait_phase(App& app, const Line& line) {
  std::istringstream args(line.arg);
  std::string phase, extra;
  double fraction = 0;
  args >> phase;
  if (phase != "prefill" && phase != "generation")
    return fail(line, "wait-phase wants prefill or generation, got '" + phase + "'"), false;
  if (!args.eof() && (!(args >> fraction) || fraction < 0 || fraction > 1 || (args >> extra)))
    return fail(line, "wait-phase's FRACTION must be a number from 0 to 1"), false;
  if (!waiting_) {
    waiting_ = true;
    wait_start_ = std::chrono::steady_clock::now();
    settle_frames_ = 1;  // jobs queued this frame show up as busy
    return false;
  }
  const Progress p = app.session().progress();
  const std::string now = FpsRecorder::phase_of(p.busy, p.what);
  const bool there = now == phase && (p.total <= 0 || p.fraction() >= fraction);
  const bool passed = !p.busy || (phase == "prefill" && now == "generation");
  if (!there && !passed) {
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start_).count() > wait_limit_)
      fail(line, "timed out waiting for " + phase);
    return false;
  }
  if (!there)
    std::fprintf(stderr, "mrrope-app: script line %d: the worker is past %s (now %s); going on\n", line.number,
                 phase.c_str(), now.c_str());
  waiting_ = false;
  return true;
}

void Script::save_capture(const std::string& path, const Image& image) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (!stbi_write_png(path.c_str(), image.width, image.height, 4, image.rgba.data(), image.width * 4)) {
    failed_ = finished_ = true;
    failure_ = "could not write " + path;
    return;
  }
  std::fprintf(stderr, "mrrope-app: wrote %s (%dx%d)\n", path.c_str(), image.width, image.height);
}

// The windows ImGui drew last frame with their rectangles, plus a few facts
// about the session, so a test can check the layout without reading pixels.
void Script::dump_windows(App& app, const std::string& path) {
  std::ofstream out(path);
  const ImGuiContext& g = *ImGui::GetCurrentContext();
  out << "{\n  \"display\": [" << g.IO.DisplaySize.x << ", " << g.IO.DisplaySize.y << "],\n";
  // The font as drawn (size), as rasterized in the atlas, and any resampling on top.
  const ImFont* font = g.IO.Fonts->Fonts.empty() ? nullptr : g.IO.Fonts->Fonts[0];
  out << "  \"font\": {\"size\": " << ImGui::GetFontSize() << ", \"atlas_size\": " << (font ? font->FontSize : 0.0f)
      << ", \"global_scale\": " << g.IO.FontGlobalScale << ", \"content_scale\": "
      << (target_ ? target_->content_scale() : 1.0f) << "},\n";
  out << "  \"active_tab\": \"" << json_escape(app.active_tab()) << "\",\n  \"windows\": [\n";
  bool first = true;
  for (const ImGuiWindow* w : g.Windows) {
    if (!w->WasActive || (w->Flags & ImGuiWindowFlags_ChildWindow) || w->Hidden) continue;
    out << (first ? "" : ",\n") << "    {\"name\": \"" << json_escape(w->Name) << "\", \"rect\": [" << w->Pos.x << ", "
        << w->Pos.y << ", " << w->Size.x << ", " << w->Size.y << "]}";
    first = false;
  }
  out << "\n  ],\n  \"comparison\": [";
  first = true;
  for (const Answer& a : app.session().comparison()) {
    out << (first ? "" : ", ") << "{\"method\": \"" << a.method << "\", \"tokens\": " << a.new_tokens
        << ", \"loss_points\": " << a.loss.size() << ", \"seconds\": " << a.seconds << ", \"text\": \""
        << json_escape(a.text) << "\"}";
    first = false;
  }
  const Answer a = app.session().answer();
  const AttentionSnapshot att = app.session().attention();
  out << "],\n  \"answer\": {\"method\": \"" << a.method << "\", \"tokens\": " << a.new_tokens << ", \"text\": \""
      << json_escape(a.text) << "\"},\n  \"attention\": {\"valid\": " << (att.valid ? "true" : "false")
      << ", \"tokens\": " << att.probe.tokens << "},\n";
  const EvalState ev = app.session().evaluation();
  const EvalViewState& view = app.eval_view();
  out << "  \"evaluation\": {\"task\": \"" << (ev.request.perplexity ? "ppl" : ev.request.config.task)
      << "\", \"rows\": " << ev.rows() << ", \"total\": " << ev.progress.total << ", \"filled\": "
      << view.grid_filled << ", \"grid\": [" << view.grid_rect[0] << ", " << view.grid_rect[1] << ", "
      << view.grid_rect[2] << ", " << view.grid_rect[3] << "], \"error\": \"" << json_escape(ev.error)
      << "\", \"cancelled\": " << (ev.cancelled ? "true" : "false") << ", \"exported\": [";
  for (size_t i = 0; i < view.last_export.written.size(); ++i)
    out << (i ? ", " : "") << "\"" << json_escape(view.last_export.written[i]) << "\"";
  out << "]}\n}\n";
  std::fprintf(stderr, "mrrope-app: wrote %s\n", path.c_str());
}

}  // namespace mrrope::ui
