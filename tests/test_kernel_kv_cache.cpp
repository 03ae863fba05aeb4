// The Q8_0 KV cache on the GPU: kv_store's quantization against the CPU
// quantizer (quant/quantize.cpp), and flash attention over the Q8_0 cache
// against the CPU reference attention (reference_ops) over the same cache
// dequantized.
// Tolerances: quantization: each scale within 1 ulp of its half and each
// quant within 1 of the CPU's (GPU division may differ by an ulp; on lavapipe
// they are bit-exact, which the test also reports). Attention: 1e-4 absolute
// on outputs bounded by max|v| <= 1 (float32 online softmax vs double).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "ops/attention_ops.h"
#include "quant/half.h"
#include "quant/quantize.h"
#include "reference/reference_ops.h"
#include "support/gpu_buffers.h"
#include "support/gpu_test.h"
#include "support/precision.h"

namespace mrrope::test {
namespace {

// One position of one kv head as stored on the GPU: scales and quants.
struct Q8Row {
  std::vector<uint16_t> scales;
  std::vector<int8_t> quants;
};

// Reads one kind (K or V) of a layer's cache back from the device.
class HostQ8Cache {
 public:
  HostQ8Cache(const ops::KvCache& cache, int layer, bool values) : cache_(cache) {
    for (const auto& g : cache.layer(layer)) {
      const vk::Buffer& b = values ? g.v : g.k;
      bytes_.push_back(read_back<uint8_t>(b, b.size()));
    }
    layer_ = layer;
  }

  Q8Row row(int kv_head, int pos) const {
    const int hd = cache_.head_dim(), nb = hd / 32;
    for (size_t gi = 0; gi < cache_.layer(layer_).size(); ++gi) {
      const auto& g = cache_.layer(layer_)[gi];
      if (kv_head < int(g.head_begin) || kv_head >= int(g.head_begin + g.heads)) continue;
      const std::vector<uint8_t>& b = bytes_[gi];
      const size_t r = size_t(kv_head - g.head_begin) * cache_.n_ctx() + pos;
      Q8Row out{std::vector<uint16_t>(nb), std::vector<int8_t>(hd)};
      std::memcpy(out.quants.data(), b.data() + r * hd, hd);
      std::memcpy(out.scales.data(), b.data() + size_t(cache_.scale_offset_words(g)) * 4 + r * nb * 2, nb * 2);
      return out;
    }
    ADD_FAILURE() << "kv head " << kv_head << " is in no buffer";
    return {};
  }

  // [n_pos x n_kv_heads*hd] dequantized, the layout ref::attention reads.
  std::vector<float> dequantized(int n_kv_heads, int n_pos) const {
    const int hd = cache_.head_dim();
    std::vector<float> out(size_t(n_pos) * n_kv_heads * hd);
    for (int j = 0; j < n_pos; ++j)
      for (int h = 0; h < n_kv_heads; ++h) {
        const Q8Row r = row(h, j);
        for (int e = 0; e < hd; ++e)
          out[(size_t(j) * n_kv_heads + h) * hd + e] = half_to_float(r.scales[e / 32]) * r.quants[e];
      }
    return out;
  }

