#pragma once
// Streaming UTF-8 decoder for generated text: token pieces may end in the
// middle of a multi-byte character (byte tokens, byte-level BPE), so the
// trailing incomplete sequence is held back until the rest arrives. Output is
// always valid UTF-8; ill-formed bytes become U+FFFD (one per maximal
// ill-formed subpart, as the Unicode standard recommends).
#include <string>
#include <string_view>

namespace mrrope::tok {

class Utf8StreamDecoder {
 public:
  // Adds bytes; returns the text that is now complete.
  std::string push(std::string_view bytes);
  // End of stream: a held-back incomplete sequence becomes U+FFFD.
  std::string flush();
  // Bytes held back, waiting for the rest of a character.
  size_t pending() const { return pending_.size(); }
  void reset() { pending_.clear(); }

 private:
  std::string pending_;
};

}  // namespace mrrope::tok
