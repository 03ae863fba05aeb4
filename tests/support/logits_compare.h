#pragma once
// Comparing the decoder's logits with the CPU reference's, row by row.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace mrrope::test {

inline std::vector<int32_t> random_tokens(int n, int vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<int32_t> t(n);
  for (auto& x : t) x = static_cast<int32_t>(rng() % vocab);
  return t;
}

// Requires max |gpu - cpu| <= rtol * (1 + max |cpu|) in every row of `vocab` logits.
inline void expect_close_rows(const std::vector<float>& gpu, const std::vector<float>& cpu, int vocab,
                              const std::string& what, double rtol = 2e-3) {
  ASSERT_EQ(gpu.size(), cpu.size()) << what;
  for (size_t r = 0; r < gpu.size() / vocab; ++r) {
    double worst = 0, scale = 0;
    for (int i = 0; i < vocab; ++i) {
      worst = std::max(worst, std::fabs(double(gpu[r * vocab + i]) - cpu[r * vocab + i]));
      scale = std::max(scale, std::fabs(double(cpu[r * vocab + i])));
    }
    ASSERT_LE(worst, rtol * (1 + scale)) << what << ", row " << r << " (max |logit| " << scale << ")";
  }
}

}  // namespace mrrope::test
