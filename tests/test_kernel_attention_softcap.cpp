// Attention-logit soft-capping (Gemma 2: score = cap * tanh(q . k * scale / cap)
// before the softmax) with a query scale other than 1 / sqrt(head_dim), on
// every attention path: attention_decode.comp (up to 8 tokens), attention.comp
// (prefill without matrix units) and attention_cm.comp (prefill on NV matrix
// units; the Coopmat test is skipped on devices without them, e.g. lavapipe),
// against ref::attention with the same cap, scale and window, over F16 and Q8_0
// caches holding keys and values exactly (support/exact_kv.h). The caps are
// small enough that most scores are bent, so a kernel that ignores the cap (or
// the scale) fails: each case also checks that the uncapped answer is far.
// Tolerance: 2e-4 absolute (max|v| < 1, float32 online softmax against
// double), 2e-3 on the matrix units (Q and P rounded to f16), as the
// unwindowed tests.
#include <gtest/gtest.h>

#include "ops/attention_ops.h"
#include "reference/reference_ops.h"
#include "support/cached_attention.h"
#include "support/exact_kv.h"
#include "support/gpu_buffers.h"
#include "support/gpu_test.h"
#include "support/precision.h"

namespace mrrope::test {
namespace {

struct SoftcapCase {
  KvCacheType type;
  int head_dim, n_tokens, pos0, window;  // n_tokens queries after pos0 cached keys
  float scale, cap;
};

std::string case_name(const SoftcapCase& c) {
  return std::string(kv_cache_type_name(c.type)) + "_d" + std::to_string(c.head_dim) + "_n" +
         std::to_string(c.n_tokens) + "_at" + std::to_string(c.pos0) + "_w" + std::to_string(c.window) + "_cap" +
         std::to_string(int(c.cap * 10));
}

// Runs one case through ops::attention and checks it against the reference.
void expect_capped_attention_matches(vk::Context& ctx, const SoftcapCase& c) {
  const int n_head = 4, n_kv_head = 2, hd = c.head_dim, n = c.n_tokens, total = c.pos0 + n;
  const int kv_dim = n_kv_head * hd, q_dim = n_head * hd;
  const std::vector<float> k = exact_kv_rows(total, kv_dim, 17), v = exact_kv_rows(total, kv_dim, 18);
  const auto q = random_floats(size_t(n) * q_dim, 19, -2, 2);
  ops::AttentionArgs args{uint32_t(n), uint32_t(c.pos0), uint32_t(n_head), uint32_t(n_kv_head), 0};
  args.window = uint32_t(c.window);
  args.scale = c.scale;
  args.softcap = c.cap;
  const auto got = cached_attention(ctx, c.type, hd, q, k, v, args, uint32_t(std::max(n, 64) * n_head));

  std::vector<float> want(q.size()), uncapped(q.size());
  ref::attention(q, k, v, want, n, c.pos0, n_head, n_kv_head, hd, c.window, c.scale, c.cap);
  size_t where = 0;
  EXPECT_LE(worst_ratio(got, want, {}, attention_atol(ctx, uint32_t(n), 2e-4), 0, &where), 1.0)
      << "element " << where;
  // The cap must matter for these inputs (else the comparison above proves nothing).
  ref::attention(q, k, v, uncapped, n, c.pos0, n_head, n_kv_head, hd, c.window, c.scale, 0);
  EXPECT_GT(worst_ratio(got, uncapped, {}, 1e-2, 0, &where), 1.0) << "the cap changed nothing";
}

std::vector<SoftcapCase> with_types(std::vector<SoftcapCase> shapes) {
  std::vector<SoftcapCase> out;
  for (const SoftcapCase& s : shapes)
    for (KvCacheType type : {KvCacheType::F16, KvCacheType::Q8_0}) {
      if (type == KvCacheType::Q8_0 && s.head_dim % 32 != 0) continue;
      SoftcapCase c = s;
      c.type = type;
      out.push_back(c);
    }
  return out;
}

// Scores q . k * scale here reach about +-4 (q in [-2, 2], keys in (-1, 1)):
// caps of 0.5 .. 2 bend most of them.
class AttentionSoftcap : public GpuTest, public testing::WithParamInterface<SoftcapCase> {};

TEST_P(AttentionSoftcap, MatchesReferenceWithTheSameCapAndScale) { expect_capped_attention_matches(gpu(), GetParam()); }

INSTANTIATE_TEST_SUITE_P(Shapes, AttentionSoftcap,
                         testing::ValuesIn(with_types({
                             // head size, tokens, position, window, scale, cap
                             {KvCacheType::F16, 64, 1, 300, 0, 0.15f, 1.0f},     // decode
                             {KvCacheType::F16, 128, 4, 200, 64, 0.1f, 0.5f},    // decode, several tokens, window
                             {KvCacheType::F16, 256, 1, 40, 0, 0.0625f, 2.0f},   // decode, Gemma 2's head size
                             {KvCacheType::F16, 64, 37, 100, 0, 0.15f, 1.0f},    // prefill
                             {KvCacheType::F16, 256, 70, 30, 40, 0.0625f, 0.5f}, // prefill, window across blocks
                             {KvCacheType::F16, 80, 20, 33, 0, 0.2f, 1.5f},      // a head size off the 32 grid
                         })),
                         [](const testing::TestParamInfo<SoftcapCase>& i) { return case_name(i.param); });

// attention_cm.comp asked for by name: prefill on the matrix units, skipped
// where ops::attention would not take them (lavapipe, devices without NV
// cooperative matrices, MRROPE_NO_COOPMAT=1).
class AttentionSoftcapCoopmat : public GpuTest, public testing::WithParamInterface<SoftcapCase> {};

TEST_P(AttentionSoftcapCoopmat, MatchesReferenceOnTheMatrixUnits) {
  vk::Context& ctx = gpu();
  if (!ops::prefill_attention_on_coopmat(ctx.info()))
    GTEST_SKIP() << ctx.info().name << " does not run prefill attention on NV cooperative matrices";
  expect_capped_attention_matches(ctx, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Shapes, AttentionSoftcapCoopmat,
                         testing::ValuesIn(with_types({
                             {KvCacheType::F16, 64, 9, 0, 0, 0.15f, 1.0f},        // one partial block of rows
                             {KvCacheType::F16, 128, 150, 37, 0, 0.1f, 0.5f},     // blocks off the tile grid
                             {KvCacheType::F16, 256, 130, 70, 64, 0.0625f, 1.0f}, // Gemma 2's head size, a window
                             {KvCacheType::F16, 96, 80, 20, 33, 0.12f, 2.0f},     // a window off the tile grid
                         })),
                         [](const testing::TestParamInfo<SoftcapCase>& i) { return case_name(i.param); });

}  // namespace
}  // namespace mrrope::test
