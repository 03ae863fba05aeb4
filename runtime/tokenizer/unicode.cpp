#include "tokenizer/unicode.h"

#include <array>
#include <memory>

namespace mrrope::tok {

namespace {

// Flat table, built once: lookups sit on the hot path of every pre-tokenizer.
const std::vector<uint16_t>& flag_table() {
  static const std::vector<uint16_t> table = [] {
    std::vector<uint16_t> t(kMaxCodePoint + 1, kUndefined);
    for (size_t i = 0; i < kUnicodeRangeCount; ++i) {
      uint32_t end = i + 1 < kUnicodeRangeCount ? kUnicodeRanges[i + 1].first : kMaxCodePoint + 1;
      for (uint32_t cp = kUnicodeRanges[i].first; cp < end; ++cp) t[cp] = kUnicodeRanges[i].flags;
    }
    return t;
  }();
  return table;
}

struct ByteMap {
  std::array<std::string, 256> byte_to_str;
  std::array<uint32_t, 256> byte_to_cp;
};

// GPT-2's bytes_to_unicode(): printable Latin-1 bytes map to themselves, the
// rest to U+0100 onwards in byte order.
const ByteMap& byte_map() {
  static const ByteMap map = [] {
    ByteMap m;
    auto keeps = [](int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); };
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      m.byte_to_cp[b] = keeps(b) ? uint32_t(b) : next++;
      m.byte_to_str[b] = cpt_to_utf8(m.byte_to_cp[b]);
    }
    return m;
  }();
  return map;
}

}  // namespace

uint16_t unicode_flags(uint32_t cp) {
  return cp <= kMaxCodePoint ? flag_table()[cp] : uint16_t(kUndefined);
}

std::vector<uint32_t> utf8_to_cpts(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  size_t i = 0;
  const size_t n = s.size();
  auto cont = [&](size_t k) { return k < n && (uint8_t(s[k]) & 0xC0) == 0x80; };
  while (i < n) {
    const uint8_t b = uint8_t(s[i]);
    // Same acceptance rules as llama.cpp's unicode_cpt_from_utf8 (which does not
    // reject overlongs or surrogates), so ids match llama.cpp on any input.
    if (!(b & 0x80)) {
      out.push_back(b);
      i += 1;
    } else if (!(b & 0x40)) {
      out.push_back(kReplacementChar);
      i += 1;
    } else if (!(b & 0x20)) {
      if (!cont(i + 1)) { out.push_back(kReplacementChar); i += 1; continue; }
      out.push_back(((b & 0x1F) << 6) | (uint8_t(s[i + 1]) & 0x3F));
      i += 2;
    } else if (!(b & 0x10)) {
      if (!cont(i + 1) || !cont(i + 2)) { out.push_back(kReplacementChar); i += 1; continue; }
      out.push_back(((b & 0x0F) << 12) | ((uint8_t(s[i + 1]) & 0x3F) << 6) | (uint8_t(s[i + 2]) & 0x3F));
      i += 3;
    } else if (!(b & 0x08)) {
      if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) { out.push_back(kReplacementChar); i += 1; continue; }
      out.push_back(((b & 0x07) << 18) | ((uint8_t(s[i + 1]) & 0x3F) << 12) | ((uint8_t(s[i + 2]) & 0x3F) << 6) |
                    (uint8_t(s[i + 3]) & 0x3F));
      i += 4;
    } else {
      out.push_back(kReplacementChar);
      i += 1;
    }
  }
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(char(cp));
  } else if (cp < 0x800) {
    out.push_back(char(0xC0 | (cp >> 6)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(char(0xE0 | (cp >> 12)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp <= kMaxCodePoint) {
    out.push_back(char(0xF0 | (cp >> 18)));
    out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else {
    append_utf8(out, kReplacementChar);
  }
}

std::string cpt_to_utf8(uint32_t cp) {
  std::string s;
  append_utf8(s, cp);
  return s;
}

size_t utf8_check_sequence(std::string_view s, size_t i, size_t& bad_len, bool& truncated) {
  const uint8_t b = uint8_t(s[i]);
  bad_len = 1;
  truncated = false;
  if (b < 0x80) return 1;
  size_t need;
  uint8_t lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) need = 1;
  else if (b == 0xE0) { need = 2; lo = 0xA0; }
  else if (b >= 0xE1 && b <= 0xEC) need = 2;
  else if (b == 0xED) { need = 2; hi = 0x9F; }
  else if (b >= 0xEE && b <= 0xEF) need = 2;
  else if (b == 0xF0) { need = 3; lo = 0x90; }
  else if (b >= 0xF1 && b <= 0xF3) need = 3;
  else if (b == 0xF4) { need = 3; hi = 0x8F; }
  else return 0;
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) { bad_len = k; truncated = true; return 0; }
    const uint8_t c = uint8_t(s[i + k]);
    const uint8_t l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (c < l || c > h) { bad_len = k; return 0; }
  }
  return need + 1;
}

namespace {
size_t well_formed_len(std::string_view s, size_t i, size_t& bad_len) {
  bool truncated;
  return utf8_check_sequence(s, i, bad_len, truncated);
}
}  // namespace

bool is_valid_utf8(std::string_view s, size_t* error_offset) {
  for (size_t i = 0; i < s.size();) {
    size_t bad;
    size_t n = well_formed_len(s, i, bad);
    if (n == 0) {
      if (error_offset) *error_offset = i;
      return false;
    }
    i += n;
  }
  return true;
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t bad;
    size_t n = well_formed_len(s, i, bad);
    if (n == 0) {
      append_utf8(out, kReplacementChar);
      i += bad;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

const std::string& byte_to_unicode(uint8_t byte) { return byte_map().byte_to_str[byte]; }

int unicode_to_byte(uint32_t cp) {
  static const std::vector<int16_t> inverse = [] {
    std::vector<int16_t> inv(512, -1);
    for (int b = 0; b < 256; ++b) inv[byte_map().byte_to_cp[b]] = int16_t(b);
    return inv;
  }();
  return cp < inverse.size() ? inverse[cp] : -1;
}

}  // namespace mrrope::tok
