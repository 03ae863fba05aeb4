#pragma once
// The local time as text (strftime's format), for file names and the
// "created" stamps of conversations, comparisons and eval exports.
#include <ctime>
#include <string>

namespace mrrope::ui {

inline std::string local_time(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace mrrope::ui