 private:
  const ops::KvCache& cache_;
  int layer_ = 0;
  std::vector<std::vector<uint8_t>> bytes_;
};

// x [n x kv_dim] stored at positions pos0 .. of layer 0.
void store(vk::Context& ctx, const ops::KvCache& cache, const std::vector<float>& k, const std::vector<float>& v,
           uint32_t n, uint32_t pos0) {
  vk::Buffer bk = device_buffer(ctx, k), bv = device_buffer(ctx, v), pos = positions_buffer(ctx, n, pos0);
  vk::Sequence seq(ctx);
  seq.begin();
  ops::kv_store(seq, cache, 0, bk, bv, pos, n, pos0);
  seq.end();
  seq.run();
}

// Keys with awkward blocks: a zero block, tiny and large magnitudes, and a
// block whose scale is exactly 1 so that x.5 values test ties (away from zero).
std::vector<float> awkward_rows(int n, int kv_dim, uint32_t seed) {
  std::vector<float> x = random_floats(size_t(n) * kv_dim, seed);
  for (int t = 0; t < n; ++t) {
    float* row = x.data() + size_t(t) * kv_dim;
    const int kind = (t + int(seed)) % 4;
    if (kind == 0) std::fill(row, row + 32, 0.0f);
    if (kind == 1)
      for (int e = 0; e < kv_dim; ++e) row[e] *= 1e-3f;
    if (kind == 2)
      for (int e = 0; e < kv_dim; ++e) row[e] *= 50.0f;
    if (kind == 3) {
      row[0] = 127.0f;
      for (int e = 1; e < 32; ++e) row[e] = float(e % 9) - 4.5f;
    }
  }
  return x;
}

class KvCacheQ8Kernels : public GpuTest {};

TEST_F(KvCacheQ8Kernels, StoreMatchesCpuQuantizerAcrossSplitBuffersAndRewrites) {
  // Small buffers split the 3 heads over 2 buffers; head_dim 96 has 3 blocks,
  // so rows share words of scales (written with atomics).
  vk::Context& ctx = gpu_with_small_buffers();
  const int kv_heads = 3, hd = 96, n_ctx = 300, kv_dim = kv_heads * hd;
  ops::KvCache cache(ctx, 1, kv_heads, hd, n_ctx, KvCacheType::Q8_0);
  ASSERT_GT(cache.layer(0).size(), 1u);
  std::vector<float> want_k(size_t(28) * kv_dim), want_v(want_k.size());
  auto write = [&](int n, int pos0, uint32_t seed) {
    const auto k = awkward_rows(n, kv_dim, seed), v = awkward_rows(n, kv_dim, seed + 100);
    store(ctx, cache, k, v, n, pos0);
    std::copy(k.begin(), k.end(), want_k.begin() + size_t(pos0) * kv_dim);
    std::copy(v.begin(), v.end(), want_v.begin() + size_t(pos0) * kv_dim);
  };
  write(13, 0, 1);
  write(15, 13, 2);  // starts at an odd row: shares a word of scales with row 12
  write(5, 5, 3);    // a truncated prefix prefilled again over old rows

  int inexact = 0;
  for (bool values : {false, true}) {
    const HostQ8Cache got(cache, 0, values);
    const std::vector<float>& want = values ? want_v : want_k;
    const auto blocks = quantize_rows(GgmlType::Q8_0, want, int64_t(28) * kv_heads, hd);
    for (int pos = 0; pos < 28; ++pos)
      for (int h = 0; h < kv_heads; ++h) {
        const Q8Row r = got.row(h, pos);
        for (int b = 0; b < hd / 32; ++b) {
          const uint8_t* cpu = blocks.data() + ((size_t(pos) * kv_heads + h) * (hd / 32) + b) * 34;
          uint16_t cpu_scale;
          std::memcpy(&cpu_scale, cpu, 2);
          const std::string where = std::string(values ? "V" : "K") + " pos " + std::to_string(pos) + " head " +
                                    std::to_string(h) + " block " + std::to_string(b);
          ASSERT_LE(std::abs(int(r.scales[b]) - int(cpu_scale)), 1) << where;
          inexact += r.scales[b] != cpu_scale;
          for (int j = 0; j < 32; ++j) {
            const int q = r.quants[b * 32 + j], cq = int8_t(cpu[2 + j]);
            ASSERT_LE(std::abs(q - cq), 1) << where << " element " << j;
            inexact += q != cq;
          }
        }
      }
  }
  RecordProperty("inexact", inexact);
  std::printf("kv_store q8_0: %d scales or quants differ by one from the CPU quantizer\n", inexact);
}

TEST_F(KvCacheQ8Kernels, RefusesHeadSizesThatAreNotMultiplesOf32) {
  try {
    ops::KvCache cache(gpu(), 1, 1, 80, 16, KvCacheType::Q8_0);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("multiple of 32"), std::string::npos) << e.what();
  }
}

struct AttentionCase {
  int head_dim, prefill, pos0;  // a prefill chunk at pos0 after pos0 earlier keys, then one decoded token
};

class KvCacheQ8Attention : public GpuTest, public testing::WithParamInterface<AttentionCase> {};

TEST_P(KvCacheQ8Attention, FlashAttentionMatchesReferenceOverDequantizedCache) {
  const AttentionCase c = GetParam();
  const int n_head = 4, kv_heads = 2, hd = c.head_dim, kv_dim = kv_heads * hd, total = c.pos0 + c.prefill + 1;
  vk::Context& ctx = gpu();
  ops::KvCache cache(ctx, 1, kv_heads, hd, total + 7, KvCacheType::Q8_0);
  ops::AttentionScratch scratch(ctx, uint32_t(std::max(c.prefill, 64) * n_head), hd);
  store(ctx, cache, random_floats(size_t(c.pos0 + c.prefill) * kv_dim, 11, -2, 2),
        random_floats(size_t(c.pos0 + c.prefill) * kv_dim, 12), c.pos0 + c.prefill, 0);
  store(ctx, cache, random_floats(kv_dim, 13, -2, 2), random_floats(kv_dim, 14), 1, total - 1);
  const std::vector<float> k = HostQ8Cache(cache, 0, false).dequantized(kv_heads, total);
  const std::vector<float> v = HostQ8Cache(cache, 0, true).dequantized(kv_heads, total);

  // The prefill chunk's queries at pos0 .., then the decoded token's (many key splits).
  for (auto [n, pos0] : {std::pair{c.prefill, c.pos0}, std::pair{1, total - 1}}) {
    const auto q = random_floats(size_t(n) * n_head * hd, 15 + n, -2, 2);
    vk::Buffer bq = device_buffer(ctx, q), bo = zero_buffer(ctx, q.size()), bp = positions_buffer(ctx, n, pos0);
    vk::Sequence seq(ctx);
    seq.begin();
    ops::attention(seq, cache, bq, bp, bo, scratch,
                   {uint32_t(n), uint32_t(pos0), uint32_t(n_head), uint32_t(kv_heads), 0});
    seq.end();
    seq.run();
    std::vector<float> want(q.size());
    ref::attention(q, k, v, want, n, pos0, n_head, kv_heads, hd);
    size_t where = 0;
    EXPECT_LE(worst_ratio(read_back(bo, q.size()), want, {}, attention_atol(ctx, uint32_t(n), 1e-4), 0, &where), 1.0)
        << n << " queries at " << pos0 << ", element " << where;
  }
}

INSTANTIATE_TEST_SUITE_P(HeadSizes, KvCacheQ8Attention,
                         testing::Values(AttentionCase{64, 37, 0}, AttentionCase{96, 20, 590},
                                         AttentionCase{128, 9, 300}, AttentionCase{256, 3, 40}),
                         [](const testing::TestParamInfo<AttentionCase>& i) {
                           return "d" + std::to_string(i.param.head_dim);
                         });

}  // namespace
}  // namespace mrrope::test
