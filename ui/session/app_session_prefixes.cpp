// The conversation threads' prefixes on the worker (issue 18). The one KV
// cache holds one thread's tokens under one schedule; when a turn needs
// another schedule, the cache's contents are copied out first
// (GpuModel::save_prefix) and kept by KvPrefixStore's policy, and a later turn
// under that schedule writes its copy back (restore_prefix) instead of
// prefilling the documents again. With window-sized rings (issue 14) a copy
// holds what the rings hold, and the cache goes back only as far as they reach
// (GpuModel::rewind); further, the turn prefills again.
#include <cstring>

#include "model/kv_prefix.h"
#include "ui/session/app_session.h"

namespace mrrope::ui {
namespace {

// The cache is reusable only under the same rotation of its keys and the same
// cache type: the schedule's description, its exact frequencies and m, the
// type; and a copy out of rings restores into rings only (restore_prefix).
std::string schedule_key(const RopeTable& table, KvCacheType type, bool rings) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the float frequencies and m
  auto mix = [&](const void* data, size_t n) {
    const auto* b = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  mix(table.inv_freq.data(), table.inv_freq.size() * sizeof(float));
  mix(&table.attn_factor, sizeof table.attn_factor);
  return table.description + "|" + std::to_string(h) + "|" + kv_cache_type_name(type) + (rings ? "|rings" : "");
}

}  // namespace

void AppSession::park_live_cache() {
  if (!kv_tokens_.empty() && !kv_key_.empty() && engine_ && engine_->has_decoder()) {
    GpuModel& model = engine_->model();
    const int n = std::min(static_cast<int>(kv_tokens_.size()), model.n_past());
    uint64_t bytes = 0;
    {
      std::lock_guard lock(mutex_);
      if (model_) bytes = model_->kv_bytes_for(n, model.kv_type());
    }
    if (n > 0 && saved_prefixes_.fits(bytes)) {
      try {
        set_progress("Keeping the thread's " + std::to_string(n) + " cached tokens", 0, 0);
        auto copy = std::make_shared<KvPrefix>(model.save_prefix(n));
        const uint64_t bytes = copy->bytes();
        saved_prefixes_.put(kv_key_, std::vector<int32_t>(kv_tokens_.begin(), kv_tokens_.begin() + n), bytes,
                            std::move(copy));
      } catch (const std::exception&) {
        // Out of host memory, or rings that no longer hold the window before
        // n: the thread prefills again when it comes back, as without a copy.
      }
    }
  }
  forget_cache();
}

size_t AppSession::take_prefix(const RopeTable& table, const std::vector<int32_t>& prompt, int* restored) {
  GpuModel& model = engine_->model();
  const std::string key = schedule_key(table, model.kv_type(), model.has_kv_rings());
  *restored = 0;
  size_t live = kv_key_ == key ? reusable_prefix(kv_tokens_, prompt) : 0;
  const std::optional<KvPrefixStore::Match> saved = saved_prefixes_.find(key, prompt);
  if (saved && saved->shared > live && saved->entry->tokens.size() <= size_t(model.n_ctx())) {
    const KvPrefixStore::Entry entry = *saved->entry;  // parking may evict it: keep the copy alive
    if (kv_key_ != key) park_live_cache();  // same key: the saved copy holds more of this prompt, the live one goes
    set_progress("Restoring the thread's " + std::to_string(entry.tokens.size()) + " cached tokens", 0, 0);
    model.restore_prefix(*entry.copy);
    kv_tokens_ = entry.tokens;
    kv_key_ = key;
    live = reusable_prefix(kv_tokens_, prompt);
    *restored = static_cast<int>(live);
  } else if (kv_key_ != key) {
    park_live_cache();
    kv_key_ = key;
    live = 0;
  }
  // Rings may not reach back to `live`: then the cache keeps less (0), and the turn prefills the rest.
  live = static_cast<size_t>(model.rewind(static_cast<int>(live)));
  *restored = std::min(*restored, static_cast<int>(live));
  kv_tokens_.resize(live);
  return live;
}

}  // namespace mrrope::ui
