// Decode attention (attention_decode.comp: GQA rows packed per KV head, key
// splits merged by its last workgroup or by attention_combine.comp) against the CPU reference, over F16
// and Q8_0 caches holding keys and values exactly (support/exact_kv.h).
// Tolerance: 1e-4 * (1 + max|v|) absolute: float32 online softmax and
// accumulation against double, over values bounded by max|v| < 1.
//
// Each case records kv_store + attention once and runs it twice, the second
// time with the positions buffer advanced: the kernels read positions from
// the buffer, as a replayed decode step needs. The output is also asked for
// in int8 blocks (for the output projection): written for heads of a multiple
// of 32, checked against ref::quantize_act of the float output.
#include <gtest/gtest.h>

#include <cstdlib>

#include "ops/attention_ops.h"
#include "ops/matvec_int8.h"
#include "reference/reference_ops.h"
#include "support/exact_kv.h"
#include "support/gpu_buffers.h"
#include "support/gpu_test.h"
#include "support/quantized_check.h"

namespace mrrope::test {
namespace {

struct DecodeCase {
  KvCacheType type;
  int head_dim, n_head, n_kv_head, kv_len, n_tokens;  // kv_len includes the n_tokens decoded
};

class AttentionDecode : public GpuTest, public testing::WithParamInterface<DecodeCase> {};

// One case with the splits merged either by the decode kernel's last
// workgroup (fold) or by attention_combine.comp.
void check_decode(vk::Context& ctx, const DecodeCase& c, bool fold) {
  setenv("MRROPE_DECODE_FOLD", fold ? "1024" : "0", 1);  // the fold is opt-in; every split count here takes it
  const int hd = c.head_dim, n = c.n_tokens, kv_dim = c.n_kv_head * hd, q_dim = c.n_head * hd;
  // The replayed step (n more keys) needs the decode kernel, which needs shuffles.
  const int steps = ctx.info().subgroup_shuffle ? 2 : 1, total = c.kv_len + n;
  ops::KvCache cache(ctx, 1, c.n_kv_head, hd, total + 5, c.type);
  ops::AttentionScratch scratch(ctx, uint32_t(64 * c.n_head), hd);
  const std::vector<float> k = exact_kv_rows(total, kv_dim, 1), v = exact_kv_rows(total, kv_dim, 2);

  // Keys before the first decoded token.
  const uint32_t pos0 = uint32_t(c.kv_len - n);
  vk::Buffer pos = positions_buffer(ctx, n, pos0);
  if (pos0 > 0) {
    vk::Buffer bk = device_buffer(ctx, std::vector<float>(k.begin(), k.begin() + size_t(pos0) * kv_dim));
    vk::Buffer bv = device_buffer(ctx, std::vector<float>(v.begin(), v.begin() + size_t(pos0) * kv_dim));
    vk::Buffer early = positions_buffer(ctx, pos0, 0);
    vk::Sequence seq(ctx);
    seq.begin();
    ops::kv_store(seq, cache, 0, bk, bv, early, pos0, 0);
    seq.end();
    seq.run();
  }

  // One recorded step: store the new tokens' keys and values, attend.
  vk::Buffer bk = zero_buffer(ctx, size_t(n) * kv_dim), bv = zero_buffer(ctx, size_t(n) * kv_dim);
  vk::Buffer bq = zero_buffer(ctx, size_t(n) * q_dim), bo = zero_buffer(ctx, size_t(n) * q_dim);
  vk::Buffer bo8(ctx, ops::quantized_act_bytes(uint32_t(q_dim), uint32_t(n)), vk::MemoryUsage::Device);
  vk::Sequence seq(ctx);
  seq.begin();
  ops::kv_store(seq, cache, 0, bk, bv, pos, uint32_t(n), pos0);
  const bool int8_out = ops::attention(seq, cache, bq, pos, bo, scratch,
                                       {uint32_t(n), pos0, uint32_t(c.n_head), uint32_t(c.n_kv_head), 0}, &bo8);
  seq.end();
  unsetenv("MRROPE_DECODE_FOLD");
  EXPECT_EQ(int8_out, hd % 32 == 0);

  for (int step = 0; step < steps; ++step) {
    const uint32_t p = pos0 + uint32_t(step * n);
    const auto q = random_floats(size_t(n) * q_dim, 10 + step, -2, 2);
    bq.write(q.data(), q.size() * 4);
    bk.write(k.data() + size_t(p) * kv_dim, size_t(n) * kv_dim * 4);
    bv.write(v.data() + size_t(p) * kv_dim, size_t(n) * kv_dim * 4);
    std::vector<int32_t> positions(n);
    for (int t = 0; t < n; ++t) positions[t] = int32_t(p) + t;
    pos.write(positions.data(), positions.size() * 4);
    seq.run();

    std::vector<float> want(q.size());
    ref::attention(q, k, v, want, n, p, c.n_head, c.n_kv_head, hd);
    size_t where = 0;
    const auto got = read_back(bo, q.size());
    EXPECT_LE(worst_ratio(got, want, {}, 2e-4, 0, &where), 1.0)
        << "step " << step << ", " << n << " queries at " << p << ", element " << where;
    if (int8_out) quantized_activations(bo8, got, uint32_t(q_dim), uint32_t(n));
  }
}

// Replayed twice, so the fold's split counters must have come back to zero.
TEST_P(AttentionDecode, MatchesReferenceAndReplaysAtTheNextPositions) {
  for (const bool fold : {true, false}) {
    SCOPED_TRACE(fold ? "splits merged by the last workgroup" : "splits merged by attention_combine");
    check_decode(gpu(), GetParam(), fold);
  }
}

// The tuning switches (MRROPE_DECODE_KEYS=4: four keys in flight per worker;
// MRROPE_DECODE_THREADS=256: 32 workers a workgroup) on F16 caches.
class AttentionDecodeTuning : public GpuTest {};
TEST_F(AttentionDecodeTuning, FourKeysAndWiderWorkgroupsMatchReference) {
  const DecodeCase cases[] = {{KvCacheType::F16, 128, 32, 8, 5000, 1}, {KvCacheType::F16, 128, 8, 1, 300, 3},
                              {KvCacheType::F16, 64, 8, 2, 37, 3}};
  for (const auto& [keys, threads] : {std::pair{"4", "128"}, std::pair{"2", "256"}}) {
    SCOPED_TRACE(std::string("keys ") + keys + ", threads " + threads);
    setenv("MRROPE_DECODE_KEYS", keys, 1);
    setenv("MRROPE_DECODE_THREADS", threads, 1);
    for (const DecodeCase& c : cases) check_decode(gpu(), c, false);
  }
  unsetenv("MRROPE_DECODE_KEYS");
  unsetenv("MRROPE_DECODE_THREADS");
}

std::vector<DecodeCase> decode_cases() {
  // head dim, query heads, kv heads (GQA group 1, 4, 7, 8), kv length, tokens.
  const DecodeCase shapes[] = {
      {KvCacheType::F16, 64, 8, 8, 1, 1},     {KvCacheType::F16, 64, 8, 2, 37, 3},
      {KvCacheType::F16, 80, 14, 2, 300, 1},  {KvCacheType::F16, 80, 7, 1, 37, 3},
      {KvCacheType::F16, 128, 32, 8, 5000, 1}, {KvCacheType::F16, 128, 8, 1, 300, 3},
      {KvCacheType::F16, 128, 7, 1, 5000, 3}, {KvCacheType::F16, 64, 4, 4, 3, 3},
      {KvCacheType::F16, 256, 4, 2, 300, 1},  // one merge buffer where shared memory is 32 KiB
  };
  std::vector<DecodeCase> out;
  for (const DecodeCase& s : shapes)
    for (KvCacheType type : {KvCacheType::F16, KvCacheType::Q8_0}) {
      if (type == KvCacheType::Q8_0 && s.head_dim % 32 != 0) continue;
      DecodeCase c = s;
      c.type = type;
      out.push_back(c);
    }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Shapes, AttentionDecode, testing::ValuesIn(decode_cases()),
                         [](const testing::TestParamInfo<DecodeCase>& i) {
                           const DecodeCase& c = i.param;
                           return std::string(kv_cache_type_name(c.type)) + "_d" + std::to_string(c.head_dim) + "_h" +
                                  std::to_string(c.n_head) + "_kv" + std::to_string(c.n_kv_head) + "_len" +
                                  std::to_string(c.kv_len) + "_n" + std::to_string(c.n_tokens);
                         });

TEST(AttentionDecodePlan, KvBoundIsAPowerOfTwoCappedByTheCache) {
  EXPECT_EQ(ops::decode_kv_bound(1, 8), 8u);
  EXPECT_EQ(ops::decode_kv_bound(1, 4096), 256u);
  EXPECT_EQ(ops::decode_kv_bound(300, 4096), 512u);
  EXPECT_EQ(ops::decode_kv_bound(5000, 5011), 5011u);
  EXPECT_EQ(ops::decode_kv_bound(32768, 131072), 32768u);
}

}  // namespace
}  // namespace mrrope::test
