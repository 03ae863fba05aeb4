#pragma once
// The app's policy for keeping conversation threads' prefixes while the one KV
// cache serves another thread (issue 18). A thread's cache is keyed by its
// schedule (method, S, window: the keys are stored rotated) and the cache
// type. When a turn needs another key than the cache holds, what the cache
// holds is copied out (model/kv_prefix.h) and kept here; a later turn under
// that key writes it back instead of prefilling the documents again.
// Policy: one saved prefix per key (the latest; threads of one schedule share
// their documents' tokens anyway), at most `max_entries` keys and `max_bytes`
// of copies, the least recently used dropped first. No GPU work in here:
// the copies are opaque, so the policy is unit-tested without a device.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mrrope {
struct KvPrefix;
}

namespace mrrope::ui {

struct KvPrefixLimits {
  size_t max_entries = 4;  // the side by side's 4 threads, with the live cache holding a fifth
  uint64_t max_bytes = 0;  // 0: a quarter of the machine's RAM (the copies live in host memory)
};

class KvPrefixStore {
 public:
  struct Entry {
    std::string key;
    std::vector<int32_t> tokens;  // what the copy holds, from position 0
    uint64_t bytes = 0;
    std::shared_ptr<const KvPrefix> copy;  // null in the unit tests
    uint64_t last_used = 0;
  };
  struct Match {
    const Entry* entry = nullptr;
    size_t shared = 0;  // leading tokens the prompt has in common with the copy
  };

  explicit KvPrefixStore(KvPrefixLimits limits = {});

  // Whether a copy of `bytes` may be kept at all (so the caller need not make one).
  bool fits(uint64_t bytes) const { return bytes > 0 && bytes <= limits_.max_bytes; }
  // Keeps the copy as `key`'s, replacing that key's earlier one, then drops the
  // least recently used entries until the limits hold. False (nothing kept) when it alone is too big.
  bool put(std::string key, std::vector<int32_t> tokens, uint64_t bytes, std::shared_ptr<const KvPrefix> copy);
  // The key's copy and how many of `prompt`'s leading tokens it holds (at most
  // all but the prompt's last, whose logits start the answer); marks it used.
  std::optional<Match> find(const std::string& key, std::span<const int32_t> prompt);
  void clear() { entries_.clear(); }
  size_t size() const { return entries_.size(); }
  uint64_t bytes() const;
  const KvPrefixLimits& limits() const { return limits_; }
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  KvPrefixLimits limits_;
  std::vector<Entry> entries_;
  uint64_t clock_ = 0;
};

// Leading tokens `cached` and `prompt` share, leaving the prompt's last token to run.
size_t reusable_prefix(std::span<const int32_t> cached, std::span<const int32_t> prompt);

}  // namespace mrrope::ui
