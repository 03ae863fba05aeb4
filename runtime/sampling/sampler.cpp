#include "sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

namespace mrrope {
namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// Top-p sorts only as much of the vocabulary as it needs: a first chunk, then
// doubling. Peaked (real) distributions reach p within a few hundred tokens.
constexpr size_t kTopPFirstChunk = 128;
// Below this many tokens a heap selection beats quickselect on a big vocabulary.
constexpr size_t kSmallSelection = 1024;

template <typename T>
[[noreturn]] void reject(const char* field, T value, const char* rule) {
  std::ostringstream message;
  message << "sampler: " << field << " must be " << rule << ", got " << value;
  throw SamplerError(message.str());
}

// The one ordering used everywhere: higher logit first, ties to the lower id,
// so that partial sorts give the same survivors on every platform.
bool ranks_higher(const Candidate& a, const Candidate& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

float max_logit(std::span<const Candidate> candidates) {
  float max = -kInfinity;
  for (const Candidate& c : candidates) max = std::max(max, c.logit);
  return max;
}

// llama.cpp's rule: each distinct token of the window is penalized once,
// however often it occurs. `by_id[i]` must be token i.
void apply_repetition_penalty(std::span<Candidate> by_id, const std::deque<int32_t>& history,
                              float penalty) {
  if (penalty == 1.0f || history.empty()) return;
  std::vector<int32_t> tokens(history.begin(), history.end());
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  for (int32_t token : tokens) {
    if (static_cast<size_t>(token) >= by_id.size()) continue;  // not in this vocabulary
    float& logit = by_id[token].logit;
    logit = logit > 0.0f ? logit / penalty : logit * penalty;
  }
}

// Fills `buffer` with every drawable token after the penalty and returns how
// many there are. NaN and -inf are not drawable; a +inf token outranks every
// finite one, so when any exists only the +inf tokens remain, as equals.
size_t collect_drawable(std::span<const float> logits, const std::deque<int32_t>& history,
                        float penalty, std::vector<Candidate>& buffer) {
  if (logits.empty()) throw SamplerError("sampler: empty logits row");
  if (logits.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    throw SamplerError("sampler: logits row longer than the int32 token id range");
  buffer.resize(logits.size());
  for (size_t i = 0; i < logits.size(); ++i)
    buffer[i] = {static_cast<int32_t>(i), logits[i], 0.0f};
  apply_repetition_penalty(buffer, history, penalty);

  size_t kept = 0;
  bool any_positive_infinity = false;
  for (const Candidate& c : buffer) {
    if (std::isnan(c.logit) || c.logit == -kInfinity) continue;
    any_positive_infinity |= c.logit == kInfinity;
    buffer[kept++] = c;
  }
  if (any_positive_infinity) {
    size_t infinite = 0;
    for (size_t i = 0; i < kept; ++i)
      if (buffer[i].logit == kInfinity) buffer[infinite++] = {buffer[i].id, 0.0f, 0.0f};
    kept = infinite;
  }
  if (kept == 0) {
    throw SamplerError("sampler: no drawable token: all " + std::to_string(logits.size()) +
                       " logits are NaN or -inf");
  }
  return kept;
}

// Moves the top `count` candidates to the front (order unspecified), given
// that the first `selected` already are the top ones. Never a full sort: a
// small heap for a few tokens (most of the vocabulary fails one comparison
// with the heap top), quickselect for many.
void select_top(std::span<Candidate> candidates, size_t& selected, size_t count) {
  if (count <= selected) return;
  const auto first = candidates.begin() + selected;
  const auto nth = candidates.begin() + count;
  if (count - selected <= kSmallSelection)
    std::partial_sort(first, nth, candidates.end(), ranks_higher);
  else if (count < candidates.size())
    std::nth_element(first, nth, candidates.end(), ranks_higher);
  selected = count;
}

// Each filter returns how many candidates survive; the survivors are moved to
// the front. `selected` counts the leading candidates known to be the top ones.
size_t keep_top_k(std::span<Candidate> candidates, int top_k, size_t& selected) {
  if (top_k <= 0 || static_cast<size_t>(top_k) >= candidates.size()) return candidates.size();
  select_top(candidates, selected, static_cast<size_t>(top_k));  // no full sort
  return static_cast<size_t>(top_k);
}

// Unnormalized probability mass, relative to the max logit.
double mass(std::span<const Candidate> candidates, float max) {
  double total = 0.0;
  for (const Candidate& c : candidates) total += std::exp(c.logit - max);
  return total;
}

// Smallest top set whose probability reaches p (at least one token), where
// probabilities are relative to `total` (the mass top-p normalizes over).
// Selects a growing top chunk until its mass reaches p, then sorts only it.
size_t keep_top_p(std::span<Candidate> candidates, float top_p, double total, float max,
                  size_t& selected) {
  if (top_p >= 1.0f || candidates.size() <= 1) return candidates.size();
  const double target = top_p * total;

  double chunk_mass = 0.0;
  size_t summed = 0;
  size_t chunk = std::min(candidates.size(), std::max(selected, kTopPFirstChunk));
  for (;;) {
    select_top(candidates, selected, chunk);
    for (; summed < chunk; ++summed) chunk_mass += std::exp(candidates[summed].logit - max);
    if (chunk_mass >= target || chunk == candidates.size()) break;
    chunk = std::min(candidates.size(), chunk * 2);
  }
  std::sort(candidates.begin(), candidates.begin() + chunk, ranks_higher);
  double cumulative = 0.0;
  for (size_t i = 0; i < chunk; ++i) {
    cumulative += std::exp(candidates[i].logit - max);
    if (cumulative >= target) return i + 1;
  }
  return chunk;  // rounding left the sum a hair short: keep the whole chunk
}

// prob >= min_p * max_prob, compared as logits: logit >= max_logit + log(min_p).
// The argmax always satisfies it, so at least one token survives.
size_t keep_min_p(std::span<Candidate> candidates, float min_p) {
  if (min_p <= 0.0f || candidates.size() <= 1) return candidates.size();
  const float threshold = max_logit(candidates) + std::log(min_p);
  auto end = std::remove_if(candidates.begin(), candidates.end(),
                            [threshold](const Candidate& c) { return c.logit < threshold; });
  return static_cast<size_t>(end - candidates.begin());
}

// Divides by the temperature and fills `prob` (softmax). Works on differences
// from the max so that a tiny temperature cannot overflow to inf - inf.
void apply_temperature_and_softmax(std::span<Candidate> candidates, float temperature) {
  if (temperature <= 0.0f) {  // greedy: the single argmax
    for (Candidate& c : candidates) c.prob = 1.0f / static_cast<float>(candidates.size());
    return;
  }
  const double max = max_logit(candidates);
  double total = 0.0;
  std::vector<double> weights(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    weights[i] = std::exp((candidates[i].logit - max) / temperature);
    total += weights[i];
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    candidates[i].prob = static_cast<float>(weights[i] / total);
    candidates[i].logit /= temperature;
  }
}

// Inverse-CDF draw for u in [0, 1).
int32_t draw(std::span<const Candidate> candidates, double u) {
  double cumulative = 0.0;
  for (const Candidate& c : candidates) {
    cumulative += c.prob;
    if (u < cumulative) return c.id;
  }
  // Rounding left the total a hair under 1: the last token that can be drawn.
  for (size_t i = candidates.size(); i-- > 0;)
    if (candidates[i].prob > 0.0f) return candidates[i].id;
  return candidates.front().id;
}

uint64_t choose_seed(uint64_t requested) {
  if (requested != SamplerParams::kRandomSeed) return requested;
  std::random_device device;
  uint64_t seed = SamplerParams::kRandomSeed;
  while (seed == SamplerParams::kRandomSeed)  // so the logged seed reproduces the run
    seed = (static_cast<uint64_t>(device()) << 32) | device();
  return seed;
}

void seed_generator(std::mt19937& rng, uint64_t seed) {
  // Both halves of the 64-bit seed matter; seed_seq is specified by the
  // standard, so a seed gives the same draws with every standard library.
  std::seed_seq sequence{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
  rng.seed(sequence);
}

}  // namespace

void validate(const SamplerParams& p) {
  if (std::isnan(p.temperature) || std::isinf(p.temperature))
    reject("temperature", p.temperature, "a finite number (<= 0 means greedy)");
  if (p.top_k < 0) reject("top_k", p.top_k, ">= 0 (0 = off)");
  if (!(p.top_p > 0.0f && p.top_p <= 1.0f)) reject("top_p", p.top_p, "in (0, 1] (1 = off)");
  if (!(p.min_p >= 0.0f && p.min_p <= 1.0f)) reject("min_p", p.min_p, "in [0, 1] (0 = off)");
  if (!(p.repeat_penalty > 0.0f) || std::isinf(p.repeat_penalty))
    reject("repeat_penalty", p.repeat_penalty, "a finite number > 0 (1 = off)");
  if (p.repeat_last_n < -1) reject("repeat_last_n", p.repeat_last_n, ">= -1 (0 = off, -1 = all)");
}

Sampler::Sampler(SamplerParams params) : params_(params), seed_(0) {
  validate(params_);
  seed_ = choose_seed(params_.seed);
  seed_generator(rng_, seed_);
}

void Sampler::accept(int32_t token) {
  if (token < 0) throw SamplerError("sampler: accept() got negative token id " + std::to_string(token));
  if (params_.repeat_last_n == 0) return;
  history_.push_back(token);
  if (params_.repeat_last_n > 0 && history_.size() > static_cast<size_t>(params_.repeat_last_n))
    history_.pop_front();
}

void Sampler::reset() {
  history_.clear();
  seed_generator(rng_, seed_);
}

std::span<Candidate> Sampler::filter(std::span<const float> logits,
                                     std::vector<Candidate>& buffer) const {
  size_t count = collect_drawable(logits, history_, params_.repeat_penalty, buffer);
  std::span<Candidate> candidates(buffer.data(), count);

  if (params_.temperature <= 0.0f) {
    auto best = std::min_element(candidates.begin(), candidates.end(), ranks_higher);
    std::swap(candidates.front(), *best);
    return candidates.first(1);
  }
  size_t selected = 0;
  candidates = candidates.first(keep_top_k(candidates, params_.top_k, selected));
  // Top-p and min-p each keep a top prefix (min-p's depends only on the max
  // logit, which top-p always keeps), so the chain's result is the shorter
  // prefix. Cutting by min-p first gives the same set, as long as top-p still
  // normalizes over the top-k survivors, and leaves top-p little to sort.
  const float max = max_logit(candidates);
  const double top_k_mass = params_.top_p < 1.0f ? mass(candidates, max) : 0.0;
  const size_t before_min_p = candidates.size();
  candidates = candidates.first(keep_min_p(candidates, params_.min_p));
  if (candidates.size() != before_min_p) selected = 0;  // min-p reordered them
  candidates = candidates.first(keep_top_p(candidates, params_.top_p, top_k_mass, max, selected));
  return candidates;
}

int32_t Sampler::sample(std::span<const float> logits) {
  std::span<Candidate> survivors = filter(logits, candidates_);
  if (survivors.size() == 1) return survivors.front().id;  // greedy, or nothing to draw
  apply_temperature_and_softmax(survivors, params_.temperature);
  return draw(survivors, uniform_01());
}

std::vector<Candidate> Sampler::filtered_candidates(std::span<const float> logits) const {
  std::vector<Candidate> buffer;
  std::span<Candidate> survivors = filter(logits, buffer);
  apply_temperature_and_softmax(survivors, params_.temperature);
  std::vector<Candidate> result(survivors.begin(), survivors.end());
  std::sort(result.begin(), result.end(), [](const Candidate& a, const Candidate& b) {
    return a.prob > b.prob || (a.prob == b.prob && a.id < b.id);
  });
  return result;
}

double Sampler::uniform_01() {
  // 53 random bits (27 + 26), as numpy does; std::uniform_real_distribution
  // differs between standard libraries.
  const uint32_t high = rng_() >> 5;
  const uint32_t low = rng_() >> 6;
  return (high * 67108864.0 + low) * (1.0 / 9007199254740992.0);
}

}  // namespace mrrope
