// The 16 int8 levels of IQ4_NL and IQ4_XS (kvalues_iq4nl in ggml-common.h:
// -127 -104 -83 -65 -49 -35 -22 -10 1 13 25 38 53 69 89 113), four to a word
// in byte order. Picked by selects instead of an indexed array so the table
// stays in registers.
// Level i as its int8 byte (two's complement, in bits 0..7).
uint iq4_level_byte(uint i) {
  const uint w = i < 8u ? (i < 4u ? 0xbfad9881u : 0xf6eaddcfu) : (i < 12u ? 0x26190d01u : 0x71594535u);
  return (w >> ((i & 3u) * 8u)) & 0xffu;
}
float iq4_level(uint i) { return float(bitfieldExtract(int(iq4_level_byte(i)), 0, 8)); }

// Levels of the four nibbles at bit `shift` (0 or 4) of each byte of w.
vec4 iq4_levels(uint w, uint shift) {
  return vec4(iq4_level((w >> shift) & 0xfu), iq4_level((w >> (shift + 8u)) & 0xfu),
              iq4_level((w >> (shift + 16u)) & 0xfu), iq4_level((w >> (shift + 24u)) & 0xfu));
}
