// The cancellable prefill's chunk plan (model/prefill_plan.h): chunks sized
// to about kCancelCheckSeconds from the measured speed, parts for chunks
// that are slow even at their smallest.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "model/prefill_plan.h"

namespace mrrope {
namespace {

TEST(PrefillPlan, StartsAtTheSmallestChunk) {
  EXPECT_EQ(first_prefill_plan(4096, 1).tokens, kMinCancellableChunk);
  EXPECT_EQ(first_prefill_plan(4096, 3).parts, 3);
  EXPECT_EQ(first_prefill_plan(16, 1).tokens, 16);  // max_batch below the smallest chunk
}

TEST(PrefillPlan, AFastDeviceGrowsToItsFullChunkAtMost8xAChunk) {
  PrefillPlan plan = first_prefill_plan(4096, 1);
  const double per_token = 1e-6;  // a GPU: a 4096-token chunk in 4 ms
  std::vector<int> sizes;
  while (plan.tokens < 4096 && sizes.size() < 10) {
    plan = next_prefill_plan(plan, plan.tokens, per_token * plan.tokens, 4096, 32);
    sizes.push_back(plan.tokens);
    EXPECT_EQ(plan.parts, 1);
  }
  EXPECT_EQ(sizes, (std::vector<int>{512, 4096}));
}

TEST(PrefillPlan, ChunksTakeAboutTheCheckInterval) {
  // 1 ms a token: 250 tokens fit, rounded down to whole 64s.
  const PrefillPlan plan = next_prefill_plan({1024, 1}, 1024, 1.024, 4096, 8);
  EXPECT_EQ(plan.tokens, 192);
  EXPECT_EQ(plan.parts, 1);
}

TEST(PrefillPlan, SlowSmallestChunksAreSplitIntoParts) {
  // 64 tokens in 1.2 s (a CPU device late in a long prefill): 5 parts of 0.24 s.
  PrefillPlan plan = next_prefill_plan({64, 1}, 64, 1.2, 512, 8);
  EXPECT_EQ(plan.tokens, 64);
  EXPECT_EQ(plan.parts, 5);
  // No more parts than layers.
  EXPECT_EQ(next_prefill_plan({64, 1}, 64, 10.0, 512, 8).parts, 8);
  // A faster chunk (pipelines built during the first) lowers them by at most half.
  plan = next_prefill_plan({64, 8}, 64, 0.3, 512, 8);
  EXPECT_EQ(plan.parts, 4);
  plan = next_prefill_plan(plan, 64, 0.3, 512, 8);
  EXPECT_EQ(plan.parts, 2);
  // Models with KV rings take no parts (max_parts 1).
  EXPECT_EQ(next_prefill_plan({64, 1}, 64, 10.0, 512, 1).parts, 1);
}

TEST(PrefillPlan, NoTimeOrNoTokensKeepsThePlan) {
  const PrefillPlan now{128, 2};
  EXPECT_EQ(next_prefill_plan(now, 0, 1.0, 512, 8).tokens, 128);
  EXPECT_EQ(next_prefill_plan(now, 64, 0.0, 512, 8).parts, 2);
}

TEST(PrefillPacer, WithoutACancelFlagKeepsWholeChunks) {
  PrefillPacer pacer(false, 512, 3, 8);
  EXPECT_EQ(pacer.plan().tokens, 512);
  EXPECT_EQ(pacer.plan().parts, 1);
  pacer.start();
  pacer.finished(512);
  EXPECT_EQ(pacer.plan().tokens, 512);
}

TEST(PrefillPacer, WithOneStartsSmallAndReplansAfterEachChunk) {
  PrefillPacer pacer(true, 4096, 2, 8);
  EXPECT_EQ(pacer.plan().tokens, kMinCancellableChunk);
  EXPECT_EQ(pacer.plan().parts, 2);
  pacer.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  pacer.finished(64);  // a millisecond: a fast device grows 8x
  EXPECT_EQ(pacer.plan().tokens, 512);
}

}  // namespace
}  // namespace mrrope
