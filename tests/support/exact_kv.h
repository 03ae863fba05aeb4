#pragma once
// Keys and values that F16 and Q8_0 caches both hold exactly, so a reference
// over the floats reads the numbers the GPU reads.
#include <cstdint>
#include <random>
#include <vector>

namespace mrrope::test {

// [n x dim] multiples of 2^-7 in (-1, 1); each block of 32 starts with
// 127/128, so its Q8_0 scale is exactly 2^-7.
inline std::vector<float> exact_kv_rows(int n, int dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> quant(-127, 127);
  std::vector<float> x(size_t(n) * dim);
  for (size_t i = 0; i < x.size(); ++i) x[i] = (i % 32 == 0 ? 127 : quant(rng)) / 128.0f;
  return x;
}

}  // namespace mrrope::test
