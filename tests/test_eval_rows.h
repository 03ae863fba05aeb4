#pragma once
// Hand-made evaluation rows for the report and scoring tests.
#include "eval/sweep.h"

namespace mrrope::test {

inline RetrievalRow eval_row(const std::string& method, int length, bool correct, double depth = 0) {
  RetrievalRow r;
  r.rope.method = parse_rope_method(method);
  r.rope.scale = length / 512.0;
  r.length = length;
  r.correct = correct;
  r.score = correct ? 1 : 0;
  r.depth = depth;
  r.task = "passkey";
  r.sweep_seed = 7;
  r.seed = 42;
  r.expected = "12345";
  r.generated = correct ? " 12345." : " 999";
  return r;
}

inline PerplexityRow eval_ppl(const std::string& method, int length, double value) {
  PerplexityRow r;
  r.rope.method = parse_rope_method(method);
  r.length = length;
  r.perplexity = value;
  r.windows = 2;
  r.nll_by_position.assign(kLossBuckets, 1.0);
  return r;
}

}  // namespace mrrope::test
