#pragma once
// The one policy that sizes a decoder for a job: its context (KV cache
// capacity) and prefill chunk, and the device memory a job may plan with. The
// CLI's commands, the app's session and the evaluation sweeps ask it, then
// Engine::reserve makes the decoder (or keeps one that is big enough). Pure
// arithmetic: no device needed, so it is unit-tested without one.
#include <cstdint>
#include <string>

#include "ops/kv_cache_type.h"
#include "vulkan/device_info.h"

namespace mrrope {

struct EngineOptions {
  int n_ctx = 0;         // KV cache capacity; 0 = the model's training context
  int max_batch = 0;     // prefill chunk; 0 = from the device's memory (auto_prefill_chunk)
  KvCacheType kv_type = KvCacheType::F16;  // K and V storage (--cache-type-k/-v)
  // Sliding-window layers (gemma2/gemma3's local ones) in window-sized rings
  // (GpuModelOptions::window_kv_cache, issue 14): their K/V take window + chunk
  // rows instead of n_ctx. Going back in the cache then works only as far as
  // the rings reach (GpuModel::can_truncate, rewind); prefix copies hold what
  // the rings hold. No effect on models without sliding-window layers.
  bool window_kv_cache = false;
};

// Who asks. They differ only in the room they leave and their chunk:
// Every job keeps its sliding-window layers in window-sized rings unless the
// request turns them off (--no-kv-rings): the memory they save is what lets a
// long context fit, and each job copes with what rings cannot do (below).
enum class DecoderJob {
  // One CLI run (generate, ask, perplexity): the input rounded up to a multiple
  // of kContextStep tokens, or the fixed context (-c); the chunk is -b or the device's.
  // Rings cost it nothing: it never goes back in the cache.
  Command,
  // The app: like Command but at least kContextStep tokens, so the next question
  // usually reuses the decoder; small chunks on a CPU device (finer progress,
  // quicker cancel, and the UI's frames, on the same queue, wait less).
  // Rings: a chat turn goes back only to where its prompt leaves the last
  // turn's tokens (usually the end of the answer, within a chunk), which the
  // rings reach; when they do not, the turn prefills again (can_truncate). A
  // thread's saved prefix holds what the rings hold and restores into rings.
  Session,
  // An evaluation sweep: exactly the tokens asked for; chunks of kSweepChunk.
  // Rings: consecutive prompts share a prefix up to a needle far back; the
  // sweep marks a window checkpoint there (GpuModel::mark_window_checkpoint)
  // and rewinds to it, so it prefills about as little as with full-length K/V.
  Sweep,
};
constexpr int kContextStep = 256;
constexpr int kSessionCpuChunk = 64;
constexpr int kSweepChunk = 512;

struct DecoderRequest {
  DecoderJob job = DecoderJob::Command;
  int tokens = 0;      // tokens the job holds in the KV cache at most
  int n_ctx = 0;       // a fixed context (the CLI's -c); 0 = sized from `tokens`
  int max_batch = 0;   // a fixed prefill chunk (the CLI's -b); 0 = the job's default
  KvCacheType kv_type = KvCacheType::F16;
  std::string device_type;  // vk::DeviceInfo::type; "CPU" changes the session's chunk
  bool window_kv_cache = true;  // rings allowed; --no-kv-rings (add_kv_ring_option) turns them off
};

// The decoder for `request`. Throws std::invalid_argument when a fixed context
// is smaller than the tokens needed.
EngineOptions size_decoder(const DecoderRequest& request);

// Whether a decoder of `have_ctx` tokens with `have_kv` storage serves `want`
// (a larger one does; 0 in `want.n_ctx` asks for `n_ctx_train`). One with
// window-sized KV rings (`have_window_kv`) serves only a job that allows them;
// a full-length one serves every job.
bool decoder_serves(int have_ctx, KvCacheType have_kv, const EngineOptions& want, int n_ctx_train,
                    bool have_window_kv = false);

// The memory a job may plan with on `device`: the largest device-local heap,
// or the machine's physical memory on a CPU device (lavapipe allocates from it).
uint64_t device_memory_budget(const vk::DeviceInfo& device);

}  // namespace mrrope
