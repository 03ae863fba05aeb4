#include "ui/script/script.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include <imgui.h>
#include <imgui_internal.h>  // the window list, for dump-windows
#include <stb_image_write.h>

#include "options/option_table.h"
#include "ui/app.h"
#include "ui/panels/workspace_tabs.h"
#include "ui/platform/fps_recorder.h"
#include "ui/script/script_args.h"
#include "ui/widgets/click_targets.h"

namespace mrrope::ui {
namespace {

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
  if (std::string why = apply_eval_args(arg, app.eval_tab().inputs()); !why.empty()) return why;
  return app.eval_tab().run();
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
    Line line{number, body.substr(0, sp), sp == std::string::npos ? "" : body.substr(sp + 1), nullptr};
    for (const Command& c : commands())
      if (line.command == c.name) line.run = &c;
    if (!line.run)
      throw std::runtime_error("script line " + std::to_string(number) + ": unknown command '" + line.command + "'");
    lines_.push_back(line);
  }
  if (lines_.empty()) throw std::runtime_error("the script has no commands");
}

std::string Script::demo_text(const std::string& source_dir) {
  return "# The demo: bundled model, a ~350-token document and a question, a 2200-token document asked\n"
         "# under three methods side by side, a tiny sweep, then the side by side over a three-turn conversation.\n"
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
         "# Extension at work: a document of 4x the native 512 tokens, a fact in its middle, asked under\n"
         "# none (fails past 512), yarn and mrrope-pro (S auto: both answer).\n"
         "clear-documents\n"
         "document " + source_dir + "/assets/demo/ecclesiastes_1-3_with_a_fact.txt\n"
         "question What is the special magic number for vineyard?\n"
         "max-tokens 14\n"
         "scale auto\n"
         "tab Side by side\n"
         "compare none yarn mrrope-pro\n"
         "wait\n"
         "expect-compare-answer none !4071932\n"
         "expect-compare-answer yarn 4071932\n"
         "expect-compare-answer mrrope-pro 4071932\n"
         "screenshot side_by_side.png\n"
         "quit\n";
}

Script::Done Script::fail(const Line& line, const std::string& why) {
  failed_ = finished_ = true;
  failure_ = "script line " + std::to_string(line.number) + " (" + line.command + "): " + why;
  return Done::Wait;
}

std::optional<std::string> Script::step(App& app) {
  while (!finished_ && next_ < lines_.size()) {
    if (settle_frames_ > 0) {  // let the UI draw the new state before looking at it
      --settle_frames_;
      return std::nullopt;
    }
    const Line& line = lines_[next_];
    Done done = Done::Wait;
    try {
      done = line.run->run(*this, app, line);
    } catch (const std::exception& e) {  // a bad argument (the number parser names the command)
      done = fail(line, e.what());
    }
    if (done == Done::Wait) return std::nullopt;
    ++next_;
    if (done == Done::Capture) return std::exchange(capture_, "");
  }
  if (next_ >= lines_.size()) finished_ = true;
  return std::nullopt;
}

Script::Done Script::hold_until(bool ready, const Line& line, const std::string& what) {
  if (!waiting_) waiting_ = true, wait_start_ = std::chrono::steady_clock::now();
  if (ready) {
    waiting_ = false;
    return Done::Next;
  }
  if (std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start_).count() > wait_limit_)
    return fail(line, "timed out waiting for " + what);
  return Done::Wait;
}

Script::Done Script::wait_for_worker(App& app, const Line& line) {
  if (!waiting_) {
    waiting_ = true;
    wait_start_ = std::chrono::steady_clock::now();
    if (!line.arg.empty()) wait_limit_ = parse_number("wait", line.arg);
    settle_frames_ = 1;  // jobs queued this frame show up as busy
    return Done::Wait;
  }
  if (app.session().busy()) return hold_until(false, line, "the worker");
  waiting_ = false;
  if (const std::string err = app.session().last_error(); !err.empty()) return fail(line, err);
  for (const Answer& a : app.session().comparison())
    if (!a.error.empty()) return fail(line, a.method + ": " + a.error);
  for (const auto& thread : app.session().thread_comparison())
    for (const Answer& a : thread)
      if (!a.error.empty()) return fail(line, a.method + "'s thread: " + a.error);
  if (const Answer a = app.session().answer(); !a.error.empty()) return fail(line, a.error);
  if (const EvalState e = app.session().evaluation(); !e.error.empty()) return fail(line, "evaluation: " + e.error);
  settle_frames_ = 2;
  return Done::Next;
}

