// The rotary pass against the CPU reference, for both pair layouts, partial
// rotary dimensions, positions up to 128K and a non-trivial frequency table
// and attention factor. Tolerance: 2e-5 absolute on values in [-1, 1] times m.
// The GPU reduces pos * freq modulo 2 pi exactly in fixed point (rope_turns.h);
// the reference does it in long double, so even at 128K the two agree.
#include <gtest/gtest.h>

#include <cmath>

#include "ops/ops.h"
#include "ops/rope_turns.h"
#include "reference/reference_ops.h"
#include "support/gpu_buffers.h"
#include "support/gpu_test.h"

namespace mrrope::test {
namespace {

class RopeKernel : public GpuTest, public testing::WithParamInterface<bool> {};
class RopeReference : public testing::Test {};

TEST_P(RopeKernel, MatchesReference) {
  const bool neox = GetParam();
  const uint32_t n_heads = 3, head_dim = 64;
  for (uint32_t n_rot : {64u, 32u}) {
    const std::vector<int32_t> positions = {0, 1, 2, 511, 512, 4097, 32768, 131071};
    const uint32_t n_tokens = static_cast<uint32_t>(positions.size());
    // A realistic table: theta_i = 10000^(-2i/D), the upper half divided by 4 (as linear scaling would).
    std::vector<double> freq(n_rot / 2);
    for (uint32_t i = 0; i < n_rot / 2; ++i)
      freq[i] = std::pow(10000.0, -2.0 * i / n_rot) / (i >= n_rot / 4 ? 4.0 : 1.0);
    const float attn_factor = 1.1386f;
    auto x = random_floats(size_t(n_tokens) * n_heads * head_dim, 7);
    vk::Buffer bx = device_buffer(gpu(), x), bp = device_buffer(gpu(), positions), bf = device_buffer(gpu(), ops::encode_rope_turns(freq));
    vk::Sequence seq(gpu());
    seq.begin();
    ops::rope(seq, bx, bp, bf, {n_tokens, n_heads, head_dim, n_rot, neox, attn_factor});
    seq.end();
    seq.run();
    const auto got = read_back(bx, x.size());
    auto want = x;
    ref::rope(want, positions, freq, n_heads, head_dim, n_rot, neox, attn_factor);
    size_t where = 0;
    EXPECT_LE(worst_ratio(got, want, {}, 2e-5 * attn_factor, 0, &where), 1.0)
        << "n_rot " << n_rot << " at " << where << ": gpu " << got[where] << " ref " << want[where];
    // Dimensions past n_rot are untouched.
    for (uint32_t t = 0; t < n_tokens; ++t)
      for (uint32_t d = n_rot; d < head_dim; ++d) ASSERT_EQ(got[(size_t(t) * n_heads) * head_dim + d], x[(size_t(t) * n_heads) * head_dim + d]);
  }
}

// Fixed-point turns: 2 pi per position is a whole turn (0), pi half a turn. The
// inputs are doubles near those values, so allow a few units in the last place.
TEST_F(RopeReference, TurnsTableEncodesFractionsOfATurn) {
  const double pi = 3.14159265358979323846;
  const auto t = ops::encode_rope_turns(std::vector<double>{0.0, pi, 2 * pi, pi / 2});
  ASSERT_EQ(t.size(), 8u);
  auto fixed = [&](int i) { return (uint64_t(t[2 * i + 1]) << 32) | t[2 * i]; };
  auto near = [](uint64_t got, uint64_t want) { return got - want + 4096 <= 8192; };  // modulo 2^64
  EXPECT_EQ(fixed(0), 0u);
  EXPECT_TRUE(near(fixed(1), 1ull << 63)) << fixed(1);
  EXPECT_TRUE(near(fixed(2), 0)) << fixed(2);
  EXPECT_TRUE(near(fixed(3), 1ull << 62)) << fixed(3);
  EXPECT_THROW(ops::encode_rope_turns(std::vector<double>{-1.0}), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Layouts, RopeKernel, testing::Values(false, true),
                         [](const testing::TestParamInfo<bool>& i) { return i.param ? "NeoX" : "Normal"; });

// The reference itself: position 0 is the identity (times m), and the normal
// layout rotates adjacent pairs by exactly pos * freq.
TEST_F(RopeReference, RotatesAdjacentPairsByTheTableAngle) {
  std::vector<float> x = {1, 0, 0, 1};
  std::vector<double> freq = {0.5, 0.25};
  std::vector<int32_t> pos = {2};
  ref::rope(x, pos, freq, 1, 4, 4, false, 1.0f);
  EXPECT_NEAR(x[0], std::cos(1.0), 1e-6);
  EXPECT_NEAR(x[1], std::sin(1.0), 1e-6);
  EXPECT_NEAR(x[2], -std::sin(0.5), 1e-6);
  EXPECT_NEAR(x[3], std::cos(0.5), 1e-6);
  std::vector<float> y = {1, 2, 3, 4};
  std::vector<int32_t> zero = {0};
  ref::rope(y, zero, freq, 1, 4, 4, true, 2.0f);
  EXPECT_EQ(y, (std::vector<float>{2, 4, 6, 8}));
}

}  // namespace
}  // namespace mrrope::test
