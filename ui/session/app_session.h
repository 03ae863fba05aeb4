#pragma once
// The app's only door into the runtime: it owns the Engine and one worker
// thread that runs jobs (load a model, tokenize a document, answer, compare
// methods) one at a time. The UI thread submits jobs, reads snapshots, and
// cancels; it never waits on the GPU or the tokenizer. No ImGui in here.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "engine/generate.h"
#include "eval/sweep.h"
#include "model/attention_probe.h"
#include "rope/rope_schedule.h"
#include "ui/session/kv_prefix_store.h"
#include "vulkan/context.h"

namespace mrrope::ui {

// What the model panel shows; copied out of the Engine once per load.
struct ModelSummary {
  std::string path, name, architecture, quantization, file_type, chat_template;
  int64_t n_params = 0;
  uint64_t file_bytes = 0;
  int n_ctx_train = 0, n_layer = 0, n_head = 0, n_head_kv = 0, head_dim = 0, n_vocab = 0;
  RopeModelParams rope;             // base, native scaling, rope_freqs, L
  std::string native_scaling;       // "none", "linear x4", ...
  std::string rope_layers_note;     // ModelConfig::rope_extension_note: gemma3's local layers are not extended
  bool has_scaling_metadata = false;  // the file states a scaling type
  uint64_t weights_bytes = 0;       // part of the memory estimate that does not grow with the context
  uint64_t kv_bytes_per_token = 0;     // grows with the context (F16 cache): the full-length layers
  uint64_t kv_q8_bytes_per_token = 0;  // the same with a Q8_0 cache; 0 when the head size rules it out
  // Sliding-window layers in window-sized rings (issue 14): ring_rows rows
  // (window + the largest chunk the session may take - 1; 0 without such
  // layers) of these bytes each, F16 and Q8_0.
  int ring_rows = 0;
  uint64_t ring_bytes_per_row = 0, ring_q8_bytes_per_row = 0;
  KvCacheType kv_type = KvCacheType::F16;  // the session's choice (AppSession::set_kv_type)
  uint64_t scratch_bytes = 0;
  uint64_t kv_bytes_per_token_now() const {
    return kv_type == KvCacheType::Q8_0 ? kv_q8_bytes_per_token : kv_bytes_per_token;
  }
  // The KV cache of n_ctx positions (a copy of n positions at most as much).
  uint64_t kv_bytes_for(int n_ctx, KvCacheType type) const {
    const bool q8 = type == KvCacheType::Q8_0;
    return (q8 ? kv_q8_bytes_per_token : kv_bytes_per_token) * uint64_t(n_ctx) +
           (q8 ? ring_q8_bytes_per_row : ring_bytes_per_row) * uint64_t(std::min(n_ctx, ring_rows));
  }
  uint64_t memory_for(int n_ctx) const { return weights_bytes + scratch_bytes + kv_bytes_for(n_ctx, kv_type); }
};

// One document of the conversation (a file or a paste), as extracted.
struct DocumentPart {
  std::string name, path;           // path empty for pasted text
  std::string format;               // "txt", "md", "pdf", "html"
  std::shared_ptr<const std::string> text;
  uint64_t bytes = 0;               // of the text
  int pages = 0;                    // PDF pages
  std::string note;                 // e.g. "read as Latin-1"
};

// All documents together, as the model sees them.
struct DocumentSummary {
  std::string name;                 // file name, "pasted text", or "a.pdf + b.html"
  std::vector<DocumentPart> parts;
  std::shared_ptr<const std::string> text;
  uint64_t bytes = 0;
  int tokens = 0;                   // without BOS
  std::string preview;              // first lines
  double tokenize_seconds = 0;
};

// One answer, streamed while it runs.
struct Answer {
  std::string method;               // rope method id
  std::string rope_description;
  std::string text;
  std::string stop_reason;          // empty while running
  std::string error;
  int prompt_tokens = 0, new_tokens = 0;
  double seconds = 0, prefill_tps = 0, decode_tps = 0;
  std::vector<float> loss;          // per document position: NLL of the next token
  bool done = false;
  // Chat turns: prompt tokens taken from the KV cache and run now; of the
  // cached ones, those written back from the thread's saved prefix (ui/session/kv_prefix_store.h).
  int cached_tokens = 0, prefilled_tokens = 0, restored_tokens = 0;
  // Set when a chat turn did not fit its window: what it needed.
  int needed_tokens = 0, window = 0;
};

// Attention probe snapshot with what the view needs to place it on the text.
struct AttentionSnapshot {
  AttentionProbeResult probe;
  AttentionProbeConfig config;
  std::vector<std::string> pieces;  // text of each prompt token
  int prompt_tokens = 0;
  bool valid = false;
};

struct Progress {
  std::string what;                 // "Loading model", "Prefill", ...
  int done = 0, total = 0;
  bool busy = false;
  double fraction() const { return total > 0 ? double(done) / total : 0.0; }
};

// An evaluation sweep for the Evaluation tab.
struct EvalRequest {
  SweepConfig config;        // config.task: a task of eval/eval_tasks.h (retrieval runs)
  bool perplexity = false;   // a perplexity sweep instead of retrieval
  bool use_document = true;  // the open document as the text (perplexity, needle haystack), else the bundled samples
};

// The sweep's rows so far, filled in by the worker as each run finishes.
struct EvalState {
  EvalRequest request;
  std::vector<RetrievalRow> retrieval;
  std::vector<PerplexityRow> perplexity;
  SweepProgress progress;
  std::string text_source;   // where the text came from ("document 'x.txt'", "bundled samples")
  std::string model_name, device;
  int native_length = 0;     // L: the effective context's reference
  std::string error;
  bool started = false;      // a sweep was requested (the tab has something to show)
  bool queued = false;       // waiting for the worker
  bool running = false;
  bool cancelled = false;
  bool busy() const { return queued || running; }
  double seconds = 0;
  int rows() const { return static_cast<int>(request.perplexity ? perplexity.size() : retrieval.size()); }
};

struct AskRequest {
  std::string question;
  RopeParams rope;
  int max_new_tokens = 64;
  SamplerParams sampler;
  bool loss_curve = false;                     // also score the document (forward_nll)
  std::optional<AttentionProbeConfig> probe;   // watch attention while it runs
};

// One turn of a document chat: the earlier turns still in the context, the
// question, and the window the thread runs in (its rope S is explicit, so the
// schedule, and with it the cached prefix, stays the same from turn to turn).
struct ChatRequest {
  AskRequest ask;
  std::vector<std::pair<std::string, std::string>> history;  // (question, answer)
  int window = 0;
};

// Side by side over a conversation: each method's thread asked `questions` in
// order. `threads[m]` carries method m's rope (S explicit), sampler, max tokens
// and window; its history is its own earlier answers (`histories[m]`, then
// what it answers here), so each thread reuses its own cached prefix.
struct ThreadCompareRequest {
  std::vector<std::string> questions;
  std::vector<ChatRequest> threads;
  // Also each method's per-position loss over the documents, under its thread's
  // schedule, once its questions are answered (thread_losses()).
  bool loss_curve = false;
};

class AppSession {
 public:
  explicit AppSession(vk::Context& ctx);
  ~AppSession();

