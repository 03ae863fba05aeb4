#include "engine/engine.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "model/prefill_plan.h"
#include "tokenizer/vocab.h"

namespace mrrope {
namespace fs = std::filesystem;

namespace {

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

std::string first_gguf_in(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return {};
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".gguf") found.push_back(e.path().string());
  std::sort(found.begin(), found.end());
  // Prefer the Q8_0 file the project ships as its default.
  for (const auto& f : found)
    if (f.find("q8_0") != std::string::npos) return f;
  return found.empty() ? std::string() : found.front();
}

}  // namespace

std::string default_model_path() {
  if (const char* env = std::getenv("MRROPE_MODEL"); env && *env) return env;
  const fs::path exe = executable_dir();
  for (const fs::path& dir : {exe / "assets", exe.parent_path() / "assets", exe.parent_path().parent_path() / "assets",
                              fs::current_path() / "assets"})
    if (std::string f = first_gguf_in(dir); !f.empty()) return f;
  throw ModelError("no model given and no bundled model found in assets/ (set MRROPE_MODEL or pass -m FILE)");
}

Engine::Engine(const std::string& model_path)
    : file_(GgufFile::open(model_path)), config_(ModelConfig::from_gguf(file_)) {
  tokenizer_ = std::make_unique<tok::Tokenizer>(tok::load_vocab(file_));
  chat_template_ = tok::detect_chat_template(tokenizer_->vocab().chat_template);
  rope_ = build_rope_table(config_.rope, RopeParams{}, config_.n_ctx_train);
}

void Engine::create_decoder(vk::Context& ctx, const EngineOptions& options) {
  model_.reset();  // free the old one first
  GpuModelOptions go;
  go.n_ctx = options.n_ctx;
  go.max_batch = options.max_batch;
  go.kv_type = options.kv_type;
  go.window_kv_cache = options.window_kv_cache;
  model_ = std::make_unique<GpuModel>(ctx, file_, config_, go);
  model_->set_rope(rope_);
}

bool Engine::decoder_serves(const EngineOptions& options) const {
  return model_ && mrrope::decoder_serves(model_->n_ctx(), model_->kv_type(), options, config_.n_ctx_train,
                                         model_->has_kv_rings());
}

bool Engine::reserve(vk::Context& ctx, const EngineOptions& options) {
  if (decoder_serves(options)) return false;
  create_decoder(ctx, options);
  return true;
}

GpuModel& Engine::model() {
  if (!model_) throw ModelError("no decoder: call create_decoder first");
  return *model_;
}

Engine::Scores Engine::score(std::span<const int32_t> tokens, const std::function<void(int, int)>& progress,
                             const std::atomic<bool>* cancel) {
  GpuModel& m = model();
  m.reset();
  Scores s;
  const int n = static_cast<int>(tokens.size()) - 1;  // scored positions
  // Chunks of max_batch; with a cancel flag, sized from their measured speed
  // as a cancellable prefill's are (model/prefill_plan.h).
  const int batch = std::max(1, m.max_batch());
  PrefillPacer pacer(cancel != nullptr, batch, 1, m.max_chunk_parts());
  for (int i = 0; i < n;) {
    if (cancel && cancel->load()) {
      s.cancelled = true;
      return s;
    }
    const int len = std::min(pacer.plan().tokens, n - i);
    pacer.start();
    const auto part = m.forward_nll(tokens.subspan(size_t(i), size_t(len)), tokens.subspan(size_t(i) + 1, size_t(len)),
                                    pacer.plan().parts, cancel);
    if (!part) {
      s.cancelled = true;
      return s;
    }
    s.nll.insert(s.nll.end(), part->begin(), part->end());
    i += len;
    if (progress) progress(i, n);
    pacer.finished(len);
  }
  return s;
}

const RopeTable& Engine::set_rope(const RopeParams& params, int n_needed) {
  rope_ = build_rope_table(config_.rope, params, n_needed);
  if (model_) model_->set_rope(rope_);
  return rope_;
}

std::vector<int32_t> Engine::tokenize_prompt(const std::string& text) const {
  return tokenizer_->tokenize(text, /*add_special=*/true, /*parse_special=*/false);
}

std::vector<int32_t> Engine::tokenize_question(const std::string& document, const std::string& question) const {
  const tok::Vocab& v = tokenizer_->vocab();
  tok::ChatSpecialTexts special;
  if (v.valid(v.bos_id)) special.bos = v.tokens[size_t(v.bos_id)];
  if (v.valid(v.eos_id)) special.eos = v.tokens[size_t(v.eos_id)];
  const std::string prompt = tok::format_document_question(chat_template_, document, question, "", special);
  // Template text contains the control tokens, so parse them.
  return tokenizer_->tokenize(prompt, /*add_special=*/true, /*parse_special=*/chat_template_ != tok::ChatTemplate::None);
}

}  // namespace mrrope
