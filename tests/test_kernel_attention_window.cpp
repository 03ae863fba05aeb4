// Sliding-window attention (Gemma's local layers): every attention path
// (attention_decode.comp for up to 8 tokens, attention.comp for prefill, and
// attention_cm.comp for prefill on NV matrix units) against the CPU
// reference with the same window, over F16 and Q8_0 caches holding keys and
// values exactly (support/exact_kv.h). Tolerance: 2e-4 absolute (max|v| < 1,
// float32 online softmax against double), 2e-3 on the matrix units (Q and P
// rounded to f16), as the unwindowed tests.
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

struct WindowCase {
  KvCacheType type;
  int head_dim, n_tokens, pos0, window;  // n_tokens queries after pos0 cached keys
};

class AttentionWindow : public GpuTest, public testing::WithParamInterface<WindowCase> {};

TEST_P(AttentionWindow, MatchesReferenceWithTheSameWindow) {
  vk::Context& ctx = gpu();
  const WindowCase c = GetParam();
  const int n_head = 4, n_kv_head = 2, hd = c.head_dim, n = c.n_tokens, total = c.pos0 + n;
  const int kv_dim = n_kv_head * hd, q_dim = n_head * hd;
  const std::vector<float> k = exact_kv_rows(total, kv_dim, 7), v = exact_kv_rows(total, kv_dim, 8);
  const auto q = random_floats(size_t(n) * q_dim, 9, -2, 2);
  ops::AttentionArgs args{uint32_t(n), uint32_t(c.pos0), uint32_t(n_head), uint32_t(n_kv_head), 0};
  args.window = uint32_t(c.window);
  const auto got = cached_attention(ctx, c.type, hd, q, k, v, args, uint32_t(std::max(n, 64) * n_head));

  std::vector<float> want(q.size()), unwindowed(q.size());
  ref::attention(q, k, v, want, n, c.pos0, n_head, n_kv_head, hd, c.window);
  size_t where = 0;
  EXPECT_LE(worst_ratio(got, want, {}, attention_atol(ctx, uint32_t(n), 2e-4), 0, &where), 1.0)
      << "element " << where;
  // The window must change the answer where some token has keys outside it.
  if (total > c.window) {
    ref::attention(q, k, v, unwindowed, n, c.pos0, n_head, n_kv_head, hd);
    EXPECT_GT(worst_ratio(got, unwindowed, {}, 1e-2, 0, &where), 1.0) << "the window masked nothing";
  }
}

std::vector<WindowCase> window_cases() {
  // head size, tokens, position, window
  const WindowCase shapes[] = {
      {KvCacheType::F16, 64, 1, 700, 100},   // decode, window far behind
      {KvCacheType::F16, 128, 4, 500, 64},   // decode, several tokens
      {KvCacheType::F16, 256, 3, 40, 100},   // decode, window wider than the context
      {KvCacheType::F16, 64, 37, 300, 64},   // prefill, tiles before the window skipped
      {KvCacheType::F16, 256, 150, 200, 100},  // prefill over several query blocks
      {KvCacheType::F16, 128, 130, 0, 40},   // prefill: the window inside the chunk
      {KvCacheType::F16, 80, 20, 333, 129},  // a window off every tile grid
  };
  std::vector<WindowCase> out;
  for (const WindowCase& s : shapes)
    for (KvCacheType type : {KvCacheType::F16, KvCacheType::Q8_0}) {
      if (type == KvCacheType::Q8_0 && s.head_dim % 32 != 0) continue;
      WindowCase c = s;
      c.type = type;
      out.push_back(c);
    }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Shapes, AttentionWindow, testing::ValuesIn(window_cases()),
                         [](const testing::TestParamInfo<WindowCase>& i) {
                           const WindowCase& c = i.param;
                           return std::string(kv_cache_type_name(c.type)) + "_d" + std::to_string(c.head_dim) + "_n" +
                                  std::to_string(c.n_tokens) + "_at" + std::to_string(c.pos0) + "_w" +
                                  std::to_string(c.window);
                         });

}  // namespace
}  // namespace mrrope::test
