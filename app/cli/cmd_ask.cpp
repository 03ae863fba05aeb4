// mrrope-cli ask: a question about a document, through the model's chat
// template (plain continuation for base models), with the RoPE method of choice.
#include <cstdio>

#include "command.h"
#include "engine/generate.h"
#include "run_model.h"

namespace mrrope::cli {
namespace {

int run_ask(const std::vector<std::string>& argv) {
  std::vector<std::string> args = argv;
  ModelOptions options = parse_model_options(args);
  std::string document_path, question;
  for (size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "-d" || args[i] == "--document") && i + 1 < args.size()) document_path = args[++i];
    else if ((args[i] == "-q" || args[i] == "--question") && i + 1 < args.size()) question = args[++i];
    else throw std::invalid_argument("unknown argument '" + args[i] + "' (see mrrope-cli help ask)");
  }
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

MRROPE_CLI_COMMAND(ask, "ask", "answer a question about a document (chat template, any RoPE method)",
                   "mrrope-cli ask -d DOCUMENT -q QUESTION [model options]", run_ask);

}  // namespace mrrope::cli
