// mrrope-cli ask: a question about a document, through the model's chat
// template (plain continuation for base models), with the RoPE method of choice.
#include <cstdio>

#include "command.h"
#include "engine/generate.h"
#include "run_model.h"

namespace mrrope::cli {
namespace {

struct AskArgs {
  std::string document_path, question;
  ModelOptions model;
  bool help = false;
};

OptionTable ask_options(AskArgs& a) {
  OptionTable table("mrrope-cli help ask");
  table.section("ask");
  table.store({"-d", "--document"}, "FILE", "the document (UTF-8 text)", &a.document_path);
  table.store({"-q", "--question"}, "TEXT", "the question about it", &a.question);
  table.help_option(&a.help);
  add_model_options(table, a.model);
  return table;
}

std::string ask_help() {
  AskArgs unused;
  return "mrrope-cli ask -d DOCUMENT -q QUESTION [options]\n" + ask_options(unused).help();
}

int run_ask(const std::vector<std::string>& args) {
  AskArgs a;
  ask_options(a).parse(args);
  if (a.help) return print_command_help("ask");
  const ModelOptions& options = a.model;
  const std::string &document_path = a.document_path, &question = a.question;
  if (document_path.empty() || question.empty())
    throw std::invalid_argument("ask needs -d DOCUMENT and -q QUESTION");
  const std::string document = read_text_file(document_path);
  if (document.find_first_not_of(" \t\r\n") == std::string::npos)
    throw std::invalid_argument("the document '" + document_path + "' is empty");
  LoadedModel m = open_model(options);
  const auto tokens = m.engine->tokenize_question(document, question);
  std::fprintf(stderr, "document: %zu bytes, prompt %zu tokens (template: %s)\n", document.size(), tokens.size(),
               tok::chat_template_name(m.engine->chat_template()));
  prepare_decoder(m, options, static_cast<int>(tokens.size()) + options.n_predict);

  GenerateParams gp;
  gp.max_new_tokens = options.n_predict;
  gp.sampler = options.sampler;
  gp.stop = options.stop;
  if (m.engine->chat_template() == tok::ChatTemplate::None && gp.stop.empty()) gp.stop.push_back("\n");
  GenerateCallbacks cb;
  cb.on_text = [](std::string_view s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
  };
  cb.on_prefill_progress = [](int done, int total) { std::fprintf(stderr, "\rprefill %d/%d", done, total); };
  const GenerateResult r = generate(*m.engine, tokens, gp, cb);
  std::printf("\n");
  std::fprintf(stderr, "\nprefill %.1f tokens/s, decode %.1f tokens/s, stop: %s\n", r.prefill_tokens_per_second(),
               r.decode_tokens_per_second(), r.stop_reason.c_str());
  return 0;
}

}  // namespace

MRROPE_CLI_COMMAND(ask, "ask", "answer a question about a document (chat template, any RoPE method)", ask_help,
                   run_ask);

}  // namespace mrrope::cli
