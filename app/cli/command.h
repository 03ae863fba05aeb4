#pragma once
// Subcommands of mrrope-cli. Each lives in its own cmd_*.cpp and registers
// itself with MRROPE_CLI_COMMAND, so adding one touches no other file. Each
// describes its arguments in an option table (options/option_table.h), from
// which both its parsing and its help come.
#include <string>
#include <vector>

namespace mrrope::cli {

using CommandFn = int (*)(const std::vector<std::string>& args);
using HelpFn = std::string (*)();  // the usage line and every option, from the command's table

struct Command {
  const char* name;
  const char* summary;  // one line for --help
  HelpFn help;          // shown by `mrrope-cli help NAME` and `mrrope-cli NAME --help`
  CommandFn run;
};

std::vector<Command>& command_registry();
// Prints the help of the command `name` to stdout; returns 0 (for `NAME --help`).
int print_command_help(const char* name);

struct CommandRegistrar {
  explicit CommandRegistrar(Command c) { command_registry().push_back(c); }
};

#define MRROPE_CLI_COMMAND(id, ...) \
  static ::mrrope::cli::CommandRegistrar mrrope_cli_command_##id(::mrrope::cli::Command{__VA_ARGS__})

}  // namespace mrrope::cli