// The commands: name, argument syntax, help and what it does. Lambdas here
// see Script's private state (they are defined in a member function).
const std::vector<Script::Command>& Script::commands() {
  using S = Script;
  static const std::vector<Command> table = {
      // --- model, documents and the question
      {"model", "PATH|default", "open a model (default: the bundled one)",
       [](S&, App& app, const Line& line) {
         app.model_panel().open(line.arg == "default" || line.arg.empty() ? default_model_path() : line.arg);
         return Done::Next;
       }},
      {"document", "PATH", "add a document",
       [](S& s, App& app, const Line& line) {
         if (!std::filesystem::exists(line.arg)) return s.fail(line, "no such file: " + line.arg);
         app.document_panel().open(line.arg);
         return Done::Next;
       }},
      {"clear-documents", "", "remove every document (as each one's x button)",
       [](S&, App& app, const Line&) {
         app.session().clear_documents();
         return Done::Next;
       }},
      {"drop", "PATH...", "as files dropped on the window (documents; .gguf a model; .json a conversation)",
       [](S& s, App& app, const Line& line) {
         std::vector<std::string> paths;
         std::istringstream words(line.arg);
         for (std::string p; words >> p;) paths.push_back(p);
         if (paths.empty()) return s.fail(line, "drop needs one or more paths");
         app.drop_files(paths);  // as GLFW's drop callback
         return Done::Next;
       }},
      {"wait-document", "NAME", "until a document named NAME is open (e.g. dropped by another program); 120 s at most",
       [](S& s, App& app, const Line& line) {
         if (!s.waiting_) s.waiting_ = true, s.wait_start_ = std::chrono::steady_clock::now();
         bool there = false;
         if (const auto doc = app.session().document())
           for (const DocumentPart& part : doc->parts) there |= part.name == line.arg;
         if (there && !app.session().busy()) {
           s.waiting_ = false;
           std::fprintf(stderr, "mrrope-app: document '%s' is open\n", line.arg.c_str());
           return Done::Next;
         }
         if (std::chrono::duration<double>(std::chrono::steady_clock::now() - s.wait_start_).count() > 120)
           return s.fail(line, "no document named '" + line.arg + "' within 120 s");
         return Done::Wait;
       }},
      {"paste", "TEXT", "as text pasted into the Document panel (\\n: a line break)",
       [](S& s, App& app, const Line& line) {
         // As Paste from clipboard: the text becomes a document with no file.
         std::string text;
         for (size_t i = 0; i < line.arg.size(); ++i) {
           if (line.arg.compare(i, 2, "\\n") == 0) text += '\n', ++i;
           else text += line.arg[i];
         }
         if (text.empty()) return s.fail(line, "paste needs some text");
         app.session().add_document_text("pasted text", std::move(text));
         return Done::Next;
       }},
      {"question", "TEXT", "what the question box holds",
       [](S&, App& app, const Line& line) {
         app.qa_tab().set_question(line.arg);
         return Done::Next;
       }},
      {"max-tokens", "N | past-window N",
       "the answers' token limit; past-window N: such that the next turn overflows the window by N",
       [](S& s, App& app, const Line& line) {
         if (line.arg.rfind("past-window ", 0) == 0) {  // drives the fit choice
           const int over = parse_int("past-window", line.arg.substr(12));
           const std::string why = app.qa_tab().set_max_new_tokens_past_window(over);
           if (!why.empty()) return s.fail(line, why);
         } else {
           app.qa_tab().set_max_new_tokens(parse_int("max-tokens", line.arg));
         }
         return Done::Next;
       }},
      {"method", "NAME", "the RoPE method",
       [](S&, App& app, const Line& line) {
         app.method_panel().choice().method = parse_rope_method(line.arg);
         return Done::Next;
       }},
      {"scale", "S|auto", "the RoPE scale",
       [](S&, App& app, const Line& line) {
         app.method_panel().choice().set_user_scale(line.arg == "auto" ? 0.0 : parse_number("scale", line.arg));
         return Done::Next;
       }},
      {"kv-cache", "f16|q8_0", "the KV cache type of the next decoder",
       [](S& s, App& app, const Line& line) {
         const auto type = kv_cache_type_from_name(line.arg);
         if (!type) return s.fail(line, "kv-cache takes f16 or q8_0, not '" + line.arg + "'");
         app.session().set_kv_type(*type);
         return Done::Next;
       }},
      // --- running and waiting
      {"ask", "", "the question as the conversation's next turn",
       [](S&, App& app, const Line&) {
         app.qa_tab().ask();
         return Done::Next;
       }},
      {"wait", "[SECONDS]", "until the worker is idle; fails on a job's error (SECONDS: the time limit, default 900)",
       [](S& s, App& app, const Line& line) { return s.wait_for_worker(app, line); }},
      {"wait-phase", "prefill|generation [FRACTION]", "until a job is part-way (0..1 of the phase), for screenshots",
       [](S& s, App& app, const Line& line) { return s.wait_phase(app, line); }},
      {"click", "LABEL",
       "click the widget labelled LABEL with ImGui's mouse and check it reported the press: a button, tab, checkbox,"
       " combo box, menu button, list entry, or an entry of a combo box or menu (opened first); \"Ask\" for"
       " \"Ask (Ctrl+Enter)\", \"Stop##compare\" when two match, \"Method > yarn\" for a combo box's entry",
       [](S& s, App& app, const Line& line) { return s.click(app, line); }},
      {"cancel", "", "as the Cancel button: the running job stops, finished sweep runs stay",
       [](S&, App& app, const Line&) {
         app.session().cancel();
         return Done::Next;
       }},
      {"quit", "", "end the run",
       [](S& s, App&, const Line&) {
         s.finished_ = true;
         return Done::Next;
       }},
      // --- the conversation
      {"new-conversation", "", "as New conversation",
       [](S&, App& app, const Line&) {
         app.qa_tab().new_conversation();
         return Done::Next;
       }},
      {"regenerate", "", "as Regenerate",
       [](S&, App& app, const Line&) {
         app.qa_tab().regenerate();
         return Done::Next;
       }},
      {"edit-last", "", "the last question back into the box",
       [](S&, App& app, const Line&) {
         app.qa_tab().edit_last();
         return Done::Next;
       }},
      {"conversation-save", "FILE.json", "save the conversation",
       [](S& s, App& app, const Line& line) {
         if (line.arg.empty()) return s.fail(line, "conversation-save needs a file name");
         const std::string err = app.qa_tab().save_conversation(s.output_path(line.arg));
         if (!err.empty()) return s.fail(line, err);
         std::fprintf(stderr, "mrrope-app: %s\n", app.qa_tab().message().c_str());
         return Done::Next;
       }},
      {"conversation-open", "FILE.json", "open a saved conversation",
       [](S& s, App& app, const Line& line) {
         if (line.arg.empty()) return s.fail(line, "conversation-open needs a file name");
         const std::string err = app.qa_tab().open_conversation(s.output_path(line.arg));
         if (!err.empty()) return s.fail(line, err);
         std::fprintf(stderr, "mrrope-app: %s\n", app.qa_tab().message().c_str());
         return Done::Next;
       }},
      {"conversation-export", "[DIR]", "export the conversation (default conversation/)",
       [](S& s, App& app, const Line& line) {
         std::vector<std::string> written;
         const std::string err =
             app.qa_tab().export_conversation(s.output_path(line.arg.empty() ? "conversation" : line.arg), &written);
         if (!err.empty()) return s.fail(line, err);
         for (const auto& path : written) std::fprintf(stderr, "mrrope-app: wrote %s\n", path.c_str());
         return Done::Next;
       }},
      {"expect-document-message", "TEXT", "once the worker is idle, the Document panel's message holds TEXT",
       [](S& s, App& app, const Line& line) {
         if (!s.waiting_) s.settle_frames_ = 1;  // the worker takes the file next frame
         if (const Done d = s.hold_until(!app.session().busy() && s.waiting_, line, "the worker"); d != Done::Next)
           return d;
         const std::string m = app.session().document_message();
         if (m.find(line.arg) == std::string::npos)
           return s.fail(line, "the document message is '" + m + "', expected it to hold '" + line.arg + "'");
         std::fprintf(stderr, "mrrope-app: document message: %s\n", m.c_str());
         app.session().clear_document_message();
         s.settle_frames_ = 2;
         return Done::Next;
       }},
      {"expect-question", "TEXT", "the question box holds TEXT",
       [](S& s, App& app, const Line& line) {
         if (app.qa_tab().question() != line.arg)
           return s.fail(line, "the question box holds '" + app.qa_tab().question() + "', expected '" + line.arg + "'");
         return Done::Next;
       }},
      {"expect-turns", "N", "the conversation has N turns",
       [](S& s, App& app, const Line& line) {
         const int n = parse_int("expect-turns", line.arg);
         app.qa_tab().sync();
         const int have = static_cast<int>(app.qa_tab().conversation().turns.size());
         if (have != n)
           return s.fail(line, "the conversation has " + std::to_string(have) + " turns, expected " + line.arg);
         return Done::Next;
       }},
      {"expect-reuse", "[restored]",
       "the last turn prefilled fewer tokens than it took from the KV cache (restored: from the thread's saved copy)",
       [](S& s, App& app, const Line& line) {
         app.qa_tab().sync();
         const auto& turns = app.qa_tab().conversation().turns;
         if (turns.size() < 2) return s.fail(line, "expect-reuse needs two turns or more");
         if (!line.arg.empty() && line.arg != "restored") return s.fail(line, "expect-reuse takes nothing or restored");
         const ConversationTurn& t = turns.back();
         if (t.cached_tokens <= 0 || t.prefilled_tokens >= t.cached_tokens)
           return s.fail(line, "the last turn took " + std::to_string(t.cached_tokens) +
                                   " prompt tokens from the cache and prefilled " +
                                   std::to_string(t.prefilled_tokens) + ": the documents were not reused");
         const int restored = t.restored_tokens;
         if (line.arg == "restored" && restored <= 0)
           return s.fail(line, "the last turn's cached tokens were not restored from a saved copy");
         std::fprintf(stderr, "mrrope-app: turn %zu: %d prompt tokens, %d from the cache (%d restored), %d prefilled\n",
                      turns.size(), t.prompt_tokens, t.cached_tokens, restored, t.prefilled_tokens);
         return Done::Next;
       }},
      {"expect-fit", "", "the next turn does not fit: the choice is showing",
       [](S& s, App& app, const Line& line) {
         const std::optional<FitProblem>& fit = app.qa_tab().fit_problem();
         if (!fit) return s.fail(line, "the next turn was expected not to fit, and no choice is offered");
         std::fprintf(stderr, "mrrope-app: does not fit: %d tokens needed, the window holds %d\n", fit->needed,
                      fit->window);
         return Done::Next;
       }},
      {"resolve-fit", "larger|drop", "answer the fit choice: a larger S, or drop the oldest turns",
       [](S& s, App& app, const Line& line) {
         if (line.arg != "larger" && line.arg != "drop") return s.fail(line, "resolve-fit takes larger or drop");
         if (!app.qa_tab().fit_problem()) return s.fail(line, "there is no choice to make");
         app.qa_tab().resolve_fit(line.arg == "larger");
         return Done::Next;
       }},
      // --- side by side
      {"compare", "M1 M2 [M3 M4]", "the question box under 2-4 methods side by side (then `wait`)",
       [](S& s, App& app, const Line& line) {
         std::vector<RopeMethod> methods;
         if (const std::string why = parse_compare_methods(line.arg, &methods, nullptr); !why.empty())
           return s.fail(line, why);
         app.compare_tab().compare(methods);
         return Done::Next;
       }},
      {"compare-conversation", "M1 M2 [M3 M4] [then-question]",
       "the conversation's questions (then the question box's) under each method, each in a thread of its own",
       [](S& s, App& app, const Line& line) {
         std::vector<RopeMethod> methods;
         bool then_question = false;
         if (const std::string why = parse_compare_methods(line.arg, &methods, &then_question); !why.empty())
           return s.fail(line, why);
         if (const std::string why = app.compare_tab().compare_conversation(methods, then_question); !why.empty())
           return s.fail(line, why);
         return Done::Next;
       }},
      {"compare-follow-up", "", "the question box in every method's thread",
       [](S& s, App& app, const Line& line) {
         if (const std::string why = app.compare_tab().compare_follow_up(); !why.empty()) return s.fail(line, why);
         return Done::Next;
       }},
      {"expect-compare-loss", "",
       "every column the side by side shows (a thread, or a method of the one question) has its loss curve over the"
       " documents (a point per document token but the last)",
       [](S& s, App& app, const Line& line) {
         const std::vector<LossCurve> curves = app.compare_tab().loss_curves();
         if (curves.empty()) return s.fail(line, "no side-by-side answers");
         const bool threads = app.compare_tab().shows_threads();
         const auto doc = app.session().document();
         const size_t points = doc && doc->tokens > 0 ? size_t(doc->tokens) : 0;  // BOS + tokens, the last predicts nothing
         for (const LossCurve& c : curves) {
           const std::string what = c.method + (threads ? " thread" : " (one question)");
           if (c.loss.empty() || c.loss.size() != points)
             return s.fail(line, what + " has a loss curve of " + std::to_string(c.loss.size()) + " points, expected " +
                                     std::to_string(points));
           std::fprintf(stderr, "mrrope-app: %s: loss curve of %zu points\n", what.c_str(), c.loss.size());
         }
         return Done::Next;
       }},
      {"compare-export", "[DIR]", "export the side by side (default side_by_side/)",
       [](S& s, App& app, const Line& line) {
         std::vector<std::string> written;
         const std::string dir = s.output_path(line.arg.empty() ? "side_by_side" : line.arg);
         const std::string err = app.compare_tab().export_thread_comparison(dir, &written);
         if (!err.empty()) return s.fail(line, err);
         for (const auto& path : written) std::fprintf(stderr, "mrrope-app: wrote %s\n", path.c_str());
         return Done::Next;
       }},
      {"expect-compare-answer", "METHOD [!]TEXT",
       "the one-question comparison's answer under METHOD contains TEXT (with !: does not)",
       [](S& s, App& app, const Line& line) {
         const size_t space = line.arg.find(' ');
         if (space == std::string::npos) return s.fail(line, "expected METHOD and TEXT");
         const std::string method = line.arg.substr(0, space);
         std::string text = line.arg.substr(space + 1);
         const bool absent = !text.empty() && text[0] == '!';
         if (absent) text.erase(0, 1);
         for (const Answer& a : app.session().comparison()) {
           if (a.method != method) continue;
           if ((a.text.find(text) != std::string::npos) == absent)
             return s.fail(line, method + " answered \"" + a.text + "\"");
           std::fprintf(stderr, "mrrope-app: %s answered \"%s\"\n", method.c_str(), a.text.c_str());
           return Done::Next;
         }
         return s.fail(line, "no answer under " + method + " in the side by side");
       }},
      {"expect-compare-turns", "N", "every thread has N answered turns",
       [](S& s, App& app, const Line& line) {
         const ThreadComparison& tc = app.compare_tab().thread_comparison();
         const size_t n = size_t(std::max(0, parse_int("expect-compare-turns", line.arg)));
         if (tc.empty()) return s.fail(line, "no side-by-side conversation");
         for (const Conversation& t : tc.threads) {
           size_t answered = 0;
           for (const ConversationTurn& turn : t.turns) answered += turn.done && turn.error.empty();
           if (answered != n)
             return s.fail(line, t.settings.method + "'s thread has " + std::to_string(answered) +
                                     " answered turns, expected " + line.arg);
         }
         return Done::Next;
       }},
      {"expect-compare-reuse", "[N]", "every thread's turn N (default 2) took the documents from its KV cache",
       [](S& s, App& app, const Line& line) {
         const ThreadComparison& tc = app.compare_tab().thread_comparison();
         if (tc.empty()) return s.fail(line, "no side-by-side conversation");
         const int n = line.arg.empty() ? 2 : parse_int("expect-compare-reuse", line.arg);
         if (n < 2) return s.fail(line, "turn 1 has nothing cached: N is 2 or more");
         const std::string turn_name = "turn " + std::to_string(n);
         for (const Conversation& t : tc.threads) {
           if (t.turns.size() < size_t(n)) return s.fail(line, t.settings.method + "'s thread has no " + turn_name);
           const ConversationTurn& turn = t.turns[size_t(n) - 1];
           if (turn.cached_tokens <= 0 || turn.prefilled_tokens >= turn.cached_tokens)
             return s.fail(line, t.settings.method + "'s " + turn_name + " took " + std::to_string(turn.cached_tokens) +
                                     " tokens from the cache and prefilled " + std::to_string(turn.prefilled_tokens));
           std::fprintf(stderr, "mrrope-app: %s %s: %d prompt tokens, %d from the cache (%d restored), %d prefilled\n",
                        t.settings.method.c_str(), turn_name.c_str(), turn.prompt_tokens, turn.cached_tokens,
                        turn.restored_tokens, turn.prefilled_tokens);
         }
         return Done::Next;
       }},
      // --- evaluation
      {"eval", "passkey|needle|ppl|TASK [methods=M1,M2] [lengths=256,1K] [depths=0,50,100] [trials=N] [seed=N]",
       "start the Evaluation tab's sweep (depths in %; then `wait`)",
       [](S& s, App& app, const Line& line) {
         if (const std::string why = start_eval(app, line.arg); !why.empty()) return s.fail(line, why);
         return Done::Next;
       }},
      {"wait-eval", "N", "until the sweep has N finished runs (or has ended)",
       [](S& s, App& app, const Line& line) {
         int n = 0;
         try {
           n = parse_int("wait-eval", line.arg);
         } catch (const std::invalid_argument&) {
         }
         if (n < 1) return s.fail(line, "wait-eval needs a number of runs (1 or more)");
         const EvalState e = app.session().evaluation();
         if (!e.error.empty()) return s.fail(line, "evaluation: " + e.error);
         const Done d = s.hold_until(!e.busy() || e.rows() >= n, line, "the sweep");
         if (d == Done::Next) s.settle_frames_ = 2;
         return d;
       }},
      {"eval-export", "[DIR]", "results.csv/.json and the PNG into DIR (default eval/)",
       [](S& s, App& app, const Line& line) {
         const EvalExport x = app.eval_tab().export_results(s.output_path(line.arg.empty() ? "eval" : line.arg));
         if (!x.error.empty()) return s.fail(line, x.error);
         for (const auto& path : x.written) std::fprintf(stderr, "mrrope-app: wrote %s\n", path.c_str());
         return Done::Next;
       }},
      // --- the window and pictures
      {"tab", "NAME", "show a tab (" + workspace_tab_names() + ")",
       [](S& s, App& app, const Line& line) {
         if (!find_workspace_tab(line.arg))
           return s.fail(line, "no tab named '" + line.arg + "' (" + workspace_tab_names() + ")");
         app.select_tab(line.arg);
         s.settle_frames_ = 3;
         return Done::Next;
       }},
      {"expect-tab", "NAME", "the tab shown is NAME",
       [](S& s, App& app, const Line& line) {
         if (app.active_tab() != line.arg)
           return s.fail(line, "the tab shown is '" + app.active_tab() + "', expected '" + line.arg + "'");
         return Done::Next;
       }},
      {"expect-widget", "LABEL = VALUE",
       "the widget on screen labelled LABEL (as click finds it) shows VALUE: a checkbox on or off, a combo box its"
       " choice, a tab shown, a tree node open or closed",
       [](S& s, App&, const Line& line) {
         const size_t eq = line.arg.find(" = ");
         if (eq == std::string::npos) return s.fail(line, "expect-widget needs LABEL = VALUE");
         const std::string label = line.arg.substr(0, eq), want = line.arg.substr(eq + 3);
         std::string why;
         const std::optional<ClickMatch> m = find_click_target(click_targets(), label, &why);
         if (!m || m->opener) return s.fail(line, m ? "'" + label + "' is not on screen: its combo box or menu is closed" : why);
         if (m->target.value != want)
           return s.fail(line, std::string("the ") + click_kind_name(m->target.kind) + " '" + m->target.text + "' shows '" +
                                   m->target.value + "', expected '" + want + "'");
         return Done::Next;
       }},
      {"expect-setting", "KEY VALUE",
       "what the app would remember under KEY (model, method, scale, document, kv_cache, recent_documents...) is VALUE",
       [](S& s, App& app, const Line& line) {
         const size_t sp = line.arg.find(' ');
         if (sp == std::string::npos) return s.fail(line, "expect-setting needs a key and a value");
         const std::string key = line.arg.substr(0, sp), want = line.arg.substr(sp + 1);
         const std::string have = app.current_settings().get(key);
         if (have != want) return s.fail(line, "the setting " + key + " is '" + have + "', expected '" + want + "'");
         std::fprintf(stderr, "mrrope-app: setting %s = %s\n", key.c_str(), have.c_str());
         return Done::Next;
       }},
      {"schedule-length", "T", "the Schedule tab's T (0 = the document's)",
       [](S&, App& app, const Line& line) {
         app.schedule_tab().set_length(parse_int("schedule-length", line.arg));
         return Done::Next;
       }},
      {"resize", "W H", "resize the window (exercises swapchain recreation)",
       [](S& s, App&, const Line& line) {
         int w = 0, h = 0;
         if (std::sscanf(line.arg.c_str(), "%d %d", &w, &h) != 2 || w < 200 || h < 200)
           return s.fail(line, "resize needs W H (at least 200 each)");
         if (s.target_) s.target_->resize(w, h);
         s.settle_frames_ = 4;
         return Done::Next;
       }},
      {"content-scale", "S", "1-4: text and widgets as on a monitor of S x 96 dpi",
       [](S& s, App&, const Line& line) {
         double scale = 0;
         try {
           scale = parse_number("content-scale", line.arg);
         } catch (const std::invalid_argument&) {
         }
         if (!(scale >= 1.0 && scale <= 4.0)) return s.fail(line, "content-scale needs a number from 1 to 4");
         if (s.target_) s.target_->set_content_scale(static_cast<float>(scale));
         s.settle_frames_ = 4;
         return Done::Next;
       }},
      {"screenshot", "FILE.png", "capture the next frame",
       [](S& s, App&, const Line& line) {
         s.capture_ = s.output_path(line.arg);
         return Done::Capture;
       }},
      {"attention-png", "FILE.png", "as the attention heatmap's Save PNG (the tab is shown first)",
       [](S& s, App& app, const Line& line) { return s.panel_png(app, line, true); }},
      {"compare-png", "FILE.png", "as the side-by-side answers' Save PNG, paged when taller than the view",
       [](S& s, App& app, const Line& line) { return s.panel_png(app, line, false); }},
      {"wait-png", "", "until a Save PNG in progress (a clicked button) has written its file; fails on its error",
       [](S& s, App& app, const Line& line) {
         if (const Done d = s.hold_until(!app.panel_png().pending(), line, "the PNG"); d != Done::Next) return d;
         const PanelPngResult& r = app.panel_png().result();
         if (!r.error.empty()) return s.fail(line, r.error);
         if (r.path.empty()) return s.fail(line, "no Save PNG was asked for");
         std::fprintf(stderr, "mrrope-app: wrote %s (%dx%d, %d pages)\n", r.path.c_str(), r.width, r.height, r.pages);
         return Done::Next;
       }},
      {"dump-windows", "FILE.json", "the windows drawn last frame and a few facts about the session",
       [](S& s, App& app, const Line& line) {
         s.dump_windows(app, s.output_path(line.arg));
         return Done::Next;
       }},
      {"fps-start", "", "record frame times from here",
       [](S& s, App&, const Line& line) {
         if (!s.fps_) return s.fail(line, "FPS recording is not available in this run");
         s.fps_->start(FpsRecorder::clock_now());
         return Done::Next;
       }},
      {"fps-report", "FILE.json", "write the frame times recorded since fps-start",
       [](S& s, App& app, const Line& line) {
         if (!s.fps_) return s.fail(line, "FPS recording is not available in this run");
         if (line.arg.empty()) return s.fail(line, "fps-report needs a file name");
         const std::string err = s.fps_->write(s.output_path(line.arg), app.session().device().name);
         if (!err.empty()) return s.fail(line, err);
         return Done::Next;
       }},
  };
  return table;
}

