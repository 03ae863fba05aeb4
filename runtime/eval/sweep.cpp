#include "eval/sweep.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "eval/perplexity.h"

namespace mrrope {
namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

RopeInfo apply_rope(Engine& engine, const std::string& method, double scale, int length) {
  RopeParams p;
  p.method = parse_rope_method(method);
  p.scale = method == "none" ? 0 : scale;
  const RopeTable& t = engine.set_rope(p, length);
  return {method, t.scale, t.attn_factor, t.d_low, t.d_high};
}

void ensure_decoder(Engine& engine, vk::Context& ctx, int n_ctx, int batch = 512) {
  if (engine.has_decoder() && engine.model().n_ctx() >= n_ctx) return;
  engine.create_decoder(ctx, {n_ctx, batch});
}

// Greedy continuation of `prompt`, reusing the cached prefix the model already
// holds (`cached`: the tokens in its KV cache, valid for the current schedule).
std::string greedy_answer(Engine& engine, std::vector<int32_t>& cached, const std::vector<int32_t>& prompt,
                          int max_new_tokens) {
  GpuModel& model = engine.model();
  size_t shared = 0;
  while (shared < cached.size() && shared < prompt.size() - 1 && cached[shared] == prompt[shared]) ++shared;
  model.truncate(static_cast<int>(shared));
  cached.assign(prompt.begin(), prompt.end());
  std::vector<float> logits = model.prefill(std::span(prompt).subspan(shared));
  std::string text;
  const auto eog = engine.tokenizer().vocab().eog_ids();
  for (int i = 0; i < max_new_tokens && model.n_past() < model.n_ctx(); ++i) {
    const auto best = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    if (std::find(eog.begin(), eog.end(), best) != eog.end()) break;
    text += engine.tokenizer().token_to_piece(best, false);
    cached.push_back(best);
    const std::string digits = leading_digits(text);
    // Stop once the number has ended.
    if (!digits.empty() && text.find_first_not_of(" 0123456789") != std::string::npos) break;
    logits = model.forward(std::span(&best, 1));
  }
  return text;
}

}  // namespace

void validate(const SweepConfig& c, const Engine& engine) {
  if (c.methods.empty()) throw std::invalid_argument("no methods given");
  for (const auto& m : c.methods) parse_rope_method(m);  // throws with the list of valid names
  if (c.lengths.empty()) throw std::invalid_argument("no lengths given");
  for (int l : c.lengths)
    if (l < 1) throw std::invalid_argument("lengths must be at least 1 (got " + std::to_string(l) + ")");
  for (double d : c.depths)
    if (d < 0 || d > 1) throw std::invalid_argument("depths must be within 0..1 (percentages 0-100)");
  if (c.trials < 1) throw std::invalid_argument("trials must be at least 1");
  if (c.scale != 0 && c.scale < 1) throw std::invalid_argument("the scale must be at least 1 (or auto)");
  if (c.task != "passkey" && c.task != "niah") throw std::invalid_argument("unknown task '" + c.task + "'");
  if (engine.config().rope.n_rot <= 0)
    throw std::invalid_argument("the model has no rotary position embedding to extend");
}

std::vector<RetrievalRow> run_retrieval_sweep(Engine& engine, vk::Context& ctx, const SweepConfig& c,
                                              const ProgressFn& progress, const std::atomic<bool>* cancel) {
  validate(c, engine);
  if (c.task == "niah" && c.haystack.empty()) throw std::invalid_argument("the needle task needs haystack text");
  const int longest = *std::max_element(c.lengths.begin(), c.lengths.end());
  ensure_decoder(engine, ctx, longest + c.max_new_tokens + 8);
  std::vector<RetrievalRow> rows;
  SweepProgress pr{0, static_cast<int>(c.methods.size() * c.lengths.size() * c.depths.size()) * c.trials, 0};
  const double start = now();
  // Lengths outermost: a cancelled sweep still compares every method at the lengths it finished.
  for (int length : c.lengths)
    for (const auto& method : c.methods) {
      const RopeInfo rope = apply_rope(engine, method, c.scale, length);
      std::vector<int32_t> cached;  // new schedule: nothing reusable
      engine.model().reset();
      // Same seed for every method, so all methods see the same prompts.
      std::mt19937_64 rng(c.seed * 1000003u + static_cast<uint64_t>(length));
      for (double depth : c.depths)
        for (int trial = 0; trial < c.trials; ++trial) {
          if (cancel && cancel->load()) return rows;
          const double t0 = now();
          const RetrievalPrompt prompt =
              c.task == "passkey" ? make_passkey_prompt(engine.tokenizer(), length, depth, rng, c.passkey)
                                  : make_needle_prompt(engine.tokenizer(), c.haystack, length, depth, rng, c.needle);
          RetrievalRow row;
          row.rope = rope;
          row.task = c.task;
          row.length = length;
          row.prompt_tokens = static_cast<int>(prompt.tokens.size());
          row.trial = trial;
          row.depth = depth;
          row.actual_depth = prompt.depth;
          row.expected = prompt.answer;
          row.generated = greedy_answer(engine, cached, prompt.tokens, c.max_new_tokens);
          row.correct = leading_digits(row.generated) == prompt.answer;
          row.seconds = now() - t0;
          rows.push_back(row);
          ++pr.done;
          pr.elapsed_seconds = now() - start;
          if (progress) progress(pr);
        }
    }
  return rows;
}

std::vector<PerplexityRow> run_perplexity_sweep(Engine& engine, vk::Context& ctx, const SweepConfig& c,
                                                const std::vector<int32_t>& text, const ProgressFn& progress,
                                                const std::atomic<bool>* cancel) {
  validate(c, engine);
  const int longest = *std::max_element(c.lengths.begin(), c.lengths.end());
  ensure_decoder(engine, ctx, longest);
  std::vector<PerplexityRow> rows;
  SweepProgress pr{0, static_cast<int>(c.methods.size() * c.lengths.size()), 0};
  const double start = now();
  for (int length : c.lengths)
    for (const auto& method : c.methods) {
      if (cancel && cancel->load()) return rows;
      const double t0 = now();
      PerplexityRow row;
      row.rope = apply_rope(engine, method, c.scale, length);
      row.length = length;
      const PerplexityResult r = evaluate_perplexity(engine, text, length, c.max_windows, {}, cancel);
      if (r.cancelled) return rows;
      row.windows = static_cast<int>(r.nll.size());
      row.perplexity = r.perplexity();
      row.mean_nll = r.mean_nll();
      const int buckets = 16;
      std::vector<double> sum(buckets, 0), n(buckets, 0);
      for (const auto& w : r.nll)
        for (size_t t = 0; t < w.size(); ++t) {
          const size_t b = t * buckets / w.size();
          sum[b] += w[t];
          n[b] += 1;
        }
      for (int b = 0; b < buckets; ++b) row.nll_by_position.push_back(n[b] ? sum[b] / n[b] : 0);
      row.seconds = now() - t0;
      rows.push_back(row);
      ++pr.done;
      pr.elapsed_seconds = now() - start;
      if (progress) progress(pr);
    }
  return rows;
}

}  // namespace mrrope
