// The conversation threads' prefixes on the worker (issue 18). The one KV
// cache holds one thread's tokens under one schedule; when a turn needs
// another schedule, the cache's contents are copied out first
// (GpuModel::save_prefix) and kept by KvPrefixStore's policy, and a later turn
// under that schedule writes its copy back (restore_prefix) instead of
// prefilling the documents again.
#include <cstring>

#include "model/kv_prefix.h"
#include "ui/session/app_session.h"

namespace mrrope::ui {
namespace {

// The cache is reusable only under the same rotation of its keys and the same
// cache type: the schedule's description, its exact frequencies and m, the type.
std::string schedule_key(const RopeTable& table, KvCacheType type) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the float frequencies and m
  auto mix = [&](const void* data, size_t n) {
    const auto* b = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  mix(table.inv_freq.data(), table.inv_freq.size() * sizeof(float));
  mix(&table.attn_factor, sizeof table.attn_factor);
  return table.description + "|" + std::to_string(h) + "|" + kv_cache_type_name(type);
}

}  // namespace

void AppSession::park_live_cache() {
  if (!kv_tokens_.empty() && !kv_key_.empty() && engine_ && engine_->has_decoder()) {
    GpuModel& model = engine_->model();
    const int n = std::min(static_cast<int>(kv_tokens_.size()), model.n_past());
    uint64_t per_token = 0;
    {
      std::lock_guard lock(mutex_);
      if (model_)
        per_token = model.kv_type() == KvCacheType::Q8_0 ? model_->kv_q8_bytes_per_token : model_->kv_bytes_per_token;
    }
    if (n > 0 && saved_prefixes_.fits(per_token * uint64_t(n))) {
      try {
        set_progress("Keeping the thread's " + std::to_string(n) + " cached tokens", 0, 0);
        auto copy = std::make_shared<KvPrefix>(model.save_prefix(n));
        const uint64_t bytes = copy->bytes();
        saved_prefixes_.put(kv_key_, std::vector<int32_t>(kv_tokens_.begin(), kv_tokens_.begin() + n), bytes,
                            std::move(copy));
      } catch (const std::exception&) {
        // Out of host memory: the thread prefills again when it comes back, as without a copy.
      }
    }
  }
  forget_cache();
}

size_t AppSession::take_prefix(const RopeTable& table, const std::vector<int32_t>& prompt, int* restored) {
  GpuModel& model = engine_->model();
  const std::string key = schedule_key(table, model.kv_type());
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
  model.truncate(static_cast<int>(live));
  kv_tokens_.resize(live);
  return live;
}

}  // namespace mrrope::ui
