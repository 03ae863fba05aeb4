#include "engine/decoder_sizing.h"

#include <algorithm>
#include <stdexcept>

#include <unistd.h>

namespace mrrope {
namespace {

int round_up(int tokens, int step) { return ((tokens + step - 1) / step) * step; }

}  // namespace

EngineOptions size_decoder(const DecoderRequest& r) {
  EngineOptions o;
  o.kv_type = r.kv_type;
  switch (r.job) {
    case DecoderJob::Command:
      o.n_ctx = r.n_ctx > 0 ? r.n_ctx : round_up(r.tokens, kContextStep);
      o.max_batch = r.max_batch;
      break;
    case DecoderJob::Session:
      o.n_ctx = r.n_ctx > 0 ? r.n_ctx : std::max(kContextStep, round_up(r.tokens, kContextStep));
      o.max_batch = r.max_batch > 0 ? r.max_batch : r.device_type == "CPU" ? kSessionCpuChunk : 0;
      break;
    case DecoderJob::Sweep:
      o.n_ctx = r.n_ctx > 0 ? r.n_ctx : r.tokens;
      o.max_batch = r.max_batch > 0 ? r.max_batch : kSweepChunk;
      break;
  }
  o.window_kv_cache = r.window_kv_cache;  // every job copes with rings (decoder_sizing.h says how)
  if (o.n_ctx < r.tokens)
    throw std::invalid_argument("the input needs " + std::to_string(r.tokens) + " tokens but -c is " +
                                std::to_string(o.n_ctx));
  return o;
}

bool decoder_serves(int have_ctx, KvCacheType have_kv, const EngineOptions& want, int n_ctx_train,
                    bool have_window_kv) {
  const int need = want.n_ctx > 0 ? want.n_ctx : n_ctx_train;
  return have_ctx >= need && have_kv == want.kv_type && (!have_window_kv || want.window_kv_cache);
}

uint64_t device_memory_budget(const vk::DeviceInfo& device) {
  if (device.type == "CPU") {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page > 0) return uint64_t(pages) * uint64_t(page);
  }
  return device.device_local_bytes;
}

}  // namespace mrrope