  // Jobs: queued, run in order on the worker. Errors land in last_error().
  void load_model(const std::string& path);
  void set_document(std::string name, std::string text);   // replaces every document
  // Adds a file (txt, md, pdf, html) to the documents, or replaces the one
  // with the same path. Extraction runs on the worker; a refusal lands in
  // document_message(), not in last_error(): nothing else changes.
  void add_document_file(const std::string& path);
  void add_document_text(std::string name, std::string text);
  void remove_document(size_t index);
  void clear_documents();
  std::string document_message() const;
  void clear_document_message();
  // A turn of the conversation; streams into answer(). Reuses the KV cache for
  // the prompt's prefix shared with what the cache holds (same schedule).
  void chat(const ChatRequest& request);
  void ask(const AskRequest& request);                                // result in answer()
  void compare(const AskRequest& request, std::vector<RopeParams> methods);  // results in comparison()
  // Results in thread_comparison()[method][question] (app_session_thread_compare.cpp).
  void compare_threads(const ThreadCompareRequest& request);
  void run_eval(const EvalRequest& request);                          // rows in evaluation()
  void cancel();  // stops the running job and drops queued ones
  // The KV cache type for the next decoder (ask, compare, evaluation); a
  // change rebuilds the decoder at the next job. Q8_0 roughly halves the
  // cache for long documents; the model panel shows both sizes.
  void set_kv_type(KvCacheType type);
  KvCacheType kv_type() const { return kv_type_.load(); }

  // Snapshots for the UI (cheap copies under a lock).
  std::optional<ModelSummary> model() const;
  std::optional<DocumentSummary> document() const;
  Answer answer() const;
  std::vector<Answer> comparison() const;
  std::vector<std::vector<Answer>> thread_comparison() const;
  // Per thread: the loss curve of the last comparison that asked for one (empty until scored).
  std::vector<std::vector<float>> thread_losses() const;
  AttentionSnapshot attention() const;
  EvalState evaluation() const;
  Progress progress() const;
  std::string last_error() const;
  void clear_error();
  bool busy() const { return progress().busy; }
  // Incremented whenever something the UI shows changed (cheap polling).
  uint64_t generation() const { return generation_.load(); }

