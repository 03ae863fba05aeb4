// The attention probe on the GPU against the CPU reference's full attention
// matrix: the pooled whole-context map, the last token's row and the mean score
// by distance, gathered over a prefill in chunks and a few decode steps.
// Both with the F16 and the Q8_0 KV cache (the reference rounds its keys the
// same way). Tolerance: 2e-4 absolute on probabilities and map cells (the same
// rounded keys on both sides, float32 sums on the GPU), 2e-3 relative on mean
// scores; 5e-3 absolute where prefill rounds to f16 (support/precision.h).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <span>
#include <vector>

#include "model/cpu_model.h"
#include "model/gpu_model.h"
#include "support/gpu_test.h"
#include "support/precision.h"
#include "support/model_files.h"

namespace mrrope::test {
namespace {

class AttentionProbe : public GpuTest {};
class AttentionProbeKv : public GpuTest, public testing::WithParamInterface<KvCacheType> {};

// The probe's map, last row and mean score per distance against the reference's.
void expect_probe_matches(const AttentionProbeResult& got, const AttentionProbeResult& want, bool f16_prefill) {
  ASSERT_EQ(got.map.size(), want.map.size());
  // Queries and keys from f16 matrix-unit products move probabilities by up to
  // 1.7e-3 (H100, 2026-12-06; docs/bench/h100-tests-excerpt.txt).
  const double atol = f16_prefill ? 5e-3 : 2e-4;
  for (size_t i = 0; i < want.map.size(); ++i) ASSERT_NEAR(got.map[i], want.map[i], atol) << "cell " << i;
  ASSERT_EQ(got.last_row.size(), want.last_row.size());
  for (size_t j = 0; j < want.last_row.size(); ++j) ASSERT_NEAR(got.last_row[j], want.last_row[j], atol) << "key " << j;
  // Mean scores by distance: f16 queries and keys moved them by up to 3.9e-3
  // (relative to 1 + |score|) with a Q8_0 cache on the H100 (2026-12-06).
  const double score_rtol = f16_prefill ? 6e-3 : 2e-3;
  ASSERT_EQ(got.score_by_distance.size(), want.score_by_distance.size());
  for (size_t b = 0; b < want.score_by_distance.size(); ++b) {
    if (std::isnan(want.score_by_distance[b])) {
      EXPECT_TRUE(std::isnan(got.score_by_distance[b])) << "bucket " << b;
      continue;
    }
    EXPECT_NEAR(got.score_by_distance[b], want.score_by_distance[b], score_rtol * (1 + std::fabs(want.score_by_distance[b])))
        << "bucket " << b;
  }
}

// Runs both models over tokens [begin, begin + n) and keeps the reference's
// full attention and score rows, one per query position.
struct ReferenceRows {
  std::vector<std::vector<float>> probs, scores;
  void run(GpuModel& gpu_model, CpuModel& cpu_model, const std::vector<int32_t>& tokens, size_t begin, size_t n) {
    const std::span<const int32_t> s(tokens.data() + begin, n);
    gpu_model.forward(s);
    cpu_model.forward(s);
    const size_t total = begin + n;
    for (size_t t = 0; t < n; ++t) {
      const float* p = cpu_model.recorded_attention().data() + t * total;
      const float* sc = cpu_model.recorded_scores().data() + t * total;
      probs.emplace_back(p, p + total);
      scores.emplace_back(sc, sc + total);
    }
  }
};

TEST_P(AttentionProbeKv, PooledMapRowAndDistanceProfileMatchReference) {
  SyntheticModelSpec spec;
  spec.n_head = 4;
  spec.n_head_kv = 2;
  const GgufFile file = synthetic_gguf(spec);
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModelOptions options;
  options.n_ctx = 200;
  options.max_batch = 64;
  options.kv_type = GetParam();
  GpuModel gpu_model(gpu(), file, config, options);
  CpuModel cpu_model(file, config, GetParam());
  const int layer = 1, head = 3, grid = 16;
  gpu_model.set_probe(AttentionProbeConfig{layer, head, 0, -1, grid, 160});
  cpu_model.record_attention(layer, head);

  std::mt19937 rng(5);
  std::vector<int32_t> tokens(152);
  for (auto& t : tokens) t = static_cast<int32_t>(rng() % config.n_vocab);
  // Full matrices from the reference, one row per query position.
  ReferenceRows rows;
  auto run = [&](size_t begin, size_t n) { rows.run(gpu_model, cpu_model, tokens, begin, n); };
  const auto& probs = rows.probs;
  const auto& scores = rows.scores;
  run(0, 64);
  run(64, 64);
  run(128, 22);
  run(150, 1);
  run(151, 1);

  const AttentionProbeResult got = gpu_model.read_probe();
  const AttentionProbeResult want = pooled_attention_reference(probs, scores, grid, 10);
  ASSERT_EQ(got.tokens, 152);
  ASSERT_EQ(got.block, 10);
  EXPECT_EQ(got.window, 0);  // llama: every layer global
  expect_probe_matches(got, want, prefill_rounds_to_f16(gpu()));
  if (HasFatalFailure()) return;
  // Rows of the map sum to about the fraction of keys each query block sees.
  double row0 = 0;
  for (int c = 0; c < grid; ++c) row0 += got.map[c];
  EXPECT_NEAR(row0 * 10, 1.0, 1e-3);  // every query of block 0 spreads probability 1 over the block's keys
}

INSTANTIATE_TEST_SUITE_P(KvType, AttentionProbeKv, testing::Values(KvCacheType::F16, KvCacheType::Q8_0),
                         [](const testing::TestParamInfo<KvCacheType>& i) {
                           return std::string(kv_cache_type_name(i.param));
                         });

TEST_F(AttentionProbe, BandsAndMeanOverHeadsChangeTheScores) {
  const GgufFile file = synthetic_gguf({});
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModelOptions options;
  options.n_ctx = 64;
  GpuModel m(gpu(), file, config, options);
  std::vector<int32_t> tokens(40);
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<int32_t>((i * 37) % config.n_vocab);
  auto profile = [&](AttentionProbeConfig c) {
    m.set_probe(c);
    m.reset();
    m.forward(tokens);
    return m.read_probe();
  };
  const auto all = profile({0, 0, 0, -1, 8, 64});
  const auto low = profile({0, 0, 0, 4, 8, 64});
  const auto mean = profile({0, -1, 0, -1, 8, 64});
  EXPECT_NE(all.score_by_distance[0], low.score_by_distance[0]);
  EXPECT_NE(all.map, mean.map);
  double total = 0;
  for (float p : mean.last_row) total += p;
  EXPECT_NEAR(total, 1.0, 1e-4);  // a probability distribution over the 40 positions
  EXPECT_THROW(m.set_probe(AttentionProbeConfig{0, 0, 5, 5, 8, 64}), ModelError);
  EXPECT_THROW(m.set_probe(AttentionProbeConfig{config.n_layer, 0, 0, -1, 8, 64}), ModelError);
}

// gemma3: the probe sees what the decoder computes. A local (sliding-window)
// layer puts zero weight on keys outside its window and scores none of them; a
// global layer of the same model attends to every key; the query scale is the
// model's (here 1 / sqrt(n_embd / n_head) as for the 27B, with head_dim 128 so it
// differs from 1 / sqrt(head_dim)). Each against the CPU reference's matrices.
// gemma2 (issue 14): the same with attention-logit soft-capping at 2, low
// enough to bend these scores: the probe's probabilities and scores are the
// capped ones, as the decoder's. *Ring: the local layers' keys in a
// window-sized ring (51 rows for 60 tokens: it wraps), read through kv_slot.
struct Gemma3ProbeCase {
  const char* name;
  int layer;
  bool embd_scale;  // the 27B's query scale
  const char* arch = "gemma3";
  bool ring = false;  // GpuModelOptions::window_kv_cache: the local layers' K/V in rings of 20 + 32 - 1 rows
};
void PrintTo(const Gemma3ProbeCase& c, std::ostream* os) { *os << c.name; }

class AttentionProbeGemma3 : public GpuTest, public testing::WithParamInterface<Gemma3ProbeCase> {};

TEST_P(AttentionProbeGemma3, MatchesReferenceWithTheLayersWindowAndScale) {
  SyntheticModelSpec spec;
  spec.arch = GetParam().arch;
  spec.n_embd = 256;
  spec.n_ff = 512;
  spec.n_head = 4;
  spec.n_head_kv = 2;
  spec.head_dim = 128;
  spec.n_layer = 3;
  spec.swa_window = 20;
  spec.swa_pattern = 3;  // local, local, global
  spec.tied_output = true;
  const bool capped = spec.arch == "gemma2";
  if (capped) spec.attn_logit_softcap = 2;
  const GgufFile file = synthetic_gguf(spec);
  ModelConfig config = ModelConfig::from_gguf(file);
  ASSERT_EQ(config.attn_logit_softcap, capped ? 2.0f : 0.0f);
  if (GetParam().embd_scale) config.attn_scale = 1.0 / std::sqrt(double(config.n_embd / config.n_head));
  const int layer = GetParam().layer, head = 1, grid = 16, block = 5, window = 20;
  ASSERT_EQ(config.is_local(layer), layer < 2);
  GpuModelOptions options;
  options.n_ctx = 96;
  options.max_batch = 32;
  options.window_kv_cache = GetParam().ring;
  GpuModel gpu_model(gpu(), file, config, options);
  CpuModel cpu_model(file, config);
  gpu_model.set_probe(AttentionProbeConfig{layer, head, 0, -1, grid, grid * block});
  cpu_model.record_attention(layer, head);

  std::mt19937 rng(11);
  std::vector<int32_t> tokens(60);
  for (auto& t : tokens) t = static_cast<int32_t>(rng() % config.n_vocab);
  ReferenceRows rows;
  auto run = [&](size_t begin, size_t n) { rows.run(gpu_model, cpu_model, tokens, begin, n); };
  const auto& probs = rows.probs;
  const auto& scores = rows.scores;
  run(0, 32);   // the window falls inside the chunk
  run(32, 26);  // and across chunks
  run(58, 1);   // decode steps
  run(59, 1);

  const bool local = config.is_local(layer);
  const AttentionProbeResult got = gpu_model.read_probe();
  ASSERT_EQ(got.tokens, 60);
  ASSERT_EQ(got.block, block);
  ASSERT_EQ(got.last_row.size(), 60u);
  ASSERT_EQ(got.map.size(), size_t(grid) * grid);
  // The last token (position 59) spreads probability 1 over the keys it sees.
  double in_window = 0, outside = 0;
  for (int j = 0; j < 60; ++j) (j > 59 - window ? in_window : outside) += got.last_row[j];
  EXPECT_NEAR(in_window + outside, 1.0, 1e-4);
  EXPECT_EQ(got.window, local ? window : 0);
  if (local) {
    EXPECT_EQ(outside, 0.0);  // exactly: masked keys are never weighted
    // Map cells whose every pair lies at distance >= window are exactly 0.
    for (int r = 0; r < grid; ++r)
      for (int c = 0; c < grid; ++c)
        if (r * block - (c * block + block - 1) >= window) {
          EXPECT_EQ(got.map[size_t(r) * grid + c], 0.0f) << r << "," << c;
        }
    // No scores at distances >= window (buckets 4.. with block 5); scores inside it.
    for (int b = 0; b < grid; ++b) EXPECT_EQ(std::isnan(got.score_by_distance[b]), b * block >= window) << "bucket " << b;
  } else {
    EXPECT_GT(outside, 1e-3);  // a global layer attends past the window
    for (int b = 0; b < 12; ++b) EXPECT_FALSE(std::isnan(got.score_by_distance[b])) << "bucket " << b;
  }
  if (capped) {  // the probe's scores are the capped ones (and the cap bends some of them)
    float largest = 0;
    for (const auto& row : scores)
      for (float sc : row) largest = std::max(largest, std::abs(sc));
    EXPECT_LE(largest, 2.0f);
    EXPECT_GT(largest, 1.5f);
    for (float sc : got.score_by_distance)
      if (!std::isnan(sc)) EXPECT_LE(std::abs(sc), 2.0f);
  }
  // Against the reference's matrices (its probabilities and scores are windowed the same way).
  const AttentionProbeResult want = pooled_attention_reference(probs, scores, grid, block, local ? window : 0);
  expect_probe_matches(got, want, prefill_rounds_to_f16(gpu()));
}

INSTANTIATE_TEST_SUITE_P(Layers, AttentionProbeGemma3,
                         testing::Values(Gemma3ProbeCase{"Local", 0, false}, Gemma3ProbeCase{"Global", 2, false},
                                         Gemma3ProbeCase{"LocalScaled", 1, true},
                                         Gemma3ProbeCase{"GlobalScaled", 2, true},
                                         Gemma3ProbeCase{"Gemma2Local", 0, false, "gemma2"},
                                         Gemma3ProbeCase{"Gemma2GlobalScaled", 2, true, "gemma2"},
                                         Gemma3ProbeCase{"LocalRing", 0, false, "gemma3", true},
                                         Gemma3ProbeCase{"Gemma2LocalRing", 1, false, "gemma2", true}),
                         [](const testing::TestParamInfo<Gemma3ProbeCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace mrrope::test