std::string Script::commands_help() {
  std::string out = "script commands (one per line, # comments):\n";
  for (const Command& c : commands()) {
    std::string label = std::string(c.name) + (*c.args ? " " + std::string(c.args) : "");
    out += "  " + label + "\n      " + c.help + "\n";
  }
  return out;
}

// As the panel's Save PNG button: its tab shows, a settled frame is cropped and written.
Script::Done Script::panel_png(App& app, const Line& line, bool attention) {
  if (line.arg.empty()) return fail(line, line.command + " needs a file name");
  if (!waiting_) {
    const PanelShot which = attention ? PanelShot::Attention : PanelShot::Compare;
    if (const std::string why = app.panel_png().request(which, output_path(line.arg)); !why.empty())
      return fail(line, why);
    waiting_ = true, wait_start_ = std::chrono::steady_clock::now();
    return Done::Wait;
  }
  if (const Done d = hold_until(!app.panel_png().pending(), line, "the PNG"); d != Done::Next) return d;
  const PanelPngResult& r = app.panel_png().result();
  if (!r.error.empty()) return fail(line, r.error);
  std::fprintf(stderr, "mrrope-app: wrote %s (%dx%d, %d pages)\n", r.path.c_str(), r.width, r.height, r.pages);
  return Done::Next;
}

