#pragma once
// How an answer is scored, per task family, as RULER (Hsieh et al., 2024) does:
//   ExactDigits:     passkey and the single needle: the leading digits equal the key (1 or 0);
//   AllValuesRecall: the needle variants, variable tracking and common words:
//                    RULER's string_match_all, the fraction of expected values
//                    found in the answer (case-insensitive). Stricter than
//                    RULER's plain substring test in one way: a value counts
//                    only as a whole word, so "12" is not found in "123" nor
//                    "art" in "party";
//   ExactSpan:       document QA: normalized exact match of the answer's first
//                    sentence with the expected span (1 or 0). RULER's QA uses
//                    "contains" (string_match_part); with distractor facts in
//                    the document, "contains" would credit an answer that
//                    lists several candidates, and the answer is cut off by
//                    its template's prefix anyway, so exact match is the fair
//                    and the stricter score (the targets are exact match).
#include <string>
#include <vector>

namespace mrrope {

enum class AnswerScoring { ExactDigits, AllValuesRecall, ExactSpan };

// A score in 0..1.
double score_answer(AnswerScoring scoring, const std::vector<std::string>& expected, const std::string& generated);

// SQuAD's normalization: lowercase, punctuation as spaces, the articles a, an
// and the dropped, whitespace runs as one space, trimmed.
std::string normalize_answer(const std::string& text);
// The answer up to its first sentence end (". ", "!", "?", a final ".") or line break.
std::string first_sentence(const std::string& text);

}  // namespace mrrope
