// Window-sized KV cache (issue 14, GpuModelOptions::window_kv_cache): the
// sliding-window layers of gemma2 and gemma3 keep K and V in rings of
// window + max_batch - 1 rows. The decoder against the CPU reference (which
// keeps every position) over a prefill in chunks that wraps the rings several
// times, then token-by-token decode, with F16 and Q8_0 caches; the memory
// estimate counts the rings' rows, and a command's decoder with --no-kv-rings
// allocates full-length K/V; truncate() goes back as far as the rings still
// hold the window before the new end (then matches a reference run over the
// same tokens) and refuses further, and so does a KV prefix copy (the copies
// themselves: test_kv_prefix_rings.cpp).
// Tolerance as test_decoder.cpp: 2e-3 * (1 + max |cpu|) per logits row.
#include <gtest/gtest.h>

#include "engine/decoder_sizing.h"
#include "engine/engine_flags.h"
#include "model/cpu_model.h"
#include "model/gpu_model.h"
#include "model/kv_prefix.h"
#include "options/option_table.h"
#include "support/gemma_models.h"
#include "support/gpu_test.h"
#include "support/logits_compare.h"
#include "support/model_files.h"
#include "support/precision.h"

namespace mrrope::test {
namespace {

struct WindowKvCase {
  const char* arch;
  KvCacheType kv;
};

SyntheticModelSpec windowed(const char* arch) { return gemma_window_spec(arch); }

class DecoderWindowKv : public GpuTest, public testing::WithParamInterface<WindowKvCase> {};

TEST_P(DecoderWindowKv, ChunksAndDecodePastSeveralWrapsMatchTheReference) {
  const GgufFile file = synthetic_gguf(windowed(GetParam().arch));
  const ModelConfig config = ModelConfig::from_gguf(file);
  ASSERT_TRUE(config.has_local_layers());
  GpuModelOptions options;
  options.n_ctx = 160;
  options.max_batch = 16;
  options.kv_type = GetParam().kv;
  options.window_kv_cache = true;
  // Rings of 20 + 16 - 1 = 35 rows for the local layers, 160 for the global ones.
  const std::vector<int> rows = kv_layer_rows(config, options);
  for (int l = 0; l < config.n_layer; ++l) EXPECT_EQ(rows[l], config.is_local(l) ? 35 : 160) << "layer " << l;
  GpuModel gpu_model(gpu(), file, config, options);
  CpuModel cpu_model(file, config, GetParam().kv);
  const RopeTable table = schedule(config, "yarn", 4.0);
  gpu_model.set_rope(table);
  cpu_model.set_rope(table);
  const double rtol = logits_rtol(gpu(), 2e-3);

  const auto tokens = random_tokens(150, config.n_vocab, 8);
  for (size_t i = 0; i < 142; i += 16) {  // 142 positions: four wraps of a 35-row ring
    const std::span<const int32_t> chunk(tokens.data() + i, std::min<size_t>(16, 142 - i));
    expect_close_rows(gpu_model.forward(chunk, true), cpu_model.forward(chunk), config.n_vocab,
                      "prefill chunk at " + std::to_string(i), rtol);
  }
  for (size_t i = 142; i < tokens.size(); ++i) {
    const std::span<const int32_t> one(tokens.data() + i, 1);
    expect_close_rows(gpu_model.forward(one), cpu_model.forward(one), config.n_vocab,
                      "decode at " + std::to_string(i), rtol);
  }
}

INSTANTIATE_TEST_SUITE_P(Archs, DecoderWindowKv,
                         testing::Values(WindowKvCase{"gemma2", KvCacheType::F16},
                                         WindowKvCase{"gemma3", KvCacheType::F16},
                                         WindowKvCase{"gemma2", KvCacheType::Q8_0}),
                         [](const testing::TestParamInfo<WindowKvCase>& i) {
                           return std::string(i.param.arch) + "_" + kv_cache_type_name(i.param.kv);
                         });

class WindowKvCache : public GpuTest {};

// The estimate counts each layer's rows: at 128K with a window of 4096 the
// local layers of a gemma2-shaped model take window + chunk - 1 rows.
TEST_F(WindowKvCache, MemoryEstimateCountsTheRings) {
  const GgufFile file = synthetic_gguf(windowed("gemma2"));
  const ModelConfig config = ModelConfig::from_gguf(file);
  const ModelTensors tensors = ModelTensors::bind(file, config);
  GpuModelOptions options;
  options.n_ctx = 131072;
  options.max_batch = 512;
  const uint64_t full = estimate_memory(config, tensors, options).kv_cache;
  options.window_kv_cache = true;
  const uint64_t rings = estimate_memory(config, tensors, options).kv_cache;
  EXPECT_EQ(full, ops::KvCache::bytes_needed(4, 2, 64, 131072));
  EXPECT_EQ(rings, ops::KvCache::bytes_needed({20 + 511, 131072, 20 + 511, 131072}, 2, 64));
  EXPECT_LT(rings * 19, full * 10);  // half the layers local: a little over half the bytes
}

// What --no-kv-rings does (issue 14): a command's decoder, sized by
// size_decoder as mrrope-cli sizes it, keeps window-sized rings for the local
// layers, or full-length K/V for every layer with the flag.
TEST_F(WindowKvCache, NoKvRingsFlagAllocatesFullLengthKv) {
  const GgufFile file = synthetic_gguf(windowed("gemma2"));
  const ModelConfig config = ModelConfig::from_gguf(file);
  for (const bool flag : {false, true}) {
    OptionTable table;
    bool rings = true;
    add_kv_ring_option(table, rings);
    table.parse(flag ? std::vector<std::string>{"--no-kv-rings"} : std::vector<std::string>{});
    DecoderRequest request;
    request.job = DecoderJob::Command;
    request.tokens = 300;
    request.max_batch = 16;
    request.window_kv_cache = rings;
    const EngineOptions eo = size_decoder(request);
    GpuModelOptions options;
    options.n_ctx = eo.n_ctx;
    options.max_batch = eo.max_batch;
    options.kv_type = eo.kv_type;
    options.window_kv_cache = eo.window_kv_cache;
    GpuModel model(gpu(), file, config, options);
    ASSERT_EQ(model.n_ctx(), 512);
    EXPECT_EQ(model.has_kv_rings(), !flag);
    for (int l = 0; l < config.n_layer; ++l)
      EXPECT_EQ(model.kv_rows(l), config.is_local(l) && !flag ? 20 + 16 - 1 : 512) << "layer " << l;
    EXPECT_EQ(model.memory().kv_cache, flag ? ops::KvCache::bytes_needed(4, 2, 64, 512)
                                            : ops::KvCache::bytes_needed({35, 512, 35, 512}, 2, 64))
        << (flag ? "--no-kv-rings" : "rings");
  }
}

// truncate() keeps a prefix while the rings still hold the window before it:
// going back at most max_batch positions always does.
TEST_F(WindowKvCache, TruncateGoesBackAsFarAsTheRingsHold) {
  const GgufFile file = synthetic_gguf(windowed("gemma2"));
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModelOptions options;
  options.n_ctx = 128;
  options.max_batch = 16;
  options.window_kv_cache = true;
  GpuModel gpu_model(gpu(), file, config, options);
  const double rtol = logits_rtol(gpu(), 2e-3);
  const auto tokens = random_tokens(100, config.n_vocab, 9);
  gpu_model.prefill(std::span(tokens).first(90));
  EXPECT_THROW(gpu_model.truncate(90 - 17), ModelError);  // needs 54 .. 72: the ring of 35 rows lost 54
  EXPECT_EQ(gpu_model.n_past(), 90);
  gpu_model.truncate(90 - 16);  // needs 55 .. 73, the ring holds 55 .. 89
  EXPECT_EQ(gpu_model.n_past(), 74);
  // Then other tokens from 74 on, against a reference that ran those tokens only.
  std::vector<int32_t> edited(tokens.begin(), tokens.begin() + 74);
  for (int i = 0; i < 10; ++i) edited.push_back((tokens[74 + i] + 1) % config.n_vocab);
  CpuModel cpu_model(file, config);
  cpu_model.forward(std::span(edited).first(74));
  const std::span<const int32_t> rest(edited.data() + 74, 10);
  expect_close_rows(gpu_model.forward(rest, true), cpu_model.forward(rest), config.n_vocab, "after truncate", rtol);

  EXPECT_FALSE(gpu_model.can_truncate(10));
  EXPECT_THROW(gpu_model.save_prefix(10), std::invalid_argument);  // nor a copy of the window before 10
  gpu_model.reset();
  gpu_model.prefill(std::span(tokens).first(30));
  gpu_model.truncate(0);  // back to the start is always possible
  EXPECT_EQ(gpu_model.n_past(), 0);
}

}  // namespace
}  // namespace mrrope::test
