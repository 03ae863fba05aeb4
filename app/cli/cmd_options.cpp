// mrrope-cli help options: the options shared by every command that runs a model.
#include <cstdio>

#include "command.h"
#include "model_options.h"

namespace mrrope::cli {
namespace {

OptionTable options_options(bool* help) {
  OptionTable table("mrrope-cli help options");
  table.help_option(help);
  return table;
}

std::string options_help() {
  bool unused = false;
  return "mrrope-cli options\n" + options_options(&unused).help();
}

int run_options(const std::vector<std::string>& args) {
  bool help = false;
  options_options(&help).parse(args);
  if (help) return print_command_help("options");
  std::fputs(model_options_usage().c_str(), stdout);
  return 0;
}

}  // namespace

MRROPE_CLI_COMMAND(options, "options", "print the model, sampling and RoPE options shared by commands", options_help,
                   run_options);

}  // namespace mrrope::cli
