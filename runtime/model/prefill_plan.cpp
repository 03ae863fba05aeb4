#include "model/prefill_plan.h"

#include <algorithm>
#include <cmath>

namespace mrrope {

PrefillPlan first_prefill_plan(int max_tokens, int parts) {
  return {std::clamp(kMinCancellableChunk, 1, std::max(1, max_tokens)), std::max(1, parts)};
}

PrefillPlan next_prefill_plan(const PrefillPlan& now, int ran_tokens, double seconds, int max_tokens, int max_parts) {
  const int smallest = std::min(kMinCancellableChunk, std::max(1, max_tokens));
  if (ran_tokens <= 0 || !(seconds > 0)) return now;
  const double per_token = seconds / ran_tokens;
  // Whole multiples of the smallest chunk that fit the time, growing at most 8x a chunk.
  const double fit = kCancelCheckSeconds / per_token / smallest;
  const double limit = 8.0 * std::max(now.tokens, smallest) / smallest;
  const int multiples = std::max(1, static_cast<int>(std::min(fit, limit)));
  PrefillPlan next;
  next.tokens = std::clamp(smallest * multiples, smallest, std::max(smallest, max_tokens));
  // Parts only for the smallest chunks: as many as the chunk's time needs,
  // never fewer than half of the current ones (one fast chunk is not proof).
  if (next.tokens == smallest) {
    const double chunk_seconds = per_token * smallest;
    const int need = static_cast<int>(std::ceil(chunk_seconds / kCancelCheckSeconds));
    next.parts = std::clamp(std::max(need, now.parts / 2), 1, std::max(1, max_parts));
  }
  return next;
}

}  // namespace mrrope
