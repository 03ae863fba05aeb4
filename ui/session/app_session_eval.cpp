// The session's evaluation job: runs runtime/eval's sweeps (the code behind
// `mrrope-cli eval`) on the worker and publishes each row as it finishes, so
// the Evaluation tab's grid fills in live.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "eval/eval_tasks.h"
#include "eval/sample_text.h"
#include "model/gpu_model.h"
#include "ui/session/app_session.h"
#include "ui/util/format.h"

namespace mrrope::ui {

void AppSession::run_eval(const EvalRequest& request) {
  {
    std::lock_guard lock(mutex_);
    eval_ = EvalState{};
    eval_.request = request;
    eval_.started = eval_.queued = true;
    const SweepConfig& c = request.config;
    eval_.progress.total = static_cast<int>(c.methods.size() * c.lengths.size()) *
                           (request.perplexity ? 1 : static_cast<int>(c.depths.size()) * c.trials);
  }
  enqueue("Evaluation", [this, request] {
    try {
      run_eval_job(request);
    } catch (const std::exception& e) {
      {
        std::lock_guard lock(mutex_);
        eval_.error = e.what();
        eval_.queued = eval_.running = false;
      }
      touch();
      throw;  // also the status bar's error
    }
  });
}

void AppSession::run_eval_job(const EvalRequest& request) {
  const auto t0 = std::chrono::steady_clock::now();
  park_live_cache();  // the sweep fills the KV cache with its own prompts
  {
    std::lock_guard lock(mutex_);
    eval_.queued = false;
    eval_.running = true;
  }
  touch();
  if (!engine_) throw std::runtime_error("open a model first");
  SweepConfig c = request.config;
  c.kv_type = kv_type_.load();
  validate(c, *engine_);  // std::invalid_argument with the reason
  const ModelConfig& mc = engine_->config();
  const int native = mc.rope.n_ctx_orig > 0 ? mc.rope.n_ctx_orig : mc.n_ctx_train;
  std::optional<ModelSummary> summary;
  std::shared_ptr<const std::string> doc;
  std::string doc_name;
  {
    std::lock_guard lock(mutex_);
    summary = model_;
    if (document_ && document_->text && !document_->text->empty()) doc = document_->text, doc_name = document_->name;
  }

  // The text: perplexity's tokens, the haystack or the word source (passkey
  // and variable tracking make their own filler).
  std::string text, source;
  const bool needs_text = request.perplexity || eval_task(c.task).needs_text;
  if (needs_text) {
    if (request.use_document && doc) text = *doc, source = "document '" + doc_name + "'";
    else text = bundled_eval_text(), source = "bundled texts";
  }
  c.haystack = text;

  // Refuse a context that cannot fit before allocating it, with the sizes.
  const int longest = *std::max_element(c.lengths.begin(), c.lengths.end());
  const int n_ctx = sweep_context_tokens(c, request.perplexity);  // as the sweep sizes it
  if (summary) {
    const uint64_t need = summary->memory_for(n_ctx), have = memory_budget_bytes();
    if (have > 0 && need > have)
      throw std::invalid_argument("the longest length (" + std::to_string(longest) + " tokens) needs " +
                                  format_bytes(need) + ", more than the " + format_bytes(have) + " available");
  }
  {
    std::lock_guard lock(mutex_);
    eval_.text_source = source;
    eval_.native_length = native;
    eval_.model_name = std::filesystem::path(engine_->file().path()).filename().string();
    eval_.device = ctx_.info().name;
  }
  touch();
  // Created here with the session's batch size (small on a CPU device, for a
  // quick cancel and responsive frames); the sweep keeps a decoder that is big enough.
  ensure_decoder(n_ctx);

  const std::string what =
      request.perplexity ? std::string("Perplexity sweep") : std::string(eval_task(c.task).title) + " sweep";
  const ProgressFn progress = [&](const SweepProgress& p) {
    {
      std::lock_guard lock(mutex_);
      eval_.progress = p;
      eval_.seconds = p.elapsed_seconds;
    }
    set_progress(what, p.done, p.total);
  };
  if (request.perplexity) {
    set_progress("Tokenizing the text", 0, 0);
    const std::vector<int32_t> tokens = engine_->tokenizer().tokenize(text, false, false);
    run_perplexity_sweep(*engine_, ctx_, c, tokens, progress, &cancel_, [&](const PerplexityRow& row) {
      {
        std::lock_guard lock(mutex_);
        eval_.perplexity.push_back(row);
      }
      touch();
    });
  } else {
    run_retrieval_sweep(*engine_, ctx_, c, progress, &cancel_, [&](const RetrievalRow& row) {
      {
        std::lock_guard lock(mutex_);
        eval_.retrieval.push_back(row);
      }
      touch();
    });
  }
  decoder_ctx_ = engine_->model().n_ctx();  // the sweep may have made a larger one
  {
    std::lock_guard lock(mutex_);
    eval_.running = false;
    eval_.cancelled = cancel_.load();
    eval_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  touch();
}

EvalState AppSession::evaluation() const {
  std::lock_guard lock(mutex_);
  return eval_;
}

}  // namespace mrrope::ui
