// Prefill attention on NV cooperative matrices (attention_cm.comp) against the
// CPU reference, over F16 and Q8_0 caches holding keys and values exactly
// (support/exact_kv.h). Skipped on devices without VK_NV_cooperative_matrix.
// Tolerance: 2e-3 * max|v| absolute (max|v| < 1): Q and P are rounded to f16
// before the matrix units multiply them (2^-11 relative each), the sums are f32.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "ops/attention_ops.h"
#include "reference/reference_ops.h"
#include "support/cached_attention.h"
#include "support/exact_kv.h"
#include "support/gpu_buffers.h"
#include "support/gpu_test.h"

namespace mrrope::test {
namespace {

struct PrefillCase {
  KvCacheType type;
  int head_dim, n_tokens, pos0;  // n_tokens queries after pos0 cached keys
};

class AttentionCoopmat : public GpuTest, public testing::WithParamInterface<PrefillCase> {};

TEST_P(AttentionCoopmat, MatchesReference) {
  vk::Context& ctx = gpu();
  if (!ctx.info().coopmat_nv) GTEST_SKIP() << ctx.info().name << " has no NV cooperative matrices";
  const PrefillCase c = GetParam();
  const int n_head = 8, n_kv_head = 2, hd = c.head_dim, n = c.n_tokens, total = c.pos0 + n;
  const int kv_dim = n_kv_head * hd, q_dim = n_head * hd;
  const std::vector<float> k = exact_kv_rows(total, kv_dim, 3), v = exact_kv_rows(total, kv_dim, 4);
  const auto q = random_floats(size_t(n) * q_dim, 5, -2, 2);
  std::vector<float> want(q.size());
  ref::attention(q, k, v, want, n, c.pos0, n_head, n_kv_head, hd);
  // The softmax in registers (where the device's accumulator layout allows it,
  // ops/coopmat_layout.h), also with 128 query rows a workgroup, and through shared memory.
  for (const char* softmax : {"registers", "registers128", "shared"}) {
    setenv("MRROPE_ATTENTION_CM", softmax, 1);
    const auto got = cached_attention(ctx, c.type, hd, q, k, v,
                                      {uint32_t(n), uint32_t(c.pos0), uint32_t(n_head), uint32_t(n_kv_head), 0},
                                      uint32_t(n * n_head));
    unsetenv("MRROPE_ATTENTION_CM");
    size_t where = 0;
    EXPECT_LE(worst_ratio(got, want, {}, 2e-3, 0, &where), 1.0) << softmax << " softmax, element " << where;
  }
}

std::vector<PrefillCase> prefill_cases() {
  std::vector<PrefillCase> out;
  for (int hd : {64, 80, 96, 128, 256})
    for (KvCacheType type : {KvCacheType::F16, KvCacheType::Q8_0}) {
      if (type == KvCacheType::Q8_0 && hd % 32 != 0) continue;
      out.push_back({type, hd, 9, 0});     // one partial block of 64 rows
      out.push_back({type, hd, 150, 37});  // blocks off the tile grid, masked diagonal tiles
      out.push_back({type, hd, 130, 700});  // many unmasked tiles before the diagonal
    }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Shapes, AttentionCoopmat, testing::ValuesIn(prefill_cases()),
                         [](const testing::TestParamInfo<PrefillCase>& i) {
                           const PrefillCase& c = i.param;
                           return std::string(kv_cache_type_name(c.type)) + "_d" + std::to_string(c.head_dim) + "_n" +
                                  std::to_string(c.n_tokens) + "_at" + std::to_string(c.pos0);
                         });

}  // namespace
}  // namespace mrrope::test
