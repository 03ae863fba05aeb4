#pragma once
// Reading back int8 activation blocks (quantize_act's layout, ops/matvec_int8.h)
// and checking them against ref::quantize_act: equal scales, quants at most
// one step apart (a tie rounded the other way under a different 1/d rounding)
// in at most 0.1% of elements, s = d * sum(q), and the sums of q per half.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "reference/reference_ops.h"
#include "support/gpu_buffers.h"

namespace mrrope::test {

// The activations that quantize_act wrote to xq, as floats d * q, after
// checking them against ref::quantize_act(x).
inline std::vector<float> quantized_activations(const vk::Buffer& xq, const std::vector<float>& x, uint32_t cols,
                                         uint32_t batch) {
  const size_t n = size_t(batch) * cols, blocks = n / 32;
  const auto bytes = read_back<uint8_t>(xq, n + blocks * 16);
  const ref::Q8Blocks want = ref::quantize_act(x, cols, batch);
  ref::Q8Blocks got;
  got.q.resize(n);
  std::memcpy(got.q.data(), bytes.data(), n);
  got.d.resize(blocks);
  got.s.resize(blocks);
  size_t steps = 0;
  for (size_t j = 0; j < blocks; ++j) {
    float rec[4];  // d, s, sum of q over each half
    std::memcpy(rec, bytes.data() + n + j * 16, 16);
    got.d[j] = rec[0], got.s[j] = rec[1];
    EXPECT_NEAR(got.d[j], want.d[j], 1e-6f * want.d[j]) << "block " << j;
    int half_sum[2] = {0, 0};
    for (size_t i = j * 32; i < j * 32 + 32; ++i) {
      EXPECT_LE(std::abs(got.q[i] - want.q[i]), 1) << "element " << i;
      steps += got.q[i] != want.q[i];
      half_sum[(i / 16) % 2] += got.q[i];
    }
    EXPECT_EQ(rec[2], float(half_sum[0])) << "block " << j;
    EXPECT_EQ(rec[3], float(half_sum[1])) << "block " << j;
    const int sum = half_sum[0] + half_sum[1];
    EXPECT_NEAR(got.s[j], got.d[j] * float(sum), 1e-5f * got.d[j] * (std::abs(sum) + 1)) << "block " << j;
  }
  EXPECT_LE(steps, n / 1000 + 1) << "quants one step off the reference";
  return got.values();
}

}  // namespace mrrope::test
