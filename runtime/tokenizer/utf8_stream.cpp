#include "tokenizer/utf8_stream.h"

#include "tokenizer/unicode.h"

namespace mrrope::tok {

std::string Utf8StreamDecoder::push(std::string_view bytes) {
  std::string buf = std::move(pending_);
  pending_.clear();
  buf.append(bytes);
  std::string out;
  out.reserve(buf.size());
  for (size_t i = 0; i < buf.size();) {
    size_t bad = 0;
    bool truncated = false;
    const size_t n = utf8_check_sequence(buf, i, bad, truncated);
    if (n > 0) {
      out.append(buf, i, n);
      i += n;
    } else if (truncated) {  // a valid prefix cut off by the end of the input: wait for more
      pending_.assign(buf, i, std::string::npos);
      break;
    } else {
      append_utf8(out, kReplacementChar);
      i += bad;
    }
  }
  return out;
}

std::string Utf8StreamDecoder::flush() {
  std::string out;
  if (!pending_.empty()) append_utf8(out, kReplacementChar);
  pending_.clear();
  return out;
}

}  // namespace mrrope::tok
