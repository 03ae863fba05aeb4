#pragma once
// The generation loop: prefill the prompt in chunks (progress, cancellable),
// then decode token by token with the sampler, streaming valid UTF-8 text and
// stopping at an end-of-generation token, a stop string or the token limit.
#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "sampling/sampler.h"

namespace mrrope {

struct GenerateParams {
  int max_new_tokens = 256;
  SamplerParams sampler;
  std::vector<std::string> stop;  // stop strings (not included in the output)
};

struct GenerateResult {
  std::string text;
  std::vector<int32_t> tokens;  // generated tokens
  int prompt_tokens = 0;
  double prefill_seconds = 0, decode_seconds = 0;
  std::string stop_reason;  // "eos", "stop string", "length", "cancelled", "context full"
  double prefill_tokens_per_second() const { return prefill_seconds > 0 ? prompt_tokens / prefill_seconds : 0; }
  double decode_tokens_per_second() const {
    return decode_seconds > 0 ? static_cast<double>(tokens.size()) / decode_seconds : 0;
  }
};

struct GenerateCallbacks {
  std::function<void(std::string_view)> on_text;        // streamed output
  std::function<void(int, int)> on_prefill_progress;    // tokens done, total
  std::function<void(int32_t)> on_token;                // each generated token
  const std::atomic<bool>* cancel = nullptr;
};

// Starts from an empty context (the model's KV cache is reset).
GenerateResult generate(Engine& engine, const std::vector<int32_t>& prompt, const GenerateParams& params,
                        const GenerateCallbacks& callbacks = {});

}  // namespace mrrope
