// Engine::score, the one chunked scoring loop (perplexity and the app's loss
// curve), with the bundled model on the device: it matches the perplexity's
// window, does not depend on the chunk, reports progress per chunk and stops
// on cancel.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "engine/engine.h"
#include "eval/perplexity.h"
#include "support/gpu_test.h"

namespace mrrope::test {
namespace {

const std::string kModel = std::string(MRROPE_BUNDLED_MODEL);

class EngineScore : public GpuTest {
 protected:
  std::vector<int32_t> sample_tokens(const Engine& e, size_t n) {
    std::ifstream in(std::string(MRROPE_SOURCE_DIR) + "/assets/samples/kjv_ecclesiastes.txt");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto t = e.tokenizer().tokenize(text, false, false);
    t.resize(n);
    return t;
  }
};

TEST_F(EngineScore, ChunksCoverEveryPositionAndMatchThePerplexityWindow) {
  Engine e(kModel);
  e.create_decoder(gpu(), {128, 16, KvCacheType::F16});
  const std::vector<int32_t> text = sample_tokens(e, 200);
  const tok::Vocab& v = e.tokenizer().vocab();
  std::vector<int32_t> seq;
  if (v.add_bos && v.valid(v.bos_id)) seq.push_back(v.bos_id);
  seq.insert(seq.end(), text.begin(), text.begin() + (100 - static_cast<long>(seq.size())));
  ASSERT_EQ(seq.size(), 100u);

  std::vector<std::pair<int, int>> calls;
  const Engine::Scores s = e.score(seq, [&](int done, int total) { calls.emplace_back(done, total); });
  EXPECT_FALSE(s.cancelled);
  ASSERT_EQ(s.nll.size(), 99u);
  for (float x : s.nll) EXPECT_GT(x, 0.0f);
  ASSERT_EQ(calls.size(), 7u);  // 99 positions in chunks of 16
  EXPECT_EQ(calls.front(), std::make_pair(16, 99));
  EXPECT_EQ(calls.back(), std::make_pair(99, 99));

  // evaluate_perplexity's first window of 100 tokens is this very sequence.
  const PerplexityResult r = evaluate_perplexity(e, text, 100, 1);
  ASSERT_EQ(r.nll.size(), 1u);
  EXPECT_EQ(r.nll[0], s.nll);

  // Another chunk gives the same scores (to rounding).
  e.create_decoder(gpu(), {128, 64, KvCacheType::F16});
  const Engine::Scores big = e.score(seq);
  ASSERT_EQ(big.nll.size(), s.nll.size());
  for (size_t i = 0; i < s.nll.size(); ++i) EXPECT_NEAR(big.nll[i], s.nll[i], 2e-3) << i;
}

TEST_F(EngineScore, CancelStopsBeforeTheNextChunkAndKeepsTheDoneOnes) {
  Engine e(kModel);
  e.create_decoder(gpu(), {128, 16, KvCacheType::F16});
  const std::vector<int32_t> seq = sample_tokens(e, 60);
  std::atomic<bool> cancel{true};
  const Engine::Scores none = e.score(seq, {}, &cancel);
  EXPECT_TRUE(none.cancelled);
  EXPECT_TRUE(none.nll.empty());
  cancel = false;
  const Engine::Scores part = e.score(seq, [&](int done, int) { cancel = done >= 32; }, &cancel);
  EXPECT_TRUE(part.cancelled);
  EXPECT_EQ(part.nll.size(), 32u);
  // A sequence of one token has nothing to score.
  const std::vector<int32_t> one(seq.begin(), seq.begin() + 1);
  EXPECT_TRUE(e.score(one).nll.empty());
}

}  // namespace
}  // namespace mrrope::test
