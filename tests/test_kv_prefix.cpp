// GpuModel::save_prefix / restore_prefix (model/kv_prefix.h): a prompt's
// prefix copied out, the cache used for another prompt, the copy written
// back; the next token's logits must be exactly those of the prompt left in
// the cache, for F16 and Q8_0 caches, and into a decoder of another context
// size. Mismatched copies are refused. (Issue 18: the app's threads keep
// their document prefix per schedule.)
#include <gtest/gtest.h>

#include "model/kv_prefix.h"
#include "support/decoder_reference.h"
#include "support/gpu_test.h"

namespace mrrope::test {
namespace {

class KvPrefixCopy : public GpuTest, public testing::WithParamInterface<KvCacheType> {};

// Another prompt takes the cache, then `saved` is written back: the next
// token's logits must be exactly `want`.
void expect_restored_continues(GpuModel& model, std::span<const int32_t> other, const KvPrefix& saved, int32_t next,
                               const std::vector<float>& want) {
  model.prefill(other);
  model.restore_prefix(saved);
  EXPECT_EQ(model.n_past(), saved.tokens);
  EXPECT_EQ(model.forward(std::span(&next, 1)), want);
}

TEST_P(KvPrefixCopy, RestoredPrefixContinuesExactlyAsTheOriginal) {
  const GgufFile file = synthetic_gguf(small_decoder_spec());
  const ModelConfig config = ModelConfig::from_gguf(file);
  const RopeTable table = schedule(config, "yarn", 2.0);
  GpuModel model(gpu(), file, config, decoder_options(128, GetParam()));
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
  expect_restored_continues(model, other, saved, next, want);

  // Into a decoder of another context size (the copy does not depend on it).
  GpuModel other_size(gpu(), file, config, decoder_options(96, GetParam()));
  other_size.set_rope(table);
  expect_restored_continues(other_size, other, saved, next, want);

  // An empty copy empties the cache.
  model.restore_prefix(model.save_prefix(0));
  EXPECT_EQ(model.n_past(), 0);
}

TEST_P(KvPrefixCopy, RefusesCopiesThatDoNotFit) {
  const GgufFile file = synthetic_gguf(small_decoder_spec());
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModel model(gpu(), file, config, decoder_options(64, GetParam()));
  model.set_rope(schedule(config, "none", 1.0));
  model.prefill(random_tokens(48, config.n_vocab, 7));
  EXPECT_THROW(model.save_prefix(49), std::invalid_argument);  // past what the cache holds
  const KvPrefix saved = model.save_prefix(48);
  GpuModel small(gpu(), file, config, decoder_options(32, GetParam()));
  EXPECT_THROW(small.restore_prefix(saved), std::invalid_argument);  // longer than its context
  const KvCacheType other = GetParam() == KvCacheType::F16 ? KvCacheType::Q8_0 : KvCacheType::F16;
  GpuModel other_type(gpu(), file, config, decoder_options(64, other));
  EXPECT_THROW(other_type.restore_prefix(saved), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(CacheTypes, KvPrefixCopy, testing::Values(KvCacheType::F16, KvCacheType::Q8_0),
                         [](const auto& info) { return info.param == KvCacheType::F16 ? "F16" : "Q8_0"; });

}  // namespace
}  // namespace mrrope::test
