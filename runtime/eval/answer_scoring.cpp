#include "eval/answer_scoring.h"

#include <cctype>
#include <sstream>

#include "eval/retrieval_task.h"

namespace mrrope {
namespace {

std::string lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// `value` occurs in `text` with no letter or digit right before or after it.
bool contains_word(const std::string& text, const std::string& value) {
  if (value.empty()) return false;
  for (size_t at = text.find(value); at != std::string::npos; at = text.find(value, at + 1)) {
    const bool left = at == 0 || !word_char(text[at - 1]);
    const size_t end = at + value.size();
    const bool right = end == text.size() || !word_char(text[end]);
    if (left && right) return true;
  }
  return false;
}

}  // namespace

std::string normalize_answer(const std::string& text) {
  std::string spaced;
  for (char c : lower(text)) spaced += std::ispunct(static_cast<unsigned char>(c)) ? ' ' : c;
  std::istringstream words(spaced);
  std::string word, out;
  while (words >> word)
    if (word != "a" && word != "an" && word != "the") out += (out.empty() ? "" : " ") + word;
  return out;
}

std::string first_sentence(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n' || c == '!' || c == '?') return text.substr(0, i);
    if (c == '.' && (i + 1 == text.size() || std::isspace(static_cast<unsigned char>(text[i + 1]))))
      return text.substr(0, i);
  }
  return text;
}

double score_answer(AnswerScoring scoring, const std::vector<std::string>& expected, const std::string& generated) {
  if (expected.empty()) return 0;
  switch (scoring) {
    case AnswerScoring::ExactDigits:
      return leading_digits(generated) == expected.front() ? 1 : 0;
    case AnswerScoring::AllValuesRecall: {
      const std::string answer = lower(generated);
      int found = 0;
      for (const auto& v : expected) found += contains_word(answer, lower(v));
      return static_cast<double>(found) / static_cast<double>(expected.size());
    }
    case AnswerScoring::ExactSpan: {
      const std::string answer = normalize_answer(first_sentence(generated));
      for (const auto& v : expected)
        if (!answer.empty() && answer == normalize_answer(v)) return 1;
      return 0;
    }
  }
  return 0;
}

}  // namespace mrrope
