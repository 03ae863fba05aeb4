// mrrope-cli help options: the options shared by every command that runs a model.
#include <cstdio>

#include "command.h"
#include "model_options.h"

namespace mrrope::cli {
namespace {

int run_options(const std::vector<std::string>&) {
  std::fputs(model_options_usage(), stdout);
  return 0;
}

}  // namespace

MRROPE_CLI_COMMAND(options, "options", "print the model, sampling and RoPE options shared by commands",
                   "mrrope-cli options", run_options);

}  // namespace mrrope::cli
