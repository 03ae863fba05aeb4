#include "ui/session/app_session.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "gguf/model_hparams.h"
#include "model/gpu_model.h"

namespace mrrope::ui {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

AppSession::AppSession(vk::Context& ctx) : ctx_(ctx) { worker_ = std::thread([this] { worker_loop(); }); }

AppSession::~AppSession() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  cancel_ = true;
  wake_.notify_all();
  worker_.join();
  engine_.reset();  // frees device memory before the Context goes
}

int AppSession::context_for(int prompt_tokens, int max_new_tokens) {
  DecoderRequest request;
  request.job = DecoderJob::Session;
  request.tokens = prompt_tokens + max_new_tokens;
  return size_decoder(request).n_ctx;
}

void AppSession::enqueue(std::string what, Job job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.emplace_back(std::move(what), std::move(job));
    progress_.busy = true;
  }
  touch();
  wake_.notify_one();
}

void AppSession::cancel() {
  {
    std::lock_guard lock(mutex_);
    jobs_.clear();
    cancel_ = true;
    if (eval_.queued) eval_.queued = false, eval_.cancelled = true;  // dropped before it started
    if (!running_) progress_.busy = false;  // only queued jobs: nothing will clear it
  }
  touch();
}

uint64_t AppSession::memory_budget_bytes() const { return device_memory_budget(ctx_.info()); }

void AppSession::worker_loop() {
  for (;;) {
    std::pair<std::string, Job> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      cancel_ = false;  // under the lock: a cancel() after this pop hits this job
      running_ = true;
      progress_ = Progress{job.first, 0, 0, true};
    }
    touch();
    try {
      job.second();
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      error_ = job.first + " failed: " + e.what();
    }
    {
      std::lock_guard lock(mutex_);
      running_ = false;
      progress_.busy = !jobs_.empty();
      progress_.done = progress_.total = 0;
    }
    touch();
  }
}

void AppSession::set_progress(const std::string& what, int done, int total) {
  {
    std::lock_guard lock(mutex_);
    progress_.what = what;
    progress_.done = done;
    progress_.total = total;
  }
  touch();
}

// ---- model -------------------------------------------------------------

void AppSession::load_model(const std::string& path) {
  enqueue("Loading model", [this, path] {
    set_progress("Opening " + std::filesystem::path(path).filename().string(), 0, 0);
    auto engine = std::make_unique<Engine>(path);  // throws on a non-GGUF or broken file
    const ModelConfig& c = engine->config();
    const ModelHParams hp = ModelHParams::from_gguf(engine->file());
    ModelSummary s;
    s.path = path;
    s.name = hp.name;
    s.architecture = c.arch_name;
    s.quantization = hp.quantization;
    s.file_type = hp.file_type_name;
    s.n_params = hp.n_params;
    s.file_bytes = hp.n_bytes;
    s.n_ctx_train = c.n_ctx_train;
    s.n_layer = c.n_layer;
    s.n_head = c.n_head;
    s.n_head_kv = c.n_head_kv;
    s.head_dim = c.head_dim;
    s.n_vocab = c.n_vocab;
    s.rope = c.rope;
    s.has_scaling_metadata = engine->file().find(c.arch_name + ".rope.scaling.type") != nullptr;
    s.rope_layers_note = c.rope_extension_note();
    s.native_scaling = std::string(native_scaling_name(c.rope.native_scaling));
    if (c.rope.native_scaling != NativeScaling::None)
      s.native_scaling += " x" + std::to_string(c.rope.native_factor).substr(0, 5);
    switch (engine->chat_template()) {
      case tok::ChatTemplate::None: s.chat_template = "none (plain continuation)"; break;
      default: s.chat_template = "from the file"; break;
    }
    // Weights and scratch do not depend on the context; the KV cache is linear in it.
    const ModelTensors tensors = ModelTensors::bind(engine->file(), c);
    GpuModelOptions small;
    small.n_ctx = 256;
    small.max_batch = ctx_.info().type == "CPU" ? 64 : 512;
    const MemoryEstimate a = estimate_memory(c, tensors, small);
    s.weights_bytes = a.weights;
    s.scratch_bytes = a.scratch;
    // The session's decoders keep sliding-window layers in rings (size_decoder):
    // only the full-length layers grow with the context. The rings' rows count
    // the largest chunk the session's decoder may take (kMaxAutoChunk on a GPU),
    // so the estimate stays an upper bound.
    GpuModelOptions rings;
    rings.n_ctx = 1 << 30;  // longer than any ring
    rings.max_batch = ctx_.info().type == "CPU" ? kSessionCpuChunk : kMaxAutoChunk;
    rings.window_kv_cache = true;
    int full_layers = 0, ring_layers = 0;
    for (int r : kv_layer_rows(c, rings)) {
      if (r < rings.n_ctx) ++ring_layers, s.ring_rows = std::max(s.ring_rows, r);
      else ++full_layers;
    }
    auto per_row = [&](int layers, KvCacheType type) {
      return layers ? ops::KvCache::bytes_needed(layers, c.n_head_kv, c.head_dim, 1, type) : 0;
    };
    s.kv_bytes_per_token = per_row(full_layers, KvCacheType::F16);
    s.ring_bytes_per_row = per_row(ring_layers, KvCacheType::F16);
    try {
      ops::KvCache::check_supported(c.head_dim, KvCacheType::Q8_0);
      s.kv_q8_bytes_per_token = per_row(full_layers, KvCacheType::Q8_0);
      s.ring_q8_bytes_per_row = per_row(ring_layers, KvCacheType::Q8_0);
    } catch (const std::exception&) {
      s.kv_q8_bytes_per_token = 0;  // head size not a multiple of 32: F16 only
    }
    if (s.kv_q8_bytes_per_token == 0) kv_type_ = KvCacheType::F16;

    engine_ = std::move(engine);
    decoder_ctx_ = 0;
    {
      std::lock_guard lock(mutex_);
      model_ = s;
      error_.clear();
      answer_ = {};
      comparison_.clear();
      attention_ = {};
    }
    forget_cache();
    saved_prefixes_.clear();  // other weights
    touch();
    // Token counts depend on the vocabulary: count again with the new one.
    retokenize_documents();
  });
}

