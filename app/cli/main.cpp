// mrrope-cli: the headless entry point. Subcommands register themselves (command.h).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "command.h"

namespace mrrope::cli {

std::vector<Command>& command_registry() {
  static std::vector<Command> commands;
  return commands;
}

namespace {

void print_help() {
  std::printf("mrrope-cli: long-context LLM inference on Vulkan with RoPE context extension\n\n");
  std::printf("usage: mrrope-cli COMMAND [ARGS...]\n       mrrope-cli help COMMAND   (or mrrope-cli COMMAND --help)\n\ncommands:\n");
  auto commands = command_registry();
  std::sort(commands.begin(), commands.end(),
            [](const Command& a, const Command& b) { return std::strcmp(a.name, b.name) < 0; });
  for (const Command& c : commands) std::printf("  %-12s %s\n", c.name, c.summary);
  std::printf("\nenvironment:\n  MRROPE_DEVICE   pick a Vulkan device by index or by part of its name\n");
}

const Command* find_command(const std::string& name) {
  for (const Command& c : command_registry())
    if (name == c.name) return &c;
  return nullptr;
}

void print_command_help(const Command& c) {
  std::string help = c.help();
  if (help.empty() || help.back() != '\n') help += '\n';
  std::printf("%s\n\nusage: %s", c.summary, help.c_str());
}

}  // namespace

int print_command_help(const char* name) {
  print_command_help(*find_command(name));
  return 0;
}

}  // namespace mrrope::cli

int main(int argc, char** argv) {
  using namespace mrrope::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    print_help();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "help") {
    const Command* c = args.size() > 1 ? find_command(args[1]) : nullptr;
    if (!c) {
      print_help();
      return args.size() > 1 ? 2 : 0;
    }
    print_command_help(*c);
    return 0;
  }
  const Command* command = find_command(args[0]);
  if (!command) {
    std::fprintf(stderr, "mrrope-cli: unknown command '%s' (try --help)\n", args[0].c_str());
    return 2;
  }
  try {
    return command->run({args.begin() + 1, args.end()});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mrrope-cli %s: error: %s\n", command->name, e.what());
    return 1;
  }
}
