// The saved-prefix policy (ui/session/kv_prefix_store.h): one copy per key, bounded in
// count and bytes, least recently used first out.
#include "ui/session/kv_prefix_store.h"

#include <algorithm>
#include <unistd.h>

namespace mrrope::ui {
namespace {

uint64_t quarter_of_ram() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) / 4 : (uint64_t(1) << 30);
}

}  // namespace

size_t reusable_prefix(std::span<const int32_t> cached, std::span<const int32_t> prompt) {
  size_t n = 0;
  while (n < cached.size() && n + 1 < prompt.size() && cached[n] == prompt[n]) ++n;
  return n;
}

KvPrefixStore::KvPrefixStore(KvPrefixLimits limits) : limits_(limits) {
  if (limits_.max_bytes == 0) limits_.max_bytes = quarter_of_ram();
}

uint64_t KvPrefixStore::bytes() const {
  uint64_t sum = 0;
  for (const Entry& e : entries_) sum += e.bytes;
  return sum;
}

bool KvPrefixStore::put(std::string key, std::vector<int32_t> tokens, uint64_t bytes,
                        std::shared_ptr<const KvPrefix> copy) {
  std::erase_if(entries_, [&](const Entry& e) { return e.key == key; });
  if (!fits(bytes) || limits_.max_entries == 0) return false;
  entries_.push_back({std::move(key), std::move(tokens), bytes, std::move(copy), ++clock_});
  auto over = [&] { return entries_.size() > limits_.max_entries || this->bytes() > limits_.max_bytes; };
  while (over()) {  // the newest stays: it fits on its own
    auto oldest = std::min_element(entries_.begin(), entries_.end() - 1,
                                   [](const Entry& a, const Entry& b) { return a.last_used < b.last_used; });
    entries_.erase(oldest);
  }
  return true;
}

std::optional<KvPrefixStore::Match> KvPrefixStore::find(const std::string& key, std::span<const int32_t> prompt) {
  for (Entry& e : entries_)
    if (e.key == key) {
      e.last_used = ++clock_;
      return Match{&e, reusable_prefix(e.tokens, prompt)};
    }
  return std::nullopt;
}

}  // namespace mrrope::ui