// ---- answering -----------------------------------------------------------

std::vector<std::string> AppSession::arm_probe(const std::optional<AttentionProbeConfig>& probe,
                                               const std::vector<int32_t>& prompt, int span) {
  GpuModel& model = engine_->model();
  std::vector<std::string> pieces;
  if (!probe) {
    model.set_probe(std::nullopt);
    return pieces;
  }
  AttentionProbeConfig cfg = *probe;
  cfg.span = span;
  model.set_probe(cfg);
  pieces.reserve(prompt.size());
  for (int32_t id : prompt) pieces.push_back(engine_->tokenizer().token_to_piece(id, false));
  return pieces;
}

void AppSession::publish_attention(const std::optional<AttentionProbeConfig>& probe,
                                   const std::vector<std::string>& pieces, int prompt_tokens) {
  if (!probe) return;
  AttentionSnapshot snap;
  snap.probe = engine_->model().read_probe();
  snap.config = *probe;
  snap.pieces = pieces;
  snap.prompt_tokens = prompt_tokens;
  snap.valid = true;
  {
    std::lock_guard lock(mutex_);
    attention_ = std::move(snap);
  }
  touch();
}

void AppSession::ensure_decoder(int n_ctx) {
  DecoderRequest request;
  request.job = DecoderJob::Session;  // the session's chunk: small on a CPU device
  request.n_ctx = n_ctx;
  request.kv_type = kv_type_.load();
  request.device_type = ctx_.info().type;
  const EngineOptions eo = size_decoder(request);
  if (engine_->decoder_serves(eo)) return;
  park_live_cache();  // a saved copy restores into the new decoder too
  set_progress("Uploading weights, KV cache for " + std::to_string(n_ctx) + " tokens", 0, 0);
  engine_->reserve(ctx_, eo);
  decoder_ctx_ = n_ctx;
}

