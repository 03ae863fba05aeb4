#pragma once
// Haystacks of any length from a finite text. A text is one or more documents
// separated by form feeds (kDocumentSeparator, the training corpus's format);
// the haystack is the text once as written, then its documents again, whole,
// in seeded shuffled orders (a text of one document: its paragraphs, as it
// has no other units) until there are enough characters. A needle prompt at
// 32K or 128K tokens then never runs out of text; the repeats are whole
// documents, so every sentence stays real prose and no document is cut inside
// except where the prompt ends.
#include <cstdint>
#include <string>
#include <vector>

namespace mrrope {

// Between documents of a text: a form feed, then a new line.
inline constexpr const char* kDocumentSeparator = "\f\n";

// The documents of `text` (split at form feeds; those without a word dropped).
std::vector<std::string> documents_of(const std::string& text);
// The documents joined by kDocumentSeparator.
std::string join_documents(const std::vector<std::string>& documents);

// At least `min_chars` characters once whitespace runs are collapsed (as the
// prompts see the text). Throws std::invalid_argument when `text` has no
// words. The same (text, min_chars, seed) gives the same haystack on every machine.
std::string haystack_of_length(const std::string& text, size_t min_chars, uint64_t seed);

}  // namespace mrrope