  const vk::DeviceInfo& device() const { return ctx_.info(); }
  // What a context must fit in: the device-local heap, or the system's RAM on
  // a CPU device (lavapipe reports a heap that is not the real limit).
  uint64_t memory_budget_bytes() const;
  uint64_t device_allocated_bytes() const { return ctx_.allocated_bytes(); }

  // Context needed for a document of `doc_tokens` plus question and answer
  // (size_decoder's Session policy, engine/decoder_sizing.h).
  static int context_for(int prompt_tokens, int max_new_tokens);

 private:
  using Job = std::function<void()>;
  void enqueue(std::string what, Job job);
  // The Answering job of ask() and chat(): answer() starts empty under `method`,
  // `job` streams into it through the publish it is given; an error marks it
  // done with the error and lands in last_error(), except a chat turn that did
  // not fit its window (needed_tokens set), which the Q&A tab offers choices for.
  using Publish = std::function<void(const Answer&)>;
  using AnswerJob = std::function<void(const Publish&)>;
  void enqueue_answer(RopeMethod method, AnswerJob job);
  void worker_loop();
  void set_progress(const std::string& what, int done, int total);
  void touch() { ++generation_; }

  // Worker-only helpers.
  void ensure_decoder(int n_ctx);
  Answer run_one(const AskRequest& request, const std::function<void(const Answer&)>& publish);
  void run_eval_job(const EvalRequest& request);  // app_session_eval.cpp
  // app_session_chat.cpp; streams through `publish`. Throws when the turn does
  // not fit its window (what it needed already published) or cannot run.
  void run_chat(const ChatRequest& request, const std::function<void(const Answer&)>& publish);
  void run_thread_compare(const ThreadCompareRequest& request);  // app_session_thread_compare.cpp
  void score_thread(size_t thread);  // its loss curve over the documents under the schedule set last
  void retokenize_documents();                     // app_session_documents.cpp
  // A pasted text as a document: the only one (replace) or one more.
  void add_pasted(std::string name, std::string text, bool replace);
  void forget_cache() { kv_tokens_.clear(); kv_key_.clear(); }
  // Before the cache serves another schedule or prompt: what it holds is
  // copied into saved_prefixes_ under its key (when the policy has room), then
  // forgotten (app_session_prefixes.cpp).
  void park_live_cache();
  // For a chat turn under `table`: makes the cache hold the most of `prompt` it
  // can, from the live cache or the key's saved copy; returns the tokens held.
  size_t take_prefix(const RopeTable& table, const std::vector<int32_t>& prompt, int* restored);
  // Turns the attention probe on over `span` keys (off when `probe` is empty)
  // and returns the text of each prompt token, for the map over the text.
  std::vector<std::string> arm_probe(const std::optional<AttentionProbeConfig>& probe,
                                     const std::vector<int32_t>& prompt, int span);
  // Publishes the probe's map so far (nothing when `probe` is empty).
  void publish_attention(const std::optional<AttentionProbeConfig>& probe, const std::vector<std::string>& pieces,
                         int prompt_tokens);

  vk::Context& ctx_;
  std::unique_ptr<Engine> engine_;  // worker-owned
  int decoder_ctx_ = 0;  // the decoder's context
  std::atomic<KvCacheType> kv_type_{KvCacheType::F16};
  // Tokens now in the KV cache and the schedule they were computed under
  // (worker-only): a chat turn keeps their common prefix with its prompt.
  std::vector<int32_t> kv_tokens_;
  std::string kv_key_;
  KvPrefixStore saved_prefixes_;  // other schedules' threads, copied out of the cache
  std::string last_thread_rope_;  // the method whose thread the cache holds after a thread comparison
  std::vector<DocumentPart> parts_;  // worker-only; document_ is their snapshot

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::deque<std::pair<std::string, Job>> jobs_;
  bool stopping_ = false;
  bool running_ = false;  // the worker is inside a job
  std::optional<ModelSummary> model_;
  std::optional<DocumentSummary> document_;
  std::string document_message_;
  Answer answer_;
  std::vector<Answer> comparison_;
  std::vector<std::vector<Answer>> thread_comparison_;
  std::vector<std::vector<float>> thread_losses_;
  AttentionSnapshot attention_;
  EvalState eval_;
  Progress progress_;
  std::string error_;

  std::atomic<bool> cancel_{false};
  std::atomic<uint64_t> generation_{0};
  std::thread worker_;
};

}  // namespace mrrope::ui
