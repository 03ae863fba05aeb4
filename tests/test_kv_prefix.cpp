// GpuModel::save_prefix / restore_prefix (model/kv_prefix.h): a prompt's
// prefix copied out, the cache used for another prompt, the copy written
// back; the next token's logits must be exactly those of the prompt left in
// the cache, for F16 and Q8_0 caches, and into a decoder of another context
// size. Mismatched copies are refused. (Issue 18: the app's threads keep
// their document prefix per schedule.)
#include <gtest/gtest.h>

#include "model/gpu_model.h"
#include "model/kv_prefix.h"
#include "support/gpu_test.h"
#include "support/logits_compare.h"
#include "support/model_files.h"

namespace mrrope::test {
namespace {

class KvPrefixCopy : public GpuTest, public testing::WithParamInterface<KvCacheType> {};

GpuModelOptions options_for(KvCacheType type, int n_ctx) {
  GpuModelOptions o;
  o.n_ctx = n_ctx;
  o.max_batch = 16;
  o.kv_type = type;
  return o;
}

TEST_P(KvPrefixCopy, RestoredPrefixContinuesExactlyAsTheOriginal) {
  SyntheticModelSpec spec;
  spec.n_embd = 256;
  spec.n_ff = 512;
  spec.n_head = 4;
  spec.n_head_kv = 2;
  const GgufFile file = synthetic_gguf(spec);
  const ModelConfig config = ModelConfig::from_gguf(file);
  const RopeTable table = schedule(config, "yarn", 2.0);
  GpuModel model(gpu(), file, config, options_for(GetParam(), 128));
  model.set_rope(table);
  const auto document = random_tokens(40, config.n_vocab, 5), other = random_tokens(30, config.n_vocab, 6);
  const int32_t next = document[3];

  model.prefill(document);
  const KvPrefix saved = model.save_prefix(40);
  EXPECT_EQ(saved.tokens, 40);
  // K and V of every layer and head: f16 rows, or Q8_0's int8 rows and a half per 32.
  const uint64_t row = GetParam() == KvCacheType::F16 ? config.head_dim * 2 : config.head_dim + config.head_dim / 16;
  EXPECT_EQ(saved.bytes(), 2 * uint64_t(config.n_layer) * config.n_head_kv * 40 * row);
  const std::vector<float> want = model.forward(std::span(&next, 1));

  model.reset();
  model.prefill(other);  // another thread overwrites the cache
  model.restore_prefix(saved);
  EXPECT_EQ(model.n_past(), 40);
  EXPECT_EQ(model.forward(std::span(&next, 1)), want);

  // Into a decoder of another context size (the copy does not depend on it).
  GpuModel other_size(gpu(), file, config, options_for(GetParam(), 96));
  other_size.set_rope(table);
  other_size.prefill(other);
  other_size.restore_prefix(saved);
  EXPECT_EQ(other_size.forward(std::span(&next, 1)), want);

  // An empty copy empties the cache.
  model.restore_prefix(model.save_prefix(0));
  EXPECT_EQ(model.n_past(), 0);
}

TEST_P(KvPrefixCopy, RefusesCopiesThatDoNotFit) {
  SyntheticModelSpec spec;
  spec.n_embd = 256;
  spec.n_ff = 512;
  spec.n_head = 4;
  spec.n_head_kv = 2;
  const GgufFile file = synthetic_gguf(spec);
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModel model(gpu(), file, config, options_for(GetParam(), 64));
  model.set_rope(schedule(config, "none", 1.0));
  model.prefill(random_tokens(48, config.n_vocab, 7));
  EXPECT_THROW(model.save_prefix(49), std::invalid_argument);  // past what the cache holds
  const KvPrefix saved = model.save_prefix(48);
  GpuModel small(gpu(), file, config, options_for(GetParam(), 32));
  EXPECT_THROW(small.restore_prefix(saved), std::invalid_argument);  // longer than its context
  const KvCacheType other = GetParam() == KvCacheType::F16 ? KvCacheType::Q8_0 : KvCacheType::F16;
  GpuModel other_type(gpu(), file, config, options_for(other, 64));
  EXPECT_THROW(other_type.restore_prefix(saved), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(CacheTypes, KvPrefixCopy, testing::Values(KvCacheType::F16, KvCacheType::Q8_0),
                         [](const auto& info) { return info.param == KvCacheType::F16 ? "F16" : "Q8_0"; });

}  // namespace
}  // namespace mrrope::test
