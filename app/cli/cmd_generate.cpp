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

int run_generate(const std::vector<std::string>& argv) {
  std::vector<std::string> args = argv;
  const ModelOptions options = parse_model_options(args);
  std::optional<std::string> prompt;
  for (size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "-p" || args[i] == "--prompt") && i + 1 < args.size()) prompt = args[++i];
    else if ((args[i] == "-f" || args[i] == "--file") && i + 1 < args.size()) prompt = read_text_file(args[++i]);
    else throw std::invalid_argument("unknown argument '" + args[i] + "' (see mrrope-cli help generate)");
  }
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

MRROPE_CLI_COMMAND(generate, "generate", "continue a prompt with streamed output and tokens/s",
                   "mrrope-cli generate [-p TEXT | -f FILE] [model options]\n"
                   "Without -p or -f the prompt is \"Once upon a time\". (see `mrrope-cli help options`)",
                   run_generate);

}  // namespace mrrope::cli
