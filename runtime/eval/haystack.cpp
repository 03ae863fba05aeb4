#include "eval/haystack.h"

#include <random>
#include <stdexcept>

#include "eval/prompt_building.h"

namespace mrrope {
namespace {

bool has_text(const std::string& text, size_t begin, size_t end) {
  const size_t at = text.find_first_not_of(" \t\r\n\f\v", begin);
  return at != std::string::npos && at < end;
}

// Paragraphs are separated by blank lines; a text without any is one paragraph.
std::vector<std::string> paragraphs_of(const std::string& text) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find("\n\n", begin);
    if (end == std::string::npos) end = text.size();
    if (has_text(text, begin, end)) out.push_back(text.substr(begin, end - begin));
    begin = end + 2;
  }
  return out;
}

}  // namespace

std::vector<std::string> documents_of(const std::string& text) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find('\f', begin);
    if (end == std::string::npos) end = text.size();
    size_t start = begin;
    if (start < end && text[start] == '\n') ++start;  // the separator's new line
    if (has_text(text, start, end)) out.push_back(text.substr(start, end - start));
    begin = end + 1;
  }
  return out;
}

std::string join_documents(const std::vector<std::string>& documents) {
  std::string out;
  for (const auto& d : documents) out += (out.empty() ? "" : kDocumentSeparator) + d;
  return out;
}

std::string haystack_of_length(const std::string& text, size_t min_chars, uint64_t seed) {
  const std::vector<std::string> documents = documents_of(text);
  if (documents.empty()) throw std::invalid_argument("the haystack text is empty");
  // Whole documents when there are several; a single document's paragraphs.
  const bool by_document = documents.size() > 1;
  std::vector<std::string> units = by_document ? documents : paragraphs_of(documents[0]);
  const std::string separator = by_document ? kDocumentSeparator : "\n\n";
  std::string out = text;
  std::mt19937_64 rng(seed);
  while (prompt::collapse_spaces(out).size() < min_chars) {
    // Fisher-Yates by hand: std::shuffle's draws differ between standard libraries.
    for (size_t i = units.size(); i > 1; --i) std::swap(units[i - 1], units[rng() % i]);
    for (const auto& u : units) out += separator + u;
  }
  return out;
}

}  // namespace mrrope
