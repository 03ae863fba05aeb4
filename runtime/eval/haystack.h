#pragma once
// Haystacks of any length from a finite text: the text once as written, then
// its paragraphs again in seeded shuffled orders until there are enough
// characters. A needle prompt at 32K or 128K tokens then never runs out of
// text; the repeats are whole paragraphs, so every sentence stays real prose.
#include <cstdint>
#include <string>

namespace mrrope {

// Throws std::invalid_argument when `text` has no words. The same (text,
// min_chars, seed) gives the same haystack on every machine.
std::string haystack_of_length(const std::string& text, size_t min_chars, uint64_t seed);

}  // namespace mrrope
