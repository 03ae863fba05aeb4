// Sampler chain (penalty, top-k, top-p, min-p, temperature, draw) and the
// streaming stop-string matcher.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sampling/sampler.h"
#include "sampling/stop_strings.h"

namespace mrrope {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// Every filter off, temperature 1, fixed seed: tests switch on what they test.
SamplerParams plain() {
  SamplerParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.repeat_penalty = 1.0f;
  p.seed = 1234;
  return p;
}

SamplerParams greedy() {
  SamplerParams p = plain();
  p.temperature = 0.0f;
  return p;
}

// Logits whose softmax is exactly `probs`.
std::vector<float> logits_for(const std::vector<double>& probs) {
  std::vector<float> logits;
  for (double p : probs) logits.push_back(static_cast<float>(std::log(p)));
  return logits;
}

std::vector<int32_t> surviving_ids(const Sampler& sampler, const std::vector<float>& logits) {
  std::vector<int32_t> ids;
  for (const Candidate& c : sampler.filtered_candidates(logits)) ids.push_back(c.id);
  return ids;
}

const Candidate& find_candidate(const std::vector<Candidate>& candidates, int32_t id) {
  auto it = std::find_if(candidates.begin(), candidates.end(),
                         [id](const Candidate& c) { return c.id == id; });
  if (it == candidates.end()) throw std::runtime_error("token " + std::to_string(id) + " filtered out");
  return *it;
}

double entropy(const std::vector<Candidate>& candidates) {
  double h = 0.0;
  for (const Candidate& c : candidates)
    if (c.prob > 0) h -= c.prob * std::log(c.prob);
  return h;
}

std::vector<float> random_logits(size_t vocabulary, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> logits(vocabulary);
  for (float& l : logits) l = normal(rng);
  return logits;
}

std::vector<int32_t> draw_many(Sampler& sampler, const std::vector<float>& logits, int count) {
  std::vector<int32_t> tokens;
  for (int i = 0; i < count; ++i) tokens.push_back(sampler.sample(logits));
  return tokens;
}

// ---- parameters -----------------------------------------------------------

void expect_rejected(SamplerParams params, const std::string& field) {
  try {
    Sampler sampler(params);
    ADD_FAILURE() << "accepted a bad " << field;
  } catch (const SamplerError& e) {
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

TEST(SamplerParams, RejectsBadValuesNamingTheField) {
  auto with = [](auto change) { SamplerParams p; change(p); return p; };
  expect_rejected(with([](SamplerParams& p) { p.top_k = -1; }), "top_k");
  expect_rejected(with([](SamplerParams& p) { p.top_p = 0.0f; }), "top_p");
  expect_rejected(with([](SamplerParams& p) { p.top_p = -0.5f; }), "top_p");
  expect_rejected(with([](SamplerParams& p) { p.top_p = 1.01f; }), "top_p");
  expect_rejected(with([](SamplerParams& p) { p.top_p = kNaN; }), "top_p");
  expect_rejected(with([](SamplerParams& p) { p.min_p = -0.01f; }), "min_p");
  expect_rejected(with([](SamplerParams& p) { p.min_p = 1.5f; }), "min_p");
  expect_rejected(with([](SamplerParams& p) { p.min_p = kNaN; }), "min_p");
  expect_rejected(with([](SamplerParams& p) { p.temperature = kNaN; }), "temperature");
  expect_rejected(with([](SamplerParams& p) { p.temperature = kInf; }), "temperature");
  expect_rejected(with([](SamplerParams& p) { p.repeat_penalty = 0.0f; }), "repeat_penalty");
  expect_rejected(with([](SamplerParams& p) { p.repeat_penalty = -1.1f; }), "repeat_penalty");
  expect_rejected(with([](SamplerParams& p) { p.repeat_penalty = kNaN; }), "repeat_penalty");
  expect_rejected(with([](SamplerParams& p) { p.repeat_last_n = -2; }), "repeat_last_n");
}

TEST(SamplerParams, AcceptsDefaultsAndBoundaryValues) {
  EXPECT_NO_THROW(Sampler(SamplerParams{}));
  SamplerParams p = plain();  // top_k 0, top_p 1, min_p 0: all "off"
  EXPECT_NO_THROW(Sampler{p});
  p.min_p = 1.0f;
  p.temperature = -1.0f;  // greedy
  p.repeat_last_n = -1;
  p.repeat_penalty = 0.5f;
  EXPECT_NO_THROW(Sampler{p});
}

// ---- greedy ---------------------------------------------------------------

TEST(SamplerGreedy, PicksTheArgmax) {
  Sampler sampler(greedy());
  EXPECT_EQ(sampler.sample(std::vector<float>{0.1f, 2.5f, -3.0f, 2.4f}), 1);
  EXPECT_EQ(sampler.sample(std::vector<float>{-5.0f, -4.0f, -3.0f}), 2);
  std::vector<float> big = random_logits(152064, 7);
  auto expected = std::max_element(big.begin(), big.end()) - big.begin();
  EXPECT_EQ(sampler.sample(big), expected);
}

TEST(SamplerGreedy, TiesGoToTheLowestId) {
  Sampler sampler(greedy());
  EXPECT_EQ(sampler.sample(std::vector<float>{1.0f, 3.0f, 0.0f, 3.0f, 3.0f}), 1);
  EXPECT_EQ(sampler.sample(std::vector<float>(1000, 0.0f)), 0);
}

TEST(SamplerGreedy, IgnoresSeedAndFilters) {
  SamplerParams p = greedy();
  p.top_k = 1;
  p.top_p = 0.1f;
  p.min_p = 0.9f;
  const std::vector<float> logits = random_logits(5000, 3);
  const int32_t expected = Sampler(greedy()).sample(logits);
  for (uint64_t seed : {1u, 2u, 99u}) {
    p.seed = seed;
    Sampler sampler(p);
    EXPECT_EQ(sampler.sample(logits), expected);
    std::vector<Candidate> only = sampler.filtered_candidates(logits);
    ASSERT_EQ(only.size(), 1u);
    EXPECT_EQ(only[0].id, expected);
    EXPECT_FLOAT_EQ(only[0].prob, 1.0f);
  }
}

TEST(SamplerGreedy, ArgmaxIsTakenAfterThePenalty) {
  SamplerParams p = greedy();
  p.repeat_penalty = 2.0f;
  Sampler sampler(p);
  const std::vector<float> logits{5.0f, 4.0f};
  EXPECT_EQ(sampler.sample(logits), 0);
  sampler.accept(0);  // 5 / 2 = 2.5 < 4
  EXPECT_EQ(sampler.sample(logits), 1);
}

// ---- repetition penalty ---------------------------------------------------

TEST(SamplerPenalty, DividesPositiveAndMultipliesNegativeLogits) {
  SamplerParams p = plain();
  p.repeat_penalty = 2.0f;
  Sampler sampler(p);
  const std::vector<float> logits{2.0f, -1.0f, 0.0f, 3.0f, 1.0f};
  sampler.accept(0);
  sampler.accept(1);
  sampler.accept(2);
  std::vector<Candidate> c = sampler.filtered_candidates(logits);
  EXPECT_FLOAT_EQ(find_candidate(c, 0).logit, 1.0f);   // 2 / 2
  EXPECT_FLOAT_EQ(find_candidate(c, 1).logit, -2.0f);  // -1 * 2
  EXPECT_FLOAT_EQ(find_candidate(c, 2).logit, 0.0f);   // 0 * 2
  EXPECT_FLOAT_EQ(find_candidate(c, 3).logit, 3.0f);   // not in history
  EXPECT_FLOAT_EQ(find_candidate(c, 4).logit, 1.0f);
}

TEST(SamplerPenalty, PenaltyBelowOneBoostsRepeats) {
  SamplerParams p = plain();
  p.repeat_penalty = 0.5f;
  Sampler sampler(p);
  sampler.accept(0);
  sampler.accept(1);
  std::vector<Candidate> c = sampler.filtered_candidates(std::vector<float>{2.0f, -1.0f});
  EXPECT_FLOAT_EQ(find_candidate(c, 0).logit, 4.0f);
  EXPECT_FLOAT_EQ(find_candidate(c, 1).logit, -0.5f);
}

TEST(SamplerPenalty, RepeatedTokenIsPenalizedOnce) {
  SamplerParams p = plain();
  p.repeat_penalty = 2.0f;
  Sampler sampler(p);
  for (int i = 0; i < 5; ++i) sampler.accept(0);
  EXPECT_FLOAT_EQ(find_candidate(sampler.filtered_candidates(std::vector<float>{4.0f, 0.0f}), 0).logit, 2.0f);
}

TEST(SamplerPenalty, OnlyTheLastNTokensCount) {
  SamplerParams p = plain();
  p.repeat_penalty = 2.0f;
  p.repeat_last_n = 2;
  Sampler sampler(p);
  const std::vector<float> logits{2.0f, 2.0f, 2.0f, 2.0f};
  for (int32_t t : {0, 1, 2}) sampler.accept(t);
  std::vector<Candidate> c = sampler.filtered_candidates(logits);
  EXPECT_FLOAT_EQ(find_candidate(c, 0).logit, 2.0f);  // fell out of the window
  EXPECT_FLOAT_EQ(find_candidate(c, 1).logit, 1.0f);
  EXPECT_FLOAT_EQ(find_candidate(c, 2).logit, 1.0f);
  EXPECT_FLOAT_EQ(find_candidate(c, 3).logit, 2.0f);
}

TEST(SamplerPenalty, WindowZeroIsOffAndMinusOneKeepsEverything) {
  SamplerParams p = plain();
  p.repeat_penalty = 2.0f;
  p.repeat_last_n = 0;
  Sampler off(p);
  off.accept(0);
  EXPECT_FLOAT_EQ(find_candidate(off.filtered_candidates(std::vector<float>{2.0f, 0.0f}), 0).logit, 2.0f);

  p.repeat_last_n = -1;
  Sampler all(p);
  all.accept(0);
  for (int i = 0; i < 1000; ++i) all.accept(1);
  EXPECT_FLOAT_EQ(find_candidate(all.filtered_candidates(std::vector<float>{2.0f, 0.0f}), 0).logit, 1.0f);
}

TEST(SamplerPenalty, ResetForgetsHistoryAndOutOfVocabularyTokensAreIgnored) {
  SamplerParams p = plain();
  p.repeat_penalty = 2.0f;
  Sampler sampler(p);
  sampler.accept(0);
  sampler.accept(1'000'000);  // beyond this row: no effect, no crash
  EXPECT_FLOAT_EQ(find_candidate(sampler.filtered_candidates(std::vector<float>{2.0f, 0.0f}), 0).logit, 1.0f);
  sampler.reset();
  EXPECT_FLOAT_EQ(find_candidate(sampler.filtered_candidates(std::vector<float>{2.0f, 0.0f}), 0).logit, 2.0f);
  EXPECT_THROW(sampler.accept(-1), SamplerError);
}

// ---- filters --------------------------------------------------------------

TEST(SamplerFilters, TopKKeepsTheKHighest) {
  SamplerParams p = plain();
  p.top_k = 3;
  const std::vector<float> logits{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(surviving_ids(Sampler(p), logits), (std::vector<int32_t>{9, 8, 7}));
  p.top_k = 2;  // a tie across the cut goes to the lower ids
  EXPECT_EQ(surviving_ids(Sampler(p), {1.0f, 5.0f, 5.0f, 5.0f, 0.0f}), (std::vector<int32_t>{1, 2}));
  p.top_k = 50;  // larger than the vocabulary: everything
  EXPECT_EQ(surviving_ids(Sampler(p), logits).size(), 10u);
}

TEST(SamplerFilters, TopPKeepsTheSmallestSetReachingP) {
  // probabilities 0.05, 0.5, 0.15, 0.3 in id order (unsorted on purpose)
  const std::vector<float> logits = logits_for({0.05, 0.5, 0.15, 0.3});
  SamplerParams p = plain();
  p.top_p = 0.75f;  // 0.5 + 0.3 = 0.8 >= 0.75
  EXPECT_EQ(surviving_ids(Sampler(p), logits), (std::vector<int32_t>{1, 3}));
  p.top_p = 0.85f;  // 0.8 < 0.85 <= 0.95
  EXPECT_EQ(surviving_ids(Sampler(p), logits), (std::vector<int32_t>{1, 3, 2}));
  p.top_p = 0.3f;  // the top token alone already reaches p
  EXPECT_EQ(surviving_ids(Sampler(p), logits), (std::vector<int32_t>{1}));
  p.top_p = 0.99f;
  EXPECT_EQ(surviving_ids(Sampler(p), logits), (std::vector<int32_t>{1, 3, 2, 0}));
}

TEST(SamplerFilters, MinPKeepsTokensWithinAFactorOfTheBest) {
  const std::vector<float> logits = logits_for({0.5, 0.3, 0.15, 0.05});
  SamplerParams p = plain();
  p.min_p = 0.2f;  // threshold 0.1: drops 0.05
  EXPECT_EQ(surviving_ids(Sampler(p), logits), (std::vector<int32_t>{0, 1, 2}));
  p.min_p = 0.65f;  // threshold 0.325: only 0.5
  EXPECT_EQ(surviving_ids(Sampler(p), logits), (std::vector<int32_t>{0}));
  p.min_p = 0.09f;  // threshold 0.045: all
  EXPECT_EQ(surviving_ids(Sampler(p), logits).size(), 4u);
}

TEST(SamplerFilters, TopPSeesProbabilitiesRenormalizedAfterTopK) {
  const std::vector<float> logits = logits_for({0.4, 0.3, 0.2, 0.1});
  SamplerParams p = plain();
  p.top_p = 0.55f;
  EXPECT_EQ(surviving_ids(Sampler(p), logits), (std::vector<int32_t>{0, 1}));  // 0.4 < 0.55
  p.top_k = 2;  // now token 0 has 0.4 / 0.7 = 0.57 >= 0.55
  EXPECT_EQ(surviving_ids(Sampler(p), logits), (std::vector<int32_t>{0}));
}

TEST(SamplerFilters, TemperatureComesAfterTheFilters) {
  // llama.cpp order: min-p judges temperature-1 probabilities. Were the
  // temperature applied first, T = 3 would flatten 0.05 to within 0.2 of the top.
  const std::vector<float> logits = logits_for({0.5, 0.3, 0.15, 0.05});
  SamplerParams p = plain();
  p.min_p = 0.2f;
  p.temperature = 3.0f;
  EXPECT_EQ(surviving_ids(Sampler(p), logits), (std::vector<int32_t>{0, 1, 2}));
}

TEST(SamplerFilters, SurvivorProbabilitiesAreTheRenormalizedTemperedSoftmax) {
  const std::vector<float> logits = logits_for({0.5, 0.3, 0.15, 0.05});
  SamplerParams p = plain();
  p.min_p = 0.2f;
  std::vector<Candidate> c = Sampler(p).filtered_candidates(logits);
  EXPECT_NEAR(find_candidate(c, 0).prob, 0.5 / 0.95, 1e-6);
  EXPECT_NEAR(find_candidate(c, 2).prob, 0.15 / 0.95, 1e-6);

  p.temperature = 2.0f;  // p_i proportional to sqrt(p_i)
  c = Sampler(p).filtered_candidates(logits);
  const double total = std::sqrt(0.5) + std::sqrt(0.3) + std::sqrt(0.15);
  EXPECT_NEAR(find_candidate(c, 1).prob, std::sqrt(0.3) / total, 1e-6);
  EXPECT_NEAR(find_candidate(c, 1).logit, std::log(0.3) / 2, 1e-6);
}

// Reference chain with full sorts, to check the partial-sort shortcuts on a
// real-sized vocabulary.
std::vector<int32_t> reference_survivors(const std::vector<float>& logits, int top_k, float top_p,
                                         float min_p) {
  std::vector<std::pair<float, int32_t>> sorted;  // (-logit, id): ascending = best first
  for (size_t i = 0; i < logits.size(); ++i) sorted.push_back({-logits[i], static_cast<int32_t>(i)});
  std::sort(sorted.begin(), sorted.end());
  if (top_k > 0 && static_cast<size_t>(top_k) < sorted.size()) sorted.resize(top_k);
  const double max = -sorted[0].first;
  double total = 0;
  for (auto& [neg, id] : sorted) total += std::exp(-neg - max);
  double cumulative = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    cumulative += std::exp(-sorted[i].first - max);
    if (cumulative >= top_p * total) {
      sorted.resize(i + 1);
      break;
    }
  }
  std::vector<int32_t> ids;
  for (auto& [neg, id] : sorted)
    if (-neg >= max + std::log(min_p)) ids.push_back(id);
  return ids;
}

TEST(SamplerFilters, MatchesAFullSortReferenceOnA152kVocabulary) {
  const std::vector<float> logits = random_logits(152064, 11);
  struct Case { int top_k; float top_p; float min_p; };
  for (Case k : {Case{40, 0.95f, 0.05f}, Case{0, 0.9f, 0.0f}, Case{0, 0.999f, 0.0f},
                 Case{1000, 0.7f, 0.01f}, Case{0, 1.0f, 0.02f}}) {
    SamplerParams p = plain();
    p.top_k = k.top_k;
    p.top_p = k.top_p;
    p.min_p = k.min_p;
    std::vector<int32_t> got = surviving_ids(Sampler(p), logits);
    std::vector<int32_t> expected = reference_survivors(logits, k.top_k, k.top_p, k.min_p);
    std::sort(got.begin(), got.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(got, expected) << "top_k " << k.top_k << " top_p " << k.top_p << " min_p " << k.min_p;
  }
}

TEST(SamplerFilters, DefaultChainDrawsOnlySurvivorsOnA152kVocabulary) {
  const std::vector<float> logits = random_logits(152064, 12);
  SamplerParams p;  // the defaults: top-k 40, top-p 0.95, min-p 0.05, T 0.8
  p.seed = 8;
  Sampler sampler(p);
  const std::vector<Candidate> survivors = sampler.filtered_candidates(logits);
  ASSERT_LE(survivors.size(), 40u);
  for (int32_t t : draw_many(sampler, logits, 100))
    EXPECT_NO_THROW(find_candidate(survivors, t)) << "drew filtered-out " << t;
}

// ---- temperature ----------------------------------------------------------

TEST(SamplerTemperature, LowerTemperatureLowersEntropy) {
  const std::vector<float> logits{3.0f, 2.0f, 1.0f, 0.0f, -1.0f};
  std::vector<double> entropies;
  for (float t : {0.25f, 0.5f, 1.0f, 2.0f, 8.0f}) {
    SamplerParams p = plain();
    p.temperature = t;
    entropies.push_back(entropy(Sampler(p).filtered_candidates(logits)));
  }
  for (size_t i = 1; i < entropies.size(); ++i) EXPECT_LT(entropies[i - 1], entropies[i]);
  EXPECT_LT(entropies.back(), std::log(5.0));   // uniform is the limit
  EXPECT_GT(entropies.back(), 0.95 * std::log(5.0));

  SamplerParams cold = plain();  // nearly greedy: a tiny temperature must not overflow
  cold.temperature = 1e-6f;
  Sampler sampler(cold);
  for (int32_t t : draw_many(sampler, logits, 200)) EXPECT_EQ(t, 0);
}

// ---- draws ----------------------------------------------------------------

TEST(SamplerDraws, SameSeedSameSequenceDifferentSeedsDiffer) {
  const std::vector<float> logits = random_logits(1000, 5);
  SamplerParams p = plain();
  p.seed = 42;
  Sampler a(p), b(p);
  const std::vector<int32_t> first = draw_many(a, logits, 200);
  EXPECT_EQ(first, draw_many(b, logits, 200));
  p.seed = 43;
  Sampler c(p);
  EXPECT_NE(first, draw_many(c, logits, 200));
  a.reset();  // restarts the random sequence
  EXPECT_EQ(first, draw_many(a, logits, 200));
}

TEST(SamplerDraws, RandomSeedIsReportedAndReproducible) {
  const std::vector<float> logits = random_logits(1000, 6);
  SamplerParams p = plain();
  p.seed = SamplerParams::kRandomSeed;
  Sampler random(p);
  EXPECT_NE(random.seed(), SamplerParams::kRandomSeed);
  p.seed = random.seed();
  Sampler replay(p);
  EXPECT_EQ(draw_many(random, logits, 100), draw_many(replay, logits, 100));
}

// Pearson's chi-square over the categories. With a fixed seed the test is
// deterministic; the bound is what a correct sampler passes 99.9% of the time.
double chi_square(const std::map<int32_t, int>& counts, const std::vector<Candidate>& expected, int draws) {
  double chi2 = 0;
  for (const Candidate& c : expected) {
    const double e = c.prob * draws;
    const double o = counts.count(c.id) ? counts.at(c.id) : 0;
    chi2 += (o - e) * (o - e) / e;
  }
  return chi2;
}

TEST(SamplerDraws, FrequenciesMatchProbabilities) {
  constexpr int kDraws = 20000;
  const std::vector<float> logits = logits_for({0.4, 0.3, 0.15, 0.1, 0.05});
  for (uint64_t seed : {1u, 2u, 3u}) {
    SamplerParams p = plain();
    p.seed = seed;
    Sampler sampler(p);
    std::map<int32_t, int> counts;
    for (int32_t t : draw_many(sampler, logits, kDraws)) ++counts[t];
    // 5 categories = 4 degrees of freedom: P(chi2 > 18.47) = 0.001.
    EXPECT_LT(chi_square(counts, sampler.filtered_candidates(logits), kDraws), 18.47) << "seed " << seed;
  }
}

TEST(SamplerDraws, FrequenciesMatchAfterFiltersAndTemperature) {
  constexpr int kDraws = 20000;
  std::vector<float> logits = random_logits(2000, 9);
  for (float& l : logits) l /= 3.0f;  // a low, noisy tail ...
  const float head[] = {6.0f, 5.8f, 5.5f, 5.2f, 5.0f, 4.8f, 4.5f, 4.2f, 4.0f, 3.9f};
  for (int i = 0; i < 10; ++i) logits[100 + 17 * i] = head[i];  // ... under a spread-out head
  SamplerParams p = plain();
  p.top_k = 8;
  p.top_p = 0.9f;
  p.min_p = 0.01f;
  p.temperature = 0.7f;
  Sampler sampler(p);
  const std::vector<Candidate> expected = sampler.filtered_candidates(logits);
  ASSERT_GE(expected.size(), 4u);  // the filters leave a real choice
  ASSERT_LT(expected.size(), 8u);   // and top-p did cut
  std::map<int32_t, int> counts;
  for (int32_t t : draw_many(sampler, logits, kDraws)) ++counts[t];
  for (auto& [id, n] : counts) EXPECT_NO_THROW(find_candidate(expected, id)) << "drew filtered-out " << id;
  // Degrees of freedom = survivors - 1 <= 7; P(chi2 > 24.32 | 7 dof) = 0.001,
  // and the 0.001 quantile only shrinks with fewer degrees of freedom.
  EXPECT_LT(chi_square(counts, expected, kDraws), 24.32);
}

// ---- NaN and infinities ---------------------------------------------------

TEST(SamplerNaN, NaNTokensAreNeverChosen) {
  const std::vector<float> logits{kNaN, 1.0f, kNaN, 0.0f, kNaN};
  EXPECT_EQ(Sampler(greedy()).sample(logits), 1);
  EXPECT_EQ(surviving_ids(Sampler(plain()), logits), (std::vector<int32_t>{1, 3}));
  SamplerParams p = SamplerParams{};  // default chain: top-k, top-p, min-p on a NaN row
  p.seed = 5;
  Sampler sampler(p);
  for (int32_t t : draw_many(sampler, logits, 500)) EXPECT_TRUE(t == 1 || t == 3) << t;
}

TEST(SamplerNaN, NothingDrawableIsAClearError) {
  Sampler sampler(SamplerParams{});
  EXPECT_THROW(sampler.sample(std::vector<float>(10, kNaN)), SamplerError);
  EXPECT_THROW(sampler.sample(std::vector<float>(10, -kInf)), SamplerError);
  EXPECT_THROW(sampler.sample(std::vector<float>{kNaN, -kInf}), SamplerError);
  EXPECT_THROW(sampler.sample(std::vector<float>{}), SamplerError);
  EXPECT_THROW(Sampler(greedy()).sample(std::vector<float>(3, kNaN)), SamplerError);
  try {
    sampler.sample(std::vector<float>(7, kNaN));
  } catch (const SamplerError& e) {
    EXPECT_NE(std::string(e.what()).find("no drawable token"), std::string::npos) << e.what();
  }
}

TEST(SamplerNaN, MinusInfinityIsMaskedAndPlusInfinityWins) {
  EXPECT_EQ(surviving_ids(Sampler(plain()), {-kInf, 0.0f, -kInf}), (std::vector<int32_t>{1}));
  const std::vector<float> logits{0.0f, kInf, 50.0f, kInf, kNaN};
  EXPECT_EQ(Sampler(greedy()).sample(logits), 1);
  Sampler sampler(SamplerParams{});
  std::set<int32_t> seen;
  for (int32_t t : draw_many(sampler, logits, 200)) seen.insert(t);
  EXPECT_EQ(seen, (std::set<int32_t>{1, 3}));  // the +inf tokens, as equals
}

// ---- stop strings ---------------------------------------------------------

TEST(StopStringMatcher, WithoutStopStringsEverythingPassesThrough) {
  StopStringMatcher m({});
  EXPECT_EQ(m.feed("Hello <"), "Hello <");
  EXPECT_EQ(m.feed("/s>"), "/s>");
  EXPECT_FALSE(m.stopped());
  EXPECT_EQ(m.text(), "Hello </s>");
}

TEST(StopStringMatcher, StopSplitAcrossPieces) {
  StopStringMatcher m({"</s>"});
  EXPECT_EQ(m.feed("Hello <"), "Hello ");
  EXPECT_EQ(m.held_back(), "<");
  EXPECT_EQ(m.feed("/"), "");
  EXPECT_FALSE(m.stopped());
  EXPECT_EQ(m.feed("s> tail"), "");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.matched(), "</s>");
  EXPECT_EQ(m.text(), "Hello ");
  EXPECT_EQ(m.feed("more"), "");  // ignored after the stop
  EXPECT_EQ(m.flush(), "");
  EXPECT_EQ(m.text(), "Hello ");
}

TEST(StopStringMatcher, PartialPrefixThatIsNotAStopIsReleased) {
  StopStringMatcher m({"</s>"});
  EXPECT_EQ(m.feed("a </"), "a ");
  EXPECT_EQ(m.feed("b>"), "</b>");
  EXPECT_FALSE(m.stopped());
  EXPECT_EQ(m.feed("x <"), "x ");
  EXPECT_EQ(m.flush(), "<");  // end of generation: held-back text is real text
  EXPECT_EQ(m.text(), "a </b>x <");
}

TEST(StopStringMatcher, OverlappingPrefixHoldsBackOnlyWhatCouldStillMatch) {
  StopStringMatcher m({"aab"});
  EXPECT_EQ(m.feed("a"), "");
  EXPECT_EQ(m.feed("a"), "");
  EXPECT_EQ(m.feed("a"), "a");  // "aaa": only the last "aa" can still begin "aab"
  EXPECT_EQ(m.feed("b"), "");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.text(), "a");
}

TEST(StopStringMatcher, MultipleStopStrings) {
  StopStringMatcher m({"###", "User:"});
  EXPECT_EQ(m.feed("Answer: 42\nUs"), "Answer: 42\n");
  EXPECT_EQ(m.feed("er: hi"), "");
  EXPECT_EQ(m.matched(), "User:");
  EXPECT_EQ(m.text(), "Answer: 42\n");

  StopStringMatcher first_completed({"abc", "b"});  // "b" completes before "abc"
  EXPECT_EQ(first_completed.feed("xabc"), "xa");
  EXPECT_EQ(first_completed.matched(), "b");

  StopStringMatcher same_end({"b", "ab"});  // both end together: the longer one
  EXPECT_EQ(same_end.feed("xab"), "x");
  EXPECT_EQ(same_end.matched(), "ab");
}

TEST(StopStringMatcher, StopAtTheVeryStart) {
  StopStringMatcher m({"<|eot_id|>"});
  EXPECT_EQ(m.feed("<|eot_id|>"), "");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.text(), "");

  StopStringMatcher split({"<|eot_id|>"});
  EXPECT_EQ(split.feed("<|"), "");
  EXPECT_EQ(split.feed("eot_id|>Hi"), "");
  EXPECT_TRUE(split.stopped());
  EXPECT_EQ(split.text(), "");
}

TEST(StopStringMatcher, ResultDoesNotDependOnHowTextIsSplit) {
  // Every split into three pieces, and one byte at a time: the released text
  // is always a prefix of the final text (never a partial stop string).
  const std::vector<std::string> stops{"</s>", "<|im_end|>", "\n\n"};
  for (const std::string text : {"Hi <b>there</b> </s> after", "no stop here <|im_", "a\n\nb"}) {
    std::string expected_final;
    {
      StopStringMatcher whole(stops);
      whole.feed(text);
      whole.flush();
      expected_final = whole.text();
    }
    auto check = [&](const std::vector<std::string>& pieces) {
      StopStringMatcher m(stops);
      std::string shown;
      for (const std::string& piece : pieces) {
        shown += m.feed(piece);
        ASSERT_EQ(expected_final.compare(0, shown.size(), shown), 0) << "showed \"" << shown << "\"";
      }
      shown += m.flush();
      EXPECT_EQ(shown, expected_final);
      EXPECT_EQ(m.text(), expected_final);
    };
    for (size_t i = 0; i <= text.size(); ++i)
      for (size_t j = i; j <= text.size(); ++j)
        check({text.substr(0, i), text.substr(i, j - i), text.substr(j)});
    std::vector<std::string> bytes;
    for (char c : text) bytes.push_back(std::string(1, c));
    check(bytes);
  }
}

TEST(StopStringMatcher, Utf8StopStrings) {
  StopStringMatcher m({"。\n"});
  EXPECT_EQ(m.feed("你好。"), "你好");
  EXPECT_EQ(m.feed("\n再见"), "");
  EXPECT_EQ(m.text(), "你好");
}

TEST(StopStringMatcher, ResetAndEmptyStopString) {
  StopStringMatcher m({"END"});
  m.feed("xEND");
  ASSERT_TRUE(m.stopped());
  m.reset();
  EXPECT_FALSE(m.stopped());
  EXPECT_EQ(m.feed("yE"), "y");
  EXPECT_EQ(m.text(), "yE");
  EXPECT_THROW(StopStringMatcher({"ok", ""}), std::invalid_argument);
}

}  // namespace
}  // namespace mrrope