Answer AppSession::run_one(const AskRequest& request, const std::function<void(const Answer&)>& publish) {
  Answer a;
  a.method = std::string(rope_method_name(request.rope.method));
  std::shared_ptr<const std::string> doc;
  {
    std::lock_guard lock(mutex_);
    if (document_) doc = document_->text;
  }
  if (!engine_) throw std::runtime_error("no model is open");
  if (!doc || doc->empty()) throw std::runtime_error("there is no document: open a file or paste text");
  park_live_cache();  // generate() starts from an empty cache
  const auto t0 = Clock::now();
  set_progress("Tokenizing prompt", 0, 0);
  const std::vector<int32_t> prompt = engine_->tokenize_question(*doc, request.question);
  const int n_needed = static_cast<int>(prompt.size()) + request.max_new_tokens;
  const RopeTable& table = engine_->set_rope(request.rope, n_needed);
  a.rope_description = table.description;
  a.prompt_tokens = static_cast<int>(prompt.size());
  publish(a);
  ensure_decoder(context_for(static_cast<int>(prompt.size()), request.max_new_tokens));
  GpuModel& model = engine_->model();

  const std::vector<std::string> pieces = arm_probe(request.probe, prompt, n_needed);
  auto publish_probe = [&] { publish_attention(request.probe, pieces, static_cast<int>(prompt.size())); };

  GenerateParams gp;
  gp.max_new_tokens = request.max_new_tokens;
  gp.sampler = request.sampler;
  GenerateCallbacks cb;
  cb.cancel = &cancel_;
  cb.on_prefill_progress = [&](int done, int total) {
    set_progress("Prefill (" + a.method + ")", done, total);
    publish_probe();  // the map fills in as the prefill advances
  };
  cb.on_text = [&](std::string_view text) {
    a.text += text;
    publish(a);
  };
  cb.on_token = [&](int32_t) {
    ++a.new_tokens;
    a.seconds = seconds_since(t0);
    set_progress("Generating (" + a.method + ")", a.new_tokens, request.max_new_tokens);
  };
  const GenerateResult r = generate(*engine_, prompt, gp, cb);
  publish_probe();
  model.set_probe(std::nullopt);
  a.stop_reason = r.stop_reason;
  a.new_tokens = static_cast<int>(r.tokens.size());
  a.prefill_tps = r.prefill_tokens_per_second();
  a.decode_tps = r.decode_tokens_per_second();
  a.seconds = seconds_since(t0);
  publish(a);

  if (request.loss_curve && !cancel_) {
    // Per-position loss over the document alone: position t predicts token t+1.
    const std::vector<int32_t> doc_tokens = engine_->tokenize_prompt(*doc);
    const int n = static_cast<int>(doc_tokens.size());
    ensure_decoder(context_for(n, 0));
    a.loss = engine_->score(
                 doc_tokens, [&](int done, int total) { set_progress("Loss curve (" + a.method + ")", done, total); },
                 &cancel_)
                 .nll;
    if (cancel_) a.stop_reason = "cancelled";
    a.seconds = seconds_since(t0);
  }
  a.done = true;
  publish(a);
  return a;
}

void AppSession::enqueue_answer(RopeMethod method, AnswerJob job) {
  {
    std::lock_guard lock(mutex_);
    answer_ = {};
    answer_.method = std::string(rope_method_name(method));
  }
  enqueue("Answering", [this, job = std::move(job)] {
    try {
      job([this](const Answer& a) {
        {
          std::lock_guard lock(mutex_);
          answer_ = a;
        }
        touch();
      });
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      answer_.error = e.what();
      answer_.done = true;
      if (answer_.needed_tokens > 0) return;  // a turn that did not fit: the Q&A tab offers its choices, not a failure
      throw;
    }
  });
}

void AppSession::ask(const AskRequest& request) {
  enqueue_answer(request.rope.method, [this, request](const Publish& publish) { run_one(request, publish); });
}

void AppSession::compare(const AskRequest& request, std::vector<RopeParams> methods) {
  {
    std::lock_guard lock(mutex_);
    comparison_.assign(methods.size(), Answer{});
    for (size_t i = 0; i < methods.size(); ++i) comparison_[i].method = std::string(rope_method_name(methods[i].method));
  }
  enqueue("Comparing methods", [this, request, methods] {
    for (size_t i = 0; i < methods.size() && !cancel_; ++i) {
      AskRequest r = request;
      r.rope = methods[i];
      auto publish = [this, i](const Answer& a) {
        {
          std::lock_guard lock(mutex_);
          if (i < comparison_.size()) comparison_[i] = a;
        }
        touch();
      };
      try {
        run_one(r, publish);
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        comparison_[i].error = e.what();
        comparison_[i].done = true;
      }
    }
  });
}

// ---- snapshots -------------------------------------------------------------

std::optional<ModelSummary> AppSession::model() const {
  std::lock_guard lock(mutex_);
  std::optional<ModelSummary> m = model_;
  if (m) m->kv_type = kv_type_.load();
  return m;
}

void AppSession::set_kv_type(KvCacheType type) {
  {
    std::lock_guard lock(mutex_);
    if (type == KvCacheType::Q8_0 && model_ && model_->kv_q8_bytes_per_token == 0) {
      error_ = "this model's head size (" + std::to_string(model_->head_dim) +
               ") is not a multiple of 32, so its KV cache cannot be Q8_0; keeping F16";
      type = KvCacheType::F16;
    }
  }
  kv_type_ = type;
  touch();
}
std::optional<DocumentSummary> AppSession::document() const {
  std::lock_guard lock(mutex_);
  return document_;
}
Answer AppSession::answer() const {
  std::lock_guard lock(mutex_);
  return answer_;
}
std::vector<Answer> AppSession::comparison() const {
  std::lock_guard lock(mutex_);
  return comparison_;
}
AttentionSnapshot AppSession::attention() const {
  std::lock_guard lock(mutex_);
  return attention_;
}
Progress AppSession::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}
std::string AppSession::last_error() const {
  std::lock_guard lock(mutex_);
  return error_;
}
void AppSession::clear_error() {
  std::lock_guard lock(mutex_);
  error_.clear();
}

}  // namespace mrrope::ui
