#pragma once
// Token sampler: turns one row of logits into the next token id. The chain and
// its semantics follow llama.cpp's default sampler chain, in this order:
//   repetition penalty -> top-k -> top-p -> min-p -> temperature -> draw.
// The filters see probabilities at temperature 1 (as in llama.cpp); the
// temperature only reshapes the survivors before the draw.
#include <cstdint>
#include <deque>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

namespace mrrope {

class SamplerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SamplerParams {
  float temperature = 0.8f;     // <= 0: greedy (argmax after the penalty)
  int top_k = 40;               // 0: off
  float top_p = 0.95f;          // in (0, 1]; 1: off
  float min_p = 0.05f;          // in [0, 1]; 0: off
  float repeat_penalty = 1.0f;  // > 0; 1: off
  int repeat_last_n = 64;       // tokens of history penalized; 0: off, -1: all since reset()
  uint64_t seed = kRandomSeed;  // fixed seed: deterministic draws

  static constexpr uint64_t kRandomSeed = 0xFFFFFFFF;
};

// Throws SamplerError naming the first bad field and its value.
void validate(const SamplerParams& params);

// A token that survived the filters. `logit` is after penalty and temperature;
// `prob` is the probability of drawing it (the survivors' probs sum to 1).
struct Candidate {
  int32_t id = 0;
  float logit = 0.0f;
  float prob = 0.0f;
};

class Sampler {
 public:
  explicit Sampler(SamplerParams params);  // validates; throws SamplerError

  // Next token for one logits row (one entry per vocabulary id). NaN and -inf
  // logits are never drawn; if any logit is +inf, one of the +inf tokens is
  // drawn (uniformly). Throws SamplerError when no token is drawable.
  int32_t sample(std::span<const float> logits);

  // Records a generated (or prompt) token for the repetition penalty.
  void accept(int32_t token);

  // Forgets the history and restarts the random sequence from the seed, so a
  // fixed-seed run after reset() repeats the same draws.
  void reset();

  // The survivors of the whole chain for `logits` given the current history,
  // sorted by descending prob (ties: lower id first). Greedy: the one argmax.
  // Draws nothing; for tests and diagnostics.
  std::vector<Candidate> filtered_candidates(std::span<const float> logits) const;

  const SamplerParams& params() const { return params_; }
  // The seed actually in use (the random one when params().seed is kRandomSeed),
  // so a run can be logged and reproduced.
  uint64_t seed() const { return seed_; }

 private:
  // Runs the chain into `buffer`; returns the survivors (a prefix of it), with
  // `logit` set and `prob` not yet computed.
  std::span<Candidate> filter(std::span<const float> logits,
                              std::vector<Candidate>& buffer) const;
  double uniform_01();  // [0, 1) from the mt19937, same on every platform

  SamplerParams params_;
  uint64_t seed_;
  std::mt19937 rng_;
  std::deque<int32_t> history_;       // last repeat_last_n accepted tokens
  std::vector<Candidate> candidates_;  // reused across sample() calls
};

}  // namespace mrrope
