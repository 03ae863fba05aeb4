#include "eval/sweep.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "eval/eval_tasks.h"
#include "eval/perplexity.h"
#include "rope/rope_methods.h"

namespace mrrope {
namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

RopeInfo apply_rope(Engine& engine, const RopeParams& base, RopeMethod method, double scale, int length) {
  RopeParams p = base;
  p.method = method;
  p.scale = rope_method_info(method).scale_source == ScaleSource::One ? 0 : scale;
  const RopeTable& t = engine.set_rope(p, length);
  return {method, t.scale, t.attn_factor, t.d_low, t.d_high};
}

// Keeps a decoder that is big enough (the app makes one with its own chunk first).
void ensure_decoder(Engine& engine, vk::Context& ctx, int tokens, const SweepConfig& c) {
  DecoderRequest request;
  request.job = DecoderJob::Sweep;
  request.tokens = tokens;
  request.kv_type = c.kv_type;
  request.window_kv_cache = c.window_kv_cache;
  engine.reserve(ctx, size_decoder(request));
}

// Where a prompt leaves the one before it (a needle of the same depth) moves
// by a few tokens from trial to trial: a window checkpoint this far before it
// still serves the next prompt, which prefills these tokens again.
constexpr int kCheckpointMargin = 64;

bool cancelled(const std::atomic<bool>* cancel) { return cancel && cancel->load(); }

// The schedules already run at one length, with where their rows are.
struct ScheduleRuns {
  struct Entry {
    std::vector<float> inv_freq;
    float attn_factor;
    size_t first_row, n_rows;
  };
  std::vector<Entry> entries;
  const Entry* find(const RopeTable& t) const {
    for (const auto& e : entries)
      if (e.inv_freq == t.inv_freq && e.attn_factor == t.attn_factor) return &e;
    return nullptr;
  }
};

struct Answer {
  std::string text;
  int cached_tokens = 0;
};

// Greedy continuation of `prompt`. `cached` holds the tokens now in the KV
// cache (valid for the current schedule); the prompt's common prefix with
// them is kept as far as the cache reaches back (GpuModel::rewind: with
// window-sized rings, to the window checkpoint or to 0) and only the rest is
// prefilled. nullopt when cancelled.
std::optional<Answer> greedy_answer(Engine& engine, std::vector<int32_t>& cached, const std::vector<int32_t>& prompt,
                                    int max_new_tokens, bool numeric_answer,
                                    const std::function<void(int, int)>& progress,
                                    const std::atomic<bool>* cancel) {
  GpuModel& model = engine.model();
  size_t shared = 0;
  // At least the last prompt token is run again: its logits start the answer.
  while (shared < cached.size() && shared + 1 < prompt.size() && cached[shared] == prompt[shared]) ++shared;
  const int kept = model.rewind(static_cast<int>(shared));
  // The next prompt will likely leave this one about where this one left the
  // last: with rings, a checkpoint a margin before there lets it come back
  // once the rings have moved on to the answer (a later one replaces an
  // earlier one; without rings nothing is marked).
  const int mark = std::max(kept, static_cast<int>(shared) - kCheckpointMargin);
  if (mark > model.window_checkpoint()) model.mark_window_checkpoint(mark);
  shared = static_cast<size_t>(kept);
  cached.assign(prompt.begin(), prompt.begin() + static_cast<std::ptrdiff_t>(shared));
  std::vector<float> logits = model.prefill(std::span(prompt).subspan(shared), progress, cancel);
  if (logits.empty() || cancelled(cancel)) {
    cached.clear();
    model.reset();
    return std::nullopt;
  }
  cached.assign(prompt.begin(), prompt.end());
  Answer answer;
  answer.cached_tokens = static_cast<int>(shared);
  const auto eog = engine.tokenizer().vocab().eog_ids();
  for (int i = 0; i < max_new_tokens && model.n_past() < model.n_ctx(); ++i) {
    const auto best = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    if (std::find(eog.begin(), eog.end(), best) != eog.end()) break;
    answer.text += engine.tokenizer().token_to_piece(best, false);
    // Stop once the number has ended (a non-digit after digits), or when the
    // answer starts with something else than a number; a list or a span ends
    // at its first line break.
    const size_t first = answer.text.find_first_not_of(numeric_answer ? " " : " \n");
    if (!numeric_answer) {
      if (first != std::string::npos && answer.text.find('\n', first) != std::string::npos) break;
    } else if (first != std::string::npos) {
      if (!std::isdigit(static_cast<unsigned char>(answer.text[first]))) break;
      if (answer.text.find_first_not_of("0123456789", first) != std::string::npos) break;
    }
    logits = model.forward(std::span(&best, 1));
    cached.push_back(best);
  }
  return answer;
}

}  // namespace

