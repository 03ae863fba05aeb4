#pragma once
// Taking llama.cpp-style flags out of a command line: "--flag value" or
// "--flag=value" (short forms such as "-ctk v" too). Each option module
// (KV cache type, chat template, ...) takes its own flags and leaves the rest
// in order for the command.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mrrope {

struct TakenFlag {
  std::string flag;                  // as named, without "=value"
  std::optional<std::string> value;  // nullopt when the flag ended the list
};

// Removes every occurrence of the flags in `names` from `args`, keeping the
// other arguments in order, and returns them in the order given.
std::vector<TakenFlag> take_flags(std::vector<std::string>& args, const std::vector<std::string_view>& names);

}  // namespace mrrope
