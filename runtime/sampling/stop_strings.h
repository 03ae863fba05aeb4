#pragma once
// Stop strings over streamed text. Detokenized pieces arrive in order; text is
// released only once it can no longer be the start of a stop string, so a
// streaming display never shows part of a stop string. Matching is on bytes;
// with valid UTF-8 pieces and stop strings the held-back text always starts on
// a character boundary.
#include <string>
#include <string_view>
#include <vector>

namespace mrrope {

class StopStringMatcher {
 public:
  // Throws std::invalid_argument on an empty stop string. No stop strings:
  // every piece passes straight through.
  explicit StopStringMatcher(std::vector<std::string> stop_strings);

  // Adds the next piece; returns the text that is now safe to show (possibly
  // empty). When a stop string completes, stopped() turns true and nothing
  // from the stop string on is ever released. Pieces after that are ignored.
  // If several stop strings are present, the one completed first (the earliest
  // end) wins, the longer one on a tie; so the result never depends on how the
  // text was split into pieces.
  std::string feed(std::string_view piece);

  // End of generation without a stop: releases the held-back text.
  std::string flush();

  bool stopped() const { return !matched_.empty(); }
  // The stop string that ended the text; empty while not stopped.
  const std::string& matched() const { return matched_; }
  // Text received but not yet released (a possible stop-string start).
  std::string_view held_back() const { return pending_; }
  // The final text so far: everything released plus anything held back, the
  // stop string and whatever followed it excluded.
  std::string text() const { return released_ + pending_; }

  // Ready for a new generation with the same stop strings.
  void reset();

 private:
  // Length of the longest suffix of pending_ that is a proper prefix of a
  // stop string: the part that must wait for more text.
  size_t hold_back_length() const;

  std::vector<std::string> stop_strings_;
  std::string pending_;   // received, not yet released
  std::string released_;  // returned by feed()/flush() so far
  std::string matched_;
};

}  // namespace mrrope
