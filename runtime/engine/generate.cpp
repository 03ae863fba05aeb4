#include "engine/generate.h"

#include <algorithm>
#include <chrono>

#include "sampling/stop_strings.h"
#include "tokenizer/utf8_stream.h"

namespace mrrope {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

GenerateResult generate(Engine& engine, const std::vector<int32_t>& prompt, const GenerateParams& params,
                        const GenerateCallbacks& cb) {
  if (prompt.empty()) throw ModelError("the prompt is empty");
  GpuModel& model = engine.model();
  const tok::Tokenizer& tokenizer = engine.tokenizer();
  const auto eog = tokenizer.vocab().eog_ids();
  auto cancelled = [&] { return cb.cancel && cb.cancel->load(); };

  GenerateResult r;
  r.prompt_tokens = static_cast<int>(prompt.size());
  if (r.prompt_tokens >= model.n_ctx())
    throw ModelError("the prompt has " + std::to_string(prompt.size()) + " tokens but the context holds " +
                     std::to_string(model.n_ctx()));
  model.reset();
  auto t0 = std::chrono::steady_clock::now();
  std::vector<float> logits = model.prefill(prompt, cb.on_prefill_progress, cb.cancel);
  r.prefill_seconds = seconds_since(t0);
  if (logits.empty()) {
    r.stop_reason = "cancelled";
    return r;
  }

  Sampler sampler(params.sampler);
  for (int32_t t : prompt) sampler.accept(t);
  tok::Utf8StreamDecoder utf8;
  StopStringMatcher stops(params.stop);
  auto emit = [&](const std::string& s) {
    if (s.empty()) return;
    r.text += s;
    if (cb.on_text) cb.on_text(s);
  };

  t0 = std::chrono::steady_clock::now();
  r.stop_reason = "length";
  for (int i = 0; i < params.max_new_tokens; ++i) {
    if (cancelled()) {
      r.stop_reason = "cancelled";
      break;
    }
    const int32_t token = sampler.sample(logits);
    if (std::find(eog.begin(), eog.end(), token) != eog.end()) {
      r.stop_reason = "eos";
      break;
    }
    sampler.accept(token);
    r.tokens.push_back(token);
    if (cb.on_token) cb.on_token(token);
    emit(stops.feed(utf8.push(tokenizer.token_to_piece(token, /*special=*/false))));
    if (stops.stopped()) {
      r.stop_reason = "stop string";
      break;
    }
    if (model.n_past() >= model.n_ctx()) {
      r.stop_reason = "context full";
      break;
    }
    logits = model.forward(std::span(&token, 1));
  }
  if (!stops.stopped()) emit(stops.feed(utf8.flush()) + stops.flush());
  r.decode_seconds = seconds_since(t0);
  return r;
}

}  // namespace mrrope
