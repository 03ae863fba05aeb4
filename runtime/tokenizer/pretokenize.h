#pragma once
// Pre-tokenizers of byte-level BPE vocabularies: split text into words before
// merging. Hand-written matchers equivalent to the Hugging Face regexes (and
// to llama.cpp's custom splitters, unicode_regex_split_custom_*), working on
// code points with Unicode category flags; std::regex has no \p classes and is
// far too slow.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mrrope::tok {

enum class PreTokenizer {
  // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  Gpt2,
  // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
  //  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  Llama3,
  // As Llama3 but single digits: \p{N}
  Qwen2,
  // [^\r\n\p{L}\p{N}]?U*L+C?|[^\r\n\p{L}\p{N}]?U+L*C?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|
  //  \s*[\r\n]+|\s+(?!\S)|\s+
  // with C = (?i:'s|'t|'re|'ve|'m|'ll|'d), U = letters other than a-z, L =
  // letters other than A-Z: llama.cpp's form of the gpt-4o regex (Phi-4-mini,
  // Llama 4), ASCII-only case and combining marks outside words; see
  // split_gpt4o in pretokenize.cpp.
  Gpt4o,
};

// Maps llama.cpp's tokenizer.ggml.pre names ("gpt-2", "llama-bpe", "qwen2",
// "gpt-4o", and their aliases) to a pre-tokenizer; throws std::invalid_argument for an
// unsupported name.
PreTokenizer pre_tokenizer_from_name(const std::string& name);
// The names llama.cpp gives the gpt-4o pre-tokenizer: "gpt-4o", "llama4",
// "kanana2", "talkie", "minimax-m2".
bool is_gpt4o_pre_name(const std::string& name);

// Splits code points into words; returns the length (in code points) of each word.
std::vector<size_t> split_words(const std::vector<uint32_t>& cpts, PreTokenizer kind);

// Convenience: the words as UTF-8 strings (malformed input bytes become U+FFFD).
std::vector<std::string> pre_tokenize(std::string_view text, PreTokenizer kind);

}  // namespace mrrope::tok