std::vector<RopeMethod> parse_method_list(const std::vector<std::string>& names) {
  std::vector<RopeMethod> out;
  for (const auto& m : names) {
    try {
      out.push_back(parse_rope_method(m));
    } catch (const RopeError&) {
      throw std::invalid_argument("unknown RoPE method '" + m + "'; valid: " + rope_method_names());
    }
  }
  return out;
}

void validate(const SweepConfig& c, const ModelConfig& model) {
  if (c.methods.empty()) throw std::invalid_argument("no RoPE methods given; choose from: " + rope_method_names());
  if (c.lengths.empty()) throw std::invalid_argument("no lengths given");
  for (int l : c.lengths)
    if (l < 1) throw std::invalid_argument("length " + std::to_string(l) + " is below 1 token");
  eval_task(c.task);  // throws for an unknown task, naming the valid ones
  if (c.depths.empty()) throw std::invalid_argument("no depths given");
  for (double d : c.depths)
    if (!(d >= 0 && d <= 1)) throw std::invalid_argument("depths must be within 0-100%");
  if (c.trials < 1) throw std::invalid_argument("trials must be at least 1 (got " + std::to_string(c.trials) + ")");
  if (c.seeds < 1 || c.seeds > 1000)
    throw std::invalid_argument("seeds must be within 1..1000 (got " + std::to_string(c.seeds) + ")");
  if (c.scale != 0 && !(c.scale >= 1)) throw std::invalid_argument("the scale must be at least 1 (or auto)");
  if (c.chunks < 0) throw std::invalid_argument("chunks must be 0 (all the text) or more");
  if (model.rope.n_rot <= 0)
    throw std::invalid_argument("the model has no rotary position embedding (n_rot = 0): RoPE scaling does not apply");
}

uint64_t trial_seed(uint64_t sweep_seed, const std::string& task, int length, double depth, int trial) {
  uint64_t h = splitmix(sweep_seed);
  for (char ch : task) h = splitmix(h ^ static_cast<unsigned char>(ch));
  h = splitmix(h ^ static_cast<uint64_t>(length));
  h = splitmix(h ^ static_cast<uint64_t>(std::llround(depth * 1e4)));
  // 53 bits: exact as a JSON number in every reader.
  return splitmix(h ^ static_cast<uint64_t>(trial)) & ((uint64_t{1} << 53) - 1);
}

int sweep_context_tokens(const SweepConfig& c, bool perplexity) {
  const int longest = c.lengths.empty() ? 0 : *std::max_element(c.lengths.begin(), c.lengths.end());
  // A retrieval prompt of `longest` tokens, its answer, and a little room.
  return perplexity ? longest : longest + answer_token_budget(c) + 8;
}

