// mrrope-cli generate: continue a prompt, streaming the output, and report
// prefill and decode speed.
#include <cstdio>
#include <optional>
#include <string>

#include "command.h"
#include "engine/generate.h"
#include "run_model.h"

namespace mrrope::cli {
namespace {

constexpr const char* kDefaultPrompt = "Once upon a time";

struct GenerateArgs {
  std::optional<std::string> prompt;
  ModelOptions model;
  bool help = false;
};

OptionTable generate_options(GenerateArgs& a) {
  OptionTable table("mrrope-cli help generate");
  table.section("generate");
  table.value({"-p", "--prompt"}, "TEXT", std::string("the prompt (default \"") + kDefaultPrompt + "\")",
              [&a](const std::string&, const std::string& v) { a.prompt = v; });
  table.value({"-f", "--file"}, "FILE", "read the prompt from FILE",
              [&a](const std::string&, const std::string& v) { a.prompt = read_text_file(v); });
  table.help_option(&a.help);
  add_model_options(table, a.model);
  return table;
}

std::string generate_help() {
  GenerateArgs unused;
  return "mrrope-cli generate [-p TEXT | -f FILE] [options]\n" + generate_options(unused).help();
}

int run_generate(const std::vector<std::string>& args) {
  GenerateArgs a;
  generate_options(a).parse(args);
  if (a.help) return print_command_help("generate");
  const ModelOptions& options = a.model;
  const std::optional<std::string>& prompt = a.prompt;
  if (prompt && prompt->empty()) throw std::invalid_argument("the prompt is empty");
  const std::string text = prompt.value_or(kDefaultPrompt);
  LoadedModel m = open_model(options);
  const auto tokens = m.engine->tokenize_prompt(text);
  prepare_decoder(m, options, static_cast<int>(tokens.size()) + options.n_predict);

  GenerateParams gp;
  gp.max_new_tokens = options.n_predict;
  gp.sampler = options.sampler;
  gp.stop = options.stop;
  GenerateCallbacks cb;
  cb.on_text = [](std::string_view s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
  };
  cb.on_prefill_progress = [](int done, int total) {
    if (total > 2048) std::fprintf(stderr, "\rprefill %d/%d", done, total);
  };
  std::fputs(text.c_str(), stdout);
  const GenerateResult r = generate(*m.engine, tokens, gp, cb);
  std::printf("\n");
  std::fprintf(stderr, "prefill: %d tokens in %.2f s (%.1f tokens/s); decode: %zu tokens in %.2f s (%.1f tokens/s); stop: %s\n",
               r.prompt_tokens, r.prefill_seconds, r.prefill_tokens_per_second(), r.tokens.size(), r.decode_seconds,
               r.decode_tokens_per_second(), r.stop_reason.c_str());
  return 0;
}

}  // namespace

MRROPE_CLI_COMMAND(generate, "generate", "continue a prompt with streamed output and tokens/s", generate_help,
                   run_generate);

}  // namespace mrrope::cli
