#include "engine/cli_flags.h"

#include <algorithm>

namespace mrrope {

std::vector<TakenFlag> take_flags(std::vector<std::string>& args, const std::vector<std::string_view>& names) {
  std::vector<TakenFlag> taken;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const size_t eq = a.find('=');
    std::string flag = a.substr(0, eq);
    if (std::find(names.begin(), names.end(), flag) == names.end()) {
      rest.push_back(a);
      continue;
    }
    TakenFlag t{std::move(flag), std::nullopt};
    if (eq != std::string::npos) t.value = a.substr(eq + 1);
    else if (i + 1 < args.size()) t.value = args[++i];
    taken.push_back(std::move(t));
  }
  args = std::move(rest);
  return taken;
}

}  // namespace mrrope
