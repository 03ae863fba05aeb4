#include "sampling/stop_strings.h"

#include <algorithm>
#include <stdexcept>

namespace mrrope {

StopStringMatcher::StopStringMatcher(std::vector<std::string> stop_strings)
    : stop_strings_(std::move(stop_strings)) {
  for (const std::string& stop : stop_strings_)
    if (stop.empty()) throw std::invalid_argument("stop strings: an empty stop string would match at once");
}

std::string StopStringMatcher::feed(std::string_view piece) {
  if (stopped()) return {};
  pending_ += piece;

  // Earlier text was already searched, so any match lies in pending_. find()
  // gives each stop string's earliest occurrence, which is also its earliest end.
  const std::string* first = nullptr;
  size_t first_start = 0;
  for (const std::string& stop : stop_strings_) {
    const size_t start = pending_.find(stop);
    if (start == std::string::npos) continue;
    const bool ends_earlier = first == nullptr || start + stop.size() < first_start + first->size();
    const bool same_end_longer =
        first != nullptr && start + stop.size() == first_start + first->size() && start < first_start;
    if (ends_earlier || same_end_longer) {
      first = &stop;
      first_start = start;
    }
  }
  if (first != nullptr) {
    std::string released = pending_.substr(0, first_start);
    released_ += released;
    pending_.clear();
    matched_ = *first;
    return released;
  }

  const size_t safe = pending_.size() - hold_back_length();
  std::string released = pending_.substr(0, safe);
  pending_.erase(0, safe);
  released_ += released;
  return released;
}

std::string StopStringMatcher::flush() {
  std::string released = std::move(pending_);
  pending_.clear();
  released_ += released;
  return released;
}

void StopStringMatcher::reset() {
  pending_.clear();
  released_.clear();
  matched_.clear();
}

size_t StopStringMatcher::hold_back_length() const {
  const std::string_view pending = pending_;
  size_t longest = 0;
  for (const std::string& stop : stop_strings_) {
    // Only lengths above the current best can improve it; a full match is
    // impossible here (feed() looked for those first).
    for (size_t length = std::min(stop.size() - 1, pending.size()); length > longest; --length) {
      if (pending.ends_with(std::string_view(stop).substr(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}

}  // namespace mrrope
