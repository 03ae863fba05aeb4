#pragma once
// Unicode helpers for the tokenizers: UTF-8 decoding with llama.cpp's lenient
// semantics, code point category flags (\p{L}, \p{N}, \s, ...), and GPT-2's
// byte <-> printable code point mapping used by byte-level BPE.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mrrope::tok {

// Category flags of a code point (same bits as llama.cpp's unicode_cpt_flags).
enum UnicodeFlag : uint16_t {
  kUndefined = 0x01,    // Cn
  kNumber = 0x02,       // \p{N}
  kLetter = 0x04,       // \p{L}
  kSeparator = 0x08,    // \p{Z}
  kAccentMark = 0x10,   // \p{M}
  kPunctuation = 0x20,  // \p{P}
  kSymbol = 0x40,       // \p{S}
  kControl = 0x80,      // \p{C} except Cn
  kWhitespace = 0x100,  // White_Space property (regex \s)
};

struct UnicodeRange {
  uint32_t first;
  uint16_t flags;
};
extern const UnicodeRange kUnicodeRanges[];  // generated: unicode_data.cpp
extern const size_t kUnicodeRangeCount;

constexpr uint32_t kReplacementChar = 0xFFFD;
constexpr uint32_t kMaxCodePoint = 0x10FFFF;

// Flags of `cp`; code points past U+10FFFF are undefined.
uint16_t unicode_flags(uint32_t cp);

// Length of the UTF-8 sequence that starts with byte `first` (1 for stray bytes).
inline size_t utf8_len(uint8_t first) {
  static constexpr uint8_t lookup[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return lookup[first >> 4];
}

// Decodes like llama.cpp's unicode_cpts_from_utf8: each malformed byte becomes
// U+FFFD and decoding continues at the next byte (never throws).
std::vector<uint32_t> utf8_to_cpts(std::string_view text);
void append_utf8(std::string& out, uint32_t cp);
std::string cpt_to_utf8(uint32_t cp);

// Checks the sequence starting at s[i]. Returns its length when well formed,
// else 0 with `bad_len` = length of the maximal ill-formed subpart (Unicode
// 3.9) and `truncated` = true when the sequence was fine but `s` ended early.
size_t utf8_check_sequence(std::string_view s, size_t i, size_t& bad_len, bool& truncated);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or values
// past U+10FFFF). `error_offset` receives the first bad byte's position.
bool is_valid_utf8(std::string_view text, size_t* error_offset = nullptr);
// Replaces every ill-formed subsequence with U+FFFD (one per maximal subpart,
// as the Unicode standard recommends).
std::string sanitize_utf8(std::string_view text);

// GPT-2 byte-level mapping: each byte value maps to a printable code point.
// The strings are the UTF-8 encodings of those code points.
const std::string& byte_to_unicode(uint8_t byte);
// Inverse mapping; returns -1 when `cp` is not one of the 256 mapped code points.
int unicode_to_byte(uint32_t cp);

}  // namespace mrrope::tok
