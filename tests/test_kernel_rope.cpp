// The rotary pass against the CPU reference, for both pair layouts, partial
// rotary dimensions, positions up to 128K and a non-trivial frequency table
// and attention factor. Tolerance: 2e-5 absolute on values in [-1, 1] times m.
// The GPU reduces pos * freq modulo 2 pi exactly in fixed point (rope_turns.h);
// the reference does it in long double, so even at 128K the two agree.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "ops/attention_ops.h"
#include "quant/half.h"
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

// kv_store with a key rotation: the cache holds what storing keys rotated by
// the CPU reference would give, for the written rows. F16 within 4e-5 + 1e-3
// relative (the rope tolerance, plus a half's rounding); Q8_0 quants within one
// step and scales within one ulp (a rotated float an ulp off can move a tie).
// Rotating the queries in the same dispatch changes no byte of the cache, and
// leaves q as ops::rope leaves it (bit for bit) and the reference within rope's tolerance.
class RopeKernelErrors : public GpuTest {};
class KvStoreRotation : public GpuTest, public testing::WithParamInterface<std::tuple<KvCacheType, bool>> {};

TEST_P(KvStoreRotation, CacheHoldsKeysRotatedAsTheReferenceRotatesThem) {
  const auto [type, neox] = GetParam();
  const uint32_t kv_heads = 2, hd = 128, n_rot = 96, n = 5, pos0 = 4095, kv_dim = kv_heads * hd;
  std::vector<double> freq(n_rot / 2);
  for (uint32_t i = 0; i < n_rot / 2; ++i) freq[i] = std::pow(500000.0, -2.0 * i / n_rot);
  const float attn_factor = 1.1386f;
  const auto k = random_floats(size_t(n) * kv_dim, 31, -3, 3), v = random_floats(k.size(), 32);
  std::vector<int32_t> positions(n);
  for (uint32_t t = 0; t < n; ++t) positions[t] = int32_t(pos0 + t);
  auto rotated = k;
  ref::rope(rotated, positions, freq, kv_heads, hd, n_rot, neox, attn_factor);

  const uint32_t q_heads = 6;
  const auto q = random_floats(size_t(n) * q_heads * hd, 33, -3, 3);
  auto q_rotated = q;
  ref::rope(q_rotated, positions, freq, q_heads, hd, n_rot, neox, attn_factor);

  ops::KvCache fused(gpu(), 1, kv_heads, hd, pos0 + n, type), plain(gpu(), 1, kv_heads, hd, pos0 + n, type);
  ops::KvCache with_queries(gpu(), 1, kv_heads, hd, pos0 + n, type);
  vk::Buffer bk = device_buffer(gpu(), k), brot = device_buffer(gpu(), rotated), bv = device_buffer(gpu(), v);
  vk::Buffer bp = device_buffer(gpu(), positions), bt = device_buffer(gpu(), ops::encode_rope_turns(freq));
  vk::Buffer bq = device_buffer(gpu(), q), bq_rope = device_buffer(gpu(), q);
  vk::Sequence seq(gpu());
  seq.begin();
  const ops::KeyRotation rotation{bt, n_rot, neox, attn_factor};
  ops::kv_store(seq, fused, 0, bk, bv, bp, n, pos0, &rotation);
  ops::kv_store(seq, plain, 0, brot, bv, bp, n, pos0);
  const ops::KeyRotation rotation_q{bt, n_rot, neox, attn_factor, &bq, q_heads};
  ops::kv_store(seq, with_queries, 0, bk, bv, bp, n, pos0, &rotation_q);
  ops::rope(seq, bq_rope, bp, bt, {n, q_heads, hd, n_rot, neox, attn_factor});
  seq.end();
  seq.run();

  const auto q_got = read_back(bq, q.size()), q_rope = read_back(bq_rope, q.size());
  size_t where = 0;
  EXPECT_LE(worst_ratio(q_got, q_rotated, {}, 6e-5 * attn_factor, 0, &where), 1.0)
      << "query element " << where << ": gpu " << q_got[where] << " ref " << q_rotated[where];
  EXPECT_EQ(std::memcmp(q_got.data(), q_rope.data(), q.size() * 4), 0) << "queries differ from ops::rope's";
  // The written rows (quants, then Q8_0's scales) of the caches with and without the queries.
  const bool q8 = type == KvCacheType::Q8_0;
  const size_t row_bytes = q8 ? hd : hd * 2, scale_bytes = q8 ? hd / 32 * 2 : 0;
  const size_t scales_at = q8 ? size_t(with_queries.scale_offset_words(with_queries.layer(0)[0])) * 4 : 0;
  for (bool values : {false, true}) {
    const auto& a = values ? with_queries.layer(0)[0].v : with_queries.layer(0)[0].k;
    const auto& b = values ? fused.layer(0)[0].v : fused.layer(0)[0].k;
    const auto ga = read_back<uint8_t>(a, a.size()), gb = read_back<uint8_t>(b, b.size());
    for (uint32_t h = 0; h < kv_heads; ++h)
      for (uint32_t t = 0; t < n; ++t) {
        const size_t row = size_t(h) * (pos0 + n) + pos0 + t;
        EXPECT_EQ(std::memcmp(&ga[row * row_bytes], &gb[row * row_bytes], row_bytes), 0)
            << (values ? "V" : "K") << " head " << h << " token " << t;
        EXPECT_EQ(std::memcmp(&ga[scales_at + row * scale_bytes], &gb[scales_at + row * scale_bytes], scale_bytes), 0)
            << (values ? "V" : "K") << " scales, head " << h << " token " << t;
      }
  }

  ASSERT_EQ(fused.layer(0).size(), 1u);
  const auto& gf = fused.layer(0)[0];
  const auto& gp = plain.layer(0)[0];
  const size_t nb = hd / 32, scales = type == KvCacheType::Q8_0 ? size_t(fused.scale_offset_words(gf)) * 4 : 0;
  for (bool values : {false, true}) {
    const auto got = read_back<uint8_t>(values ? gf.v : gf.k, gf.k.size());
    const auto want = read_back<uint8_t>(values ? gp.v : gp.k, gp.k.size());
    int differ = 0;
    for (uint32_t h = 0; h < kv_heads; ++h)
      for (uint32_t t = 0; t < n; ++t) {
        const size_t row = size_t(h) * (pos0 + n) + pos0 + t;
        const std::string where = std::string(values ? "V" : "K") + " head " + std::to_string(h) + " token " +
                                  std::to_string(t);
        if (type == KvCacheType::F16) {
          for (size_t e = 0; e < hd; ++e) {
            uint16_t a, b;
            std::memcpy(&a, &got[(row * hd + e) * 2], 2);
            std::memcpy(&b, &want[(row * hd + e) * 2], 2);
            const float fa = half_to_float(a), fb = half_to_float(b);
            ASSERT_LE(std::abs(fa - fb), 4e-5f + 1e-3f * std::abs(fb)) << where << " element " << e;
            differ += a != b;
          }
        } else {
          for (size_t e = 0; e < hd; ++e) {
            const int a = int8_t(got[row * hd + e]), b = int8_t(want[row * hd + e]);
            ASSERT_LE(std::abs(a - b), 1) << where << " element " << e;
            differ += a != b;
          }
          for (size_t j = 0; j < nb; ++j) {
            uint16_t a, b;
            std::memcpy(&a, &got[scales + (row * nb + j) * 2], 2);
            std::memcpy(&b, &want[scales + (row * nb + j) * 2], 2);
            ASSERT_LE(std::abs(int(a) - int(b)), 1) << where << " scale " << j;
          }
        }
      }
    if (values) EXPECT_EQ(differ, 0) << "values are stored unrotated";
    else EXPECT_LT(differ, int(n * kv_dim / 20)) << "more than 5% of the keys differ";
  }
}

