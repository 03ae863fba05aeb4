#pragma once
// A loaded model ready to use: the GGUF file, its configuration, tokenizer and
// chat template, and the Vulkan decoder with a rotary schedule applied. The
// CLI, the evaluation and the app all go through this.
#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/decoder_sizing.h"
#include "gguf/gguf_file.h"
#include "model/gpu_model.h"
#include "model/model_config.h"
#include "rope/rope_schedule.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace mrrope {

// The bundled default model: MRROPE_MODEL if set, else the first .gguf in
// assets/ (next to the executable's build tree or the source tree). Throws
// when none is found.
std::string default_model_path();

class Engine {
 public:
  // Opens the file and its tokenizer (fast, no GPU work).
  explicit Engine(const std::string& model_path);

  // Uploads the weights and allocates the KV cache for `options.n_ctx` tokens;
  // throws ModelError when that does not fit in device memory. Again for a
  // different context size.
  void create_decoder(vk::Context& ctx, const EngineOptions& options);
  bool has_decoder() const { return model_ != nullptr; }
  // Whether the current decoder serves `options` (holds as many tokens, same
  // KV storage; its chunk is kept), so reserve() would keep it.
  bool decoder_serves(const EngineOptions& options) const;
  // The decoder for a job sized by size_decoder (engine/decoder_sizing.h):
  // keeps the current one when it serves `options`, else creates it. True
  // when it created one.
  bool reserve(vk::Context& ctx, const EngineOptions& options);

  const GgufFile& file() const { return file_; }
  const ModelConfig& config() const { return config_; }
  const tok::Tokenizer& tokenizer() const { return *tokenizer_; }
  tok::ChatTemplate chat_template() const { return chat_template_; }
  // Overrides the template detected from tokenizer.chat_template.
  void set_chat_template(tok::ChatTemplate t) { chat_template_ = t; }
  GpuModel& model();
  const RopeTable& rope() const { return rope_; }

  // Negative log-likelihood of each token after the first given those before
  // it (nll[t] scores token t+1), from an empty cache in chunks of the
  // decoder's batch, on the GPU (GpuModel::forward_nll: no logits read back).
  // The one scoring loop of perplexity and the app's loss curve. progress(done,
  // total) follows each chunk (total = tokens - 1); `cancel` is checked before
  // each chunk: when set, nll holds the chunks done and cancelled is true.
  struct Scores {
    std::vector<float> nll;
    bool cancelled = false;
  };
  Scores score(std::span<const int32_t> tokens, const std::function<void(int, int)>& progress = {},
               const std::atomic<bool>* cancel = nullptr);

  // Builds the schedule for `params` (S = auto uses n_needed) and applies it.
  const RopeTable& set_rope(const RopeParams& params, int n_needed);

  // Tokens of a plain prompt (BOS per the vocabulary), or of a document and a
  // question through the chat template (plain continuation for base models).
  std::vector<int32_t> tokenize_prompt(const std::string& text) const;
  std::vector<int32_t> tokenize_question(const std::string& document, const std::string& question) const;

 private:
  GgufFile file_;
  ModelConfig config_;
  std::unique_ptr<tok::Tokenizer> tokenizer_;
  tok::ChatTemplate chat_template_ = tok::ChatTemplate::None;
  std::unique_ptr<GpuModel> model_;
  RopeTable rope_;
};

}  // namespace mrrope