std::vector<RetrievalRow> run_retrieval_sweep(Engine& engine, vk::Context& ctx, const SweepConfig& c,
                                              const ProgressFn& progress, const std::atomic<bool>* cancel,
                                              const RetrievalRowFn& on_row) {
  validate(c, engine);
  const EvalTaskInfo& task = eval_task(c.task);
  const int minimum = task_min_tokens(task, engine.tokenizer(), c);
  for (int l : c.lengths)
    if (l < minimum)
      throw std::invalid_argument(c.task + " prompts need at least " + std::to_string(minimum) + " tokens (got " +
                                  std::to_string(l) + ")");
  if (task.needs_text && c.haystack.empty()) throw std::invalid_argument("the " + c.task + " task needs text");
  const int longest = *std::max_element(c.lengths.begin(), c.lengths.end());
  std::vector<std::string> haystacks;  // one per sweep seed
  for (int k = 0; k < c.seeds; ++k) haystacks.push_back(task_haystack(task, c, longest, c.seed + static_cast<uint64_t>(k)));
  const int budget = answer_token_budget(c);
  ensure_decoder(engine, ctx, sweep_context_tokens(c, /*perplexity=*/false), c);
  std::vector<RetrievalRow> rows;
  SweepProgress pr{0,
                   static_cast<int>(c.methods.size() * c.lengths.size() * c.depths.size()) * c.trials * c.seeds, 0,
                   0};
  const double start = now();
  auto report = [&](double fraction) {
    pr.run_fraction = fraction;
    pr.elapsed_seconds = now() - start;
    if (progress) progress(pr);
  };
  // Lengths outermost: a cancelled sweep still compares every method at the lengths it finished.
  const size_t runs_per_method = c.depths.size() * static_cast<size_t>(c.trials) * static_cast<size_t>(c.seeds);
  for (int length : c.lengths) {
    ScheduleRuns runs;
    for (const auto& method : c.methods) {
      if (cancelled(cancel)) return rows;
      const RopeInfo rope = apply_rope(engine, c.base_rope, method, c.scale, length);
      if (const auto* same = runs.find(engine.rope()); same && c.copy_identical_schedules) {
        for (size_t i = 0; i < same->n_rows; ++i) {
          RetrievalRow row = rows[same->first_row + i];
          row.rope = rope;
          row.cached_tokens = row.prompt_tokens;
          row.seconds = 0;
          rows.push_back(row);
          if (on_row) on_row(row);
        }
        pr.done += static_cast<int>(same->n_rows);
        report(0);
        continue;
      }
      const size_t first_row = rows.size();
      std::vector<int32_t> cached;  // new schedule: nothing reusable
      engine.model().reset();
      // One prompt of seed k: false when cancelled.
      auto run_trial = [&](int k, double depth, int trial) {
        if (cancelled(cancel)) return false;
        const double t0 = now();
        RetrievalRow row;
        row.sweep_seed = c.seed + static_cast<uint64_t>(k);
        row.seed = trial_seed(row.sweep_seed, c.task, length, depth, trial);
        std::mt19937_64 rng(row.seed);
        const RetrievalPrompt prompt = make_task_prompt(task, engine.tokenizer(), c, haystacks[static_cast<size_t>(k)],
                                                        length, depth, rng);
        if (!c.reuse_prefix) cached.clear();
        const auto answer = greedy_answer(engine, cached, prompt.tokens, budget, task.numeric_answer,
                                          [&](int done, int total) { report(total ? double(done) / total : 0); },
                                          cancel);
        if (!answer) return false;  // cancelled inside the prefill: the run is dropped
        row.rope = rope;
        row.task = c.task;
        row.length = length;
        row.prompt_tokens = static_cast<int>(prompt.tokens.size());
        row.cached_tokens = answer->cached_tokens;
        row.trial = trial;
        row.depth = depth;
        row.actual_depth = prompt.depth;
        row.expected = prompt.answer;
        row.generated = answer->text;
        row.score = score_answer(task.scoring, prompt.answers, row.generated);
        row.correct = row.score >= 1;
        row.seconds = now() - t0;
        rows.push_back(row);
        if (on_row) on_row(row);
        ++pr.done;
        report(0);
        return true;
      };
      for (int k = 0; k < c.seeds; ++k)
        for (double depth : c.depths)
          for (int trial = 0; trial < c.trials; ++trial)
            if (!run_trial(k, depth, trial)) return rows;
      runs.entries.push_back({engine.rope().inv_freq, engine.rope().attn_factor, first_row, runs_per_method});
    }
  }
  return rows;
}

