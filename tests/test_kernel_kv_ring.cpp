// Window-sized KV rings (issue 14): a sliding-window layer's keys and values
// stored at row p % rows of a cache layer with rows = window + chunk - 1 (the
// fewest that serve a chunk), fed chunk by chunk past several wraps, each
// chunk's attention against ref::attention over the whole history with the
// same window: kv_store.comp and every attention path (attention_decode.comp
// for up to 8 tokens; attention.comp, or attention_cm.comp on NV matrix units,
// for prefill), over F16 and Q8_0 caches holding keys and values exactly
// (support/exact_kv.h). The host refuses calls a ring cannot serve (a ring one
// row short of window + chunk - 1). Break-checked by reading rows without
// kv_slot's modulo: the wrapped chunks then fail.
// Tolerance: 2e-4 absolute (float32 online softmax against double), 2e-3 on
// the matrix units, as the other attention tests.
#include <gtest/gtest.h>

#include "ops/attention_ops.h"
#include "ops/kv_cache.h"
#include "reference/reference_ops.h"
#include "support/exact_kv.h"
#include "support/gpu_buffers.h"
#include "support/gpu_test.h"
#include "support/precision.h"
#include "vulkan/sequence.h"

namespace mrrope::test {
namespace {

struct RingCase {
  KvCacheType type;
  int head_dim, chunk, total, window;
  float softcap = 0;
};

// Runs `total` positions through a ring of `rows` rows in chunks and returns
// the worst error ratio of any chunk's attention against the reference.
double ring_worst_ratio(vk::Context& ctx, const RingCase& c, int rows) {
  const int n_head = 4, n_kv_head = 2, hd = c.head_dim, kv_dim = n_kv_head * hd, q_dim = n_head * hd;
  const std::vector<float> k = exact_kv_rows(c.total, kv_dim, 21), v = exact_kv_rows(c.total, kv_dim, 22);
  const auto q = random_floats(size_t(c.total) * q_dim, 23, -2, 2);
  // Layer 0 a ring, layer 1 full length (unused): the cache of a local layer before a global one.
  ops::KvCache cache(ctx, 2, n_kv_head, hd, c.total, c.type, {rows, 0});
  EXPECT_TRUE(cache.is_ring(0));
  EXPECT_FALSE(cache.is_ring(1));
  ops::AttentionScratch scratch(ctx, uint32_t(std::max(c.chunk, 64) * n_head), hd);
  double worst = 0;
  for (int p0 = 0; p0 < c.total; p0 += c.chunk) {
    const int n = std::min(c.chunk, c.total - p0);
    const std::vector<float> kc(k.begin() + size_t(p0) * kv_dim, k.begin() + size_t(p0 + n) * kv_dim);
    const std::vector<float> vc(v.begin() + size_t(p0) * kv_dim, v.begin() + size_t(p0 + n) * kv_dim);
    const std::vector<float> qc(q.begin() + size_t(p0) * q_dim, q.begin() + size_t(p0 + n) * q_dim);
    vk::Buffer bk = device_buffer(ctx, kc), bv = device_buffer(ctx, vc), bq = device_buffer(ctx, qc);
    vk::Buffer bo = zero_buffer(ctx, qc.size()), pos = positions_buffer(ctx, uint32_t(n), uint32_t(p0));
    ops::AttentionArgs args{uint32_t(n), uint32_t(p0), uint32_t(n_head), uint32_t(n_kv_head), 0};
    args.window = uint32_t(c.window);
    args.softcap = c.softcap;
    vk::Sequence seq(ctx);
    seq.begin();
    ops::kv_store(seq, cache, 0, bk, bv, pos, uint32_t(n), uint32_t(p0));
    ops::attention(seq, cache, bq, pos, bo, scratch, args);
    seq.end();
    seq.run();
    const auto got = read_back(bo, qc.size());
    std::vector<float> want(qc.size());
    ref::attention(qc, k, v, want, n, p0, n_head, n_kv_head, hd, c.window, 0, c.softcap);
    worst = std::max(worst, worst_ratio(got, want, {}, attention_atol(ctx, uint32_t(n), 2e-4), 0));
  }
  return worst;
}

class KvRing : public GpuTest, public testing::WithParamInterface<RingCase> {};

TEST_P(KvRing, ChunksPastSeveralWrapsMatchTheReference) {
  const RingCase c = GetParam();
  const int rows = c.window + c.chunk - 1;
  ASSERT_LT(rows * 2, c.total) << "the ring must wrap";
  EXPECT_LE(ring_worst_ratio(gpu(), c, rows), 1.0);
}

// A ring one row short of window + chunk - 1 is refused for that window (a
// newer key would overwrite one the chunk's first token still sees), and
// serves the window one smaller.
TEST_P(KvRing, ARingOneRowShortIsRefused) {
  RingCase c = GetParam();
  const int rows = c.window + c.chunk - 2;
  EXPECT_THROW(ring_worst_ratio(gpu(), c, rows), vk::VulkanError);
  c.window -= 1;
  EXPECT_LE(ring_worst_ratio(gpu(), c, rows), 1.0);
}

std::vector<RingCase> ring_cases() {
  const RingCase shapes[] = {
      // type, head size, chunk, total, window
      {KvCacheType::F16, 64, 1, 90, 20},      // decode: a ring of 20
      {KvCacheType::F16, 128, 4, 120, 24},    // decode of several tokens: a ring of 27
      {KvCacheType::F16, 64, 37, 300, 50},    // prefill chunks off the tile grid
      {KvCacheType::F16, 256, 64, 400, 100},  // Gemma's head size
      {KvCacheType::F16, 80, 20, 200, 33, 1.0f},  // with gemma2's soft-capping
  };
  std::vector<RingCase> out;
  for (const RingCase& s : shapes)
    for (KvCacheType type : {KvCacheType::F16, KvCacheType::Q8_0}) {
      if (type == KvCacheType::Q8_0 && s.head_dim % 32 != 0) continue;
      RingCase c = s;
      c.type = type;
      out.push_back(c);
    }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Shapes, KvRing, testing::ValuesIn(ring_cases()), [](const testing::TestParamInfo<RingCase>& i) {
  const RingCase& c = i.param;
  return std::string(kv_cache_type_name(c.type)) + "_d" + std::to_string(c.head_dim) + "_chunk" +
         std::to_string(c.chunk) + "_w" + std::to_string(c.window) + (c.softcap > 0 ? "_capped" : "");
});

TEST(KvRingSize, BytesCountEachLayersRows) {
  EXPECT_EQ(ops::KvCache::bytes_needed({100, 1000, 100}, 2, 64),
            ops::KvCache::bytes_needed(1, 2, 64, 1200));
  EXPECT_EQ(ops::KvCache::bytes_needed({100, 1000}, 2, 64, KvCacheType::Q8_0),
            ops::KvCache::bytes_needed(1, 2, 64, 1100, KvCacheType::Q8_0));
}

class KvRingGuards : public GpuTest {};

TEST_F(KvRingGuards, MoreTokensThanRowsAndAttentionWithoutAWindowAreRefused) {
  vk::Context& ctx = gpu();
  ops::KvCache cache(ctx, 1, 1, 64, 256, KvCacheType::F16, {16});
  EXPECT_EQ(cache.rows(0), 16);
  EXPECT_EQ(cache.n_ctx(), 256);
  ops::AttentionScratch scratch(ctx, 64 * 2, 64);
  vk::Buffer k = zero_buffer(ctx, 17 * 64), q = zero_buffer(ctx, 17 * 128), o = zero_buffer(ctx, 17 * 128);
  vk::Buffer pos = positions_buffer(ctx, 17, 0);
  vk::Sequence seq(ctx);
  seq.begin();
  EXPECT_THROW(ops::kv_store(seq, cache, 0, k, k, pos, 17, 0), vk::VulkanError);
  ops::AttentionArgs args{4, 0, 2, 1, 0};
  EXPECT_THROW(ops::attention(seq, cache, q, pos, o, scratch, args), vk::VulkanError);  // no window
  args.window = 14;  // 14 + 4 - 1 > 16
  EXPECT_THROW(ops::attention(seq, cache, q, pos, o, scratch, args), vk::VulkanError);
  seq.end();
}

}  // namespace
}  // namespace mrrope::test
