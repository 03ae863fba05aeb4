#include "eval/haystack.h"

#include <random>
#include <stdexcept>
#include <vector>

namespace mrrope {
namespace {

// Paragraphs are separated by blank lines; a text without any is one paragraph.
std::vector<std::string> paragraphs_of(const std::string& text) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find("\n\n", begin);
    if (end == std::string::npos) end = text.size();
    if (text.find_first_not_of(" \t\r\n", begin) < end) out.push_back(text.substr(begin, end - begin));
    begin = end + 2;
  }
  return out;
}

}  // namespace

std::string haystack_of_length(const std::string& text, size_t min_chars, uint64_t seed) {
  std::vector<std::string> paragraphs = paragraphs_of(text);
  if (paragraphs.empty()) throw std::invalid_argument("the haystack text is empty");
  std::string out = text;
  std::mt19937_64 rng(seed);
  while (out.size() < min_chars) {
    // Fisher-Yates by hand: std::shuffle's draws differ between standard libraries.
    for (size_t i = paragraphs.size(); i > 1; --i) std::swap(paragraphs[i - 1], paragraphs[rng() % i]);
    for (const auto& p : paragraphs) out += "\n\n" + p;
  }
  return out;
}

}  // namespace mrrope