std::vector<double> loss_by_position(const std::vector<std::vector<float>>& nll, int buckets) {
  std::vector<double> sum(buckets, 0), n(buckets, 0);
  for (const auto& w : nll)
    for (size_t t = 0; t < w.size(); ++t) {
      const size_t b = t * buckets / w.size();
      sum[b] += w[t];
      n[b] += 1;
    }
  std::vector<double> out;
  for (int b = 0; b < buckets; ++b) out.push_back(n[b] ? sum[b] / n[b] : 0);
  return out;
}

std::vector<PerplexityRow> run_perplexity_sweep(Engine& engine, vk::Context& ctx, const SweepConfig& c,
                                                const std::vector<int32_t>& text, const ProgressFn& progress,
                                                const std::atomic<bool>* cancel, const PerplexityRowFn& on_row) {
  validate(c, engine);
  const int longest = *std::max_element(c.lengths.begin(), c.lengths.end());
  const int shortest = *std::min_element(c.lengths.begin(), c.lengths.end());
  if (shortest < 2) throw std::invalid_argument("perplexity needs lengths of at least 2 tokens");
  const tok::Vocab& vocab = engine.tokenizer().vocab();
  const int bos = vocab.add_bos && vocab.valid(vocab.bos_id) ? 1 : 0;
  // The span scored at every length: `chunks` windows of the longest length.
  size_t span = text.size();
  if (c.chunks > 0) span = std::min(span, static_cast<size_t>(c.chunks) * (longest - bos));
  if (span < static_cast<size_t>(longest - bos))
    throw std::invalid_argument("the text has " + std::to_string(text.size()) + " tokens, fewer than one window of " +
                                std::to_string(longest));
  ensure_decoder(engine, ctx, sweep_context_tokens(c, /*perplexity=*/true), c);
  std::vector<PerplexityRow> rows;
  SweepProgress pr{0, static_cast<int>(c.methods.size() * c.lengths.size()), 0, 0};
  const double start = now();
  auto report = [&](double fraction) {
    pr.run_fraction = fraction;
    pr.elapsed_seconds = now() - start;
    if (progress) progress(pr);
  };
  for (int length : c.lengths) {
    ScheduleRuns runs;
    for (const auto& method : c.methods) {
      if (cancelled(cancel)) return rows;
      const double t0 = now();
      PerplexityRow row;
      row.rope = apply_rope(engine, c.base_rope, method, c.scale, length);
      row.length = length;
      if (const auto* same = runs.find(engine.rope()); same && c.copy_identical_schedules) {
        const RopeInfo rope = row.rope;
        row = rows[same->first_row];
        row.rope = rope;
        row.seconds = 0;
        rows.push_back(row);
        if (on_row) on_row(row);
        ++pr.done;
        report(0);
        continue;
      }
      const int windows = static_cast<int>(span / (length - bos));
      const PerplexityResult r = evaluate_perplexity(
          engine, text, length, windows, [&](int done, int total) { report(total ? double(done) / total : 0); },
          cancel);
      if (r.cancelled) return rows;
      row.windows = static_cast<int>(r.nll.size());
      row.perplexity = r.perplexity();
      row.mean_nll = r.mean_nll();
      row.nll_by_position = loss_by_position(r.nll);
      row.seconds = now() - t0;
      runs.entries.push_back({engine.rope().inv_freq, engine.rope().attn_factor, rows.size(), 1});
      rows.push_back(row);
      if (on_row) on_row(row);
      ++pr.done;
      report(0);
    }
  }
  return rows;
}

}  // namespace mrrope
