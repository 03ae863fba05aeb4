#pragma once
// Subcommands of mrrope-cli. Each lives in its own cmd_*.cpp and registers
// itself with MRROPE_CLI_COMMAND, so adding one touches no other file.
#include <string>
#include <vector>

namespace mrrope::cli {

using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* summary;  // one line for --help
  const char* usage;    // shown by `mrrope-cli help NAME` and on bad arguments
  CommandFn run;
};

std::vector<Command>& command_registry();

struct CommandRegistrar {
  explicit CommandRegistrar(Command c) { command_registry().push_back(c); }
};

#define MRROPE_CLI_COMMAND(id, ...) \
  static ::mrrope::cli::CommandRegistrar mrrope_cli_command_##id(::mrrope::cli::Command{__VA_ARGS__})

}  // namespace mrrope::cli
