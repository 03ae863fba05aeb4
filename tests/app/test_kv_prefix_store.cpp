// The app's saved-prefix policy (ui/session/kv_prefix_store.h): one copy per schedule
// key, at most N keys and B bytes, least recently used out first. No GPU.
#include <gtest/gtest.h>

#include "ui/session/kv_prefix_store.h"

namespace mrrope::ui {
namespace {

std::vector<int32_t> tokens(std::initializer_list<int32_t> t) { return t; }

TEST(KvPrefixStore, FindsTheKeysCopyAndWhatItShares) {
  KvPrefixStore store({4, 1000});
  ASSERT_TRUE(store.put("yarn@4", tokens({1, 2, 3, 4, 5}), 100, nullptr));
  const auto prompt = tokens({1, 2, 3, 9, 9});
  auto m = store.find("yarn@4", prompt);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->shared, 3u);
  EXPECT_FALSE(store.find("mrrope-pro@4", prompt));  // another schedule: its keys are rotated otherwise
  // The prompt's last token always runs again (its logits start the answer).
  EXPECT_EQ(store.find("yarn@4", tokens({1, 2, 3}))->shared, 2u);
}

TEST(KvPrefixStore, OneCopyPerKeyTheLatest) {
  KvPrefixStore store({4, 1000});
  store.put("yarn@4", tokens({1, 2}), 100, nullptr);
  store.put("yarn@4", tokens({1, 2, 3}), 150, nullptr);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.bytes(), 150u);
  EXPECT_EQ(store.find("yarn@4", tokens({1, 2, 3, 4}))->shared, 3u);
}

TEST(KvPrefixStore, DropsTheLeastRecentlyUsedPastTheCount) {
  KvPrefixStore store({2, 1000});
  store.put("a", tokens({1}), 10, nullptr);
  store.put("b", tokens({2}), 10, nullptr);
  store.find("a", tokens({1, 1}));  // a used after b
  store.put("c", tokens({3}), 10, nullptr);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_TRUE(store.find("a", tokens({1, 1})));
  EXPECT_FALSE(store.find("b", tokens({2, 2})));
  EXPECT_TRUE(store.find("c", tokens({3, 3})));
}

TEST(KvPrefixStore, StaysWithinItsBytes) {
  KvPrefixStore store({4, 300});
  store.put("a", tokens({1}), 200, nullptr);
  store.put("b", tokens({2}), 200, nullptr);  // both would be 400: a goes
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.bytes(), 200u);
  EXPECT_FALSE(store.find("a", tokens({1, 1})));
  EXPECT_FALSE(store.fits(301));
  EXPECT_FALSE(store.put("big", tokens({5}), 301, nullptr));  // too big alone: not kept, the others stay
  EXPECT_EQ(store.size(), 1u);
  EXPECT_FALSE(store.fits(0));
}

TEST(KvPrefixStore, DefaultsToAQuarterOfTheMachinesMemory) {
  KvPrefixStore store;
  EXPECT_EQ(store.limits().max_entries, 4u);
  EXPECT_GT(store.limits().max_bytes, 0u);
}

}  // namespace
}  // namespace mrrope::ui