TEST_F(RopeKernelErrors, KvStoreRefusesARotationItCannotApply) {
  ops::KvCache cache(gpu(), 1, 1, 64, 8, KvCacheType::F16);
  vk::Buffer bk = zero_buffer(gpu(), 64), bp = positions_buffer(gpu(), 1, 0);
  vk::Buffer bt = device_buffer(gpu(), ops::encode_rope_turns(std::vector<double>(40, 0.5)));
  for (uint32_t n_rot : {63u, 80u}) {
    const ops::KeyRotation rotation{bt, n_rot, false, 1.0f};
    vk::Sequence seq(gpu());
    seq.begin();
    try {
      ops::kv_store(seq, cache, 0, bk, bk, bp, 1, 0, &rotation);
      ADD_FAILURE() << "n_rot " << n_rot << " was accepted";
    } catch (const vk::VulkanError& e) {
      EXPECT_STREQ(e.what(), "kv_store: n_rot must be even and at most head_dim");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(CacheTypes, KvStoreRotation,
                         testing::Combine(testing::Values(KvCacheType::F16, KvCacheType::Q8_0), testing::Bool()),
                         [](const testing::TestParamInfo<std::tuple<KvCacheType, bool>>& i) {
                           return std::string(std::get<0>(i.param) == KvCacheType::F16 ? "f16" : "q8_0") +
                                  (std::get<1>(i.param) ? "_neox" : "_normal");
                         });

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