std::string Script::output_path(const std::string& name) const {
  std::filesystem::path p(name);
  if (p.is_absolute() || output_dir_.empty()) return name;
  return (std::filesystem::path(output_dir_) / p).string();
}

// wait-phase PHASE [FRACTION]: holds the script until the worker is in PHASE
// (prefill or generation) with at least FRACTION (0..1) of it done, so a
// screenshot can show a job in progress. If the job got past it unseen (a
// fast GPU), the script goes on with a note: there is nothing left to wait for.
Script::Done Script::wait_phase(App& app, const Line& line) {
  std::istringstream args(line.arg);
  std::string phase, extra;
  double fraction = 0;
  args >> phase;
  if (phase != "prefill" && phase != "generation")
    return fail(line, "wait-phase wants prefill or generation, got '" + phase + "'");
  if (!args.eof() && (!(args >> fraction) || fraction < 0 || fraction > 1 || (args >> extra)))
    return fail(line, "wait-phase's FRACTION must be a number from 0 to 1");
  if (!waiting_) {
    waiting_ = true;
    wait_start_ = std::chrono::steady_clock::now();
    settle_frames_ = 1;  // jobs queued this frame show up as busy
    return Done::Wait;
  }
  const Progress p = app.session().progress();
  const std::string now = FpsRecorder::phase_of(p.busy, p.what);
  const bool there = now == phase && (p.total <= 0 || p.fraction() >= fraction);
  const bool passed = !p.busy || (phase == "prefill" && now == "generation");
  if (!there && !passed) return hold_until(false, line, phase);
  if (!there)
    std::fprintf(stderr, "mrrope-app: script line %d: the worker is past %s (now %s); going on\n", line.number,
                 phase.c_str(), now.c_str());
  waiting_ = false;
  return Done::Next;
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
  const EvalTab& view = app.eval_tab();
  const std::array<float, 4>& grid = view.grid_rect();
  out << "  \"evaluation\": {\"task\": \"" << (ev.request.perplexity ? "ppl" : ev.request.config.task)
      << "\", \"rows\": " << ev.rows() << ", \"total\": " << ev.progress.total << ", \"filled\": "
      << view.grid_filled() << ", \"grid\": [" << grid[0] << ", " << grid[1] << ", " << grid[2] << ", " << grid[3]
      << "], \"error\": \"" << json_escape(ev.error) << "\", \"cancelled\": " << (ev.cancelled ? "true" : "false")
      << ", \"exported\": [";
  for (size_t i = 0; i < view.last_export().written.size(); ++i)
    out << (i ? ", " : "") << "\"" << json_escape(view.last_export().written[i]) << "\"";
  out << "]}\n}\n";
  std::fprintf(stderr, "mrrope-app: wrote %s\n", path.c_str());
}

}  // namespace mrrope::ui
