// Prefix reuse with window-sized KV rings (issue 14): the sweeps and the app
// go back in the cache and copy its prefix, which sliding-window layers kept
// in rings (GpuModelOptions::window_kv_cache) hold only in part.
// - A sweep-like sequence (prefill a document, save its prefix, answer a
//   question, restore the prefix, answer another) on a decoder with rings and
//   one with full-length K/V, against the CPU reference (which keeps every
//   position) and against each other, for gemma2 and gemma3, F16 and Q8_0:
//   the ring's copy holds the ring's rows only, restores into a ring of
//   another size, and is refused by a full-length cache.
// - The sweep's own path (eval/sweep.cpp): a window checkpoint marked before
//   the prefill, rewind() back to it once the rings moved on (then a prompt
//   that shares the prefix matches the reference), to 0 where neither the
//   rings nor the checkpoint serve, and the checkpoint dropped once a position
//   before it is written again; and a retrieval sweep on a gemma2 file whose
//   prompts wrap the rings, keeping about the prefix reuse of full-length K/V.
// Tolerance as test_decoder.cpp: 2e-3 * (1 + max |cpu|) per logits row.
#include <gtest/gtest.h>

#include <cstdio>

#include "engine/engine.h"
#include "eval/sweep.h"
#include "model/cpu_model.h"
#include "model/gpu_model.h"
#include "model/kv_prefix.h"
#include "support/gemma_models.h"
#include "support/gpu_test.h"
#include "support/logits_compare.h"
#include "support/model_files.h"
#include "support/precision.h"

namespace mrrope::test {
namespace {

struct RingCase {
  const char* arch;
  KvCacheType kv;
};

GpuModelOptions ring_options(KvCacheType kv, bool rings, int max_batch = 16) {
  GpuModelOptions o;
  o.n_ctx = 192;
  o.max_batch = max_batch;
  o.kv_type = kv;
  o.window_kv_cache = rings;
  return o;
}

// Logits of `tokens` as one call (every row), then of each of `answer` decoded one at a time.
std::vector<float> question_and_answer(GpuModel& m, std::span<const int32_t> question, std::span<const int32_t> answer) {
  std::vector<float> rows = m.forward(question, true);
  for (size_t i = 0; i < answer.size(); ++i) {
    const auto one = m.forward(answer.subspan(i, 1));
    rows.insert(rows.end(), one.begin(), one.end());
  }
  return rows;
}

std::vector<float> question_and_answer(CpuModel& m, std::span<const int32_t> question, std::span<const int32_t> answer) {
  std::vector<float> rows = m.forward(question);
  for (size_t i = 0; i < answer.size(); ++i) {
    const auto one = m.forward(answer.subspan(i, 1));
    rows.insert(rows.end(), one.begin(), one.end());
  }
  return rows;
}

class KvPrefixRings : public GpuTest, public testing::WithParamInterface<RingCase> {};

TEST_P(KvPrefixRings, SweepLikeSequenceMatchesFullLengthKvAndTheReference) {
  const GgufFile file = synthetic_gguf(gemma_window_spec(GetParam().arch));
  const ModelConfig config = ModelConfig::from_gguf(file);
  const KvCacheType kv = GetParam().kv;
  const RopeTable table = schedule(config, "yarn", 4.0);
  const double rtol = logits_rtol(gpu(), 2e-3);
  const int vocab = config.n_vocab;
  // 70 positions wrap a ring of 20 + 16 - 1 = 35 rows twice.
  const auto document = random_tokens(70, vocab, 21), q1 = random_tokens(12, vocab, 22),
             a1 = random_tokens(6, vocab, 23), q2 = random_tokens(9, vocab, 24), a2 = random_tokens(6, vocab, 25);

  CpuModel cpu(file, config, kv);
  cpu.set_rope(table);
  cpu.forward(document);
  const std::vector<float> want1 = question_and_answer(cpu, q1, a1);
  cpu.reset();
  cpu.forward(document);
  const std::vector<float> want2 = question_and_answer(cpu, q2, a2);

  std::vector<float> got1[2], got2[2];
  uint64_t copy_bytes[2] = {0, 0};
  for (const bool rings : {false, true}) {
    SCOPED_TRACE(rings ? "rings" : "full-length");
    GpuModel gpu_model(gpu(), file, config, ring_options(kv, rings));
    gpu_model.set_rope(table);
    ASSERT_EQ(gpu_model.has_kv_rings(), rings);
    gpu_model.prefill(document);
    const KvPrefix saved = gpu_model.save_prefix(70);
    copy_bytes[rings] = saved.bytes();
    for (int l = 0; l < config.n_layer; ++l)  // a ring gives the 35 positions it holds
      EXPECT_EQ(saved.first[size_t(l)], rings && config.is_local(l) ? 70 - 35 : 0) << "layer " << l;
    got1[rings] = question_and_answer(gpu_model, q1, a1);
    expect_close_rows(got1[rings], want1, vocab, "question 1", rtol);
    gpu_model.restore_prefix(saved);
    EXPECT_EQ(gpu_model.n_past(), 70);
    got2[rings] = question_and_answer(gpu_model, q2, a2);
    expect_close_rows(got2[rings], want2, vocab, "question 2 after restoring the document", rtol);

    if (!rings) continue;
    // Into a ring of another size (chunks of 8: 27 rows), from an empty cache.
    GpuModel smaller(gpu(), file, config, ring_options(kv, true, 8));
    smaller.set_rope(table);
    smaller.restore_prefix(saved);
    expect_close_rows(question_and_answer(smaller, std::span(q2).first(8), a2), [&] {
      cpu.reset();
      cpu.forward(document);
      return question_and_answer(cpu, std::span(q2).first(8), a2);
    }(), vocab, "question 2 in a ring of 27 rows", rtol);
    // A full-length cache would keep stale rows before the ring's first: refused.
    GpuModel full(gpu(), file, config, ring_options(kv, false));
    EXPECT_THROW(full.restore_prefix(saved), std::invalid_argument);
  }
  // The same computation either way, up to the kernels' rounding.
  expect_close_rows(got1[1], got1[0], vocab, "question 1, rings against full-length", rtol);
  expect_close_rows(got2[1], got2[0], vocab, "question 2, rings against full-length", rtol);
  // The ring's copy: 35 positions of each local layer instead of 70.
  int local = 0;
  for (int l = 0; l < config.n_layer; ++l) local += config.is_local(l);
  EXPECT_EQ(copy_bytes[1] * 70 * config.n_layer, copy_bytes[0] * (70 * (config.n_layer - local) + 35 * local));
}

INSTANTIATE_TEST_SUITE_P(Archs, KvPrefixRings,
                         testing::Values(RingCase{"gemma2", KvCacheType::F16}, RingCase{"gemma3", KvCacheType::F16},
                                         RingCase{"gemma2", KvCacheType::Q8_0}, RingCase{"gemma3", KvCacheType::Q8_0}),
                         [](const testing::TestParamInfo<RingCase>& i) {
                           return std::string(i.param.arch) + "_" + kv_cache_type_name(i.param.kv);
                         });

class KvRingCheckpoint : public GpuTest {};

// The retrieval sweep's sequence (eval/sweep.cpp's greedy_answer): a prompt
// prefilled with a checkpoint marked where the next one will leave it, an
// answer that moves the rings on, then the next prompt from the checkpoint.
TEST_F(KvRingCheckpoint, RewindComesBackToTheCheckpointAndMatchesTheReference) {
  const GgufFile file = synthetic_gguf(gemma_window_spec("gemma3"));
  const ModelConfig config = ModelConfig::from_gguf(file);
  const RopeTable table = schedule(config, "yarn", 4.0);
  const double rtol = logits_rtol(gpu(), 2e-3);
  const int vocab = config.n_vocab;
  GpuModel gpu_model(gpu(), file, config, ring_options(KvCacheType::F16, true));
  gpu_model.set_rope(table);
  CpuModel cpu(file, config);
  cpu.set_rope(table);

  const auto first = random_tokens(82, vocab, 31), answer = random_tokens(6, vocab, 32);
  std::vector<int32_t> second(first.begin(), first.begin() + 60);  // shares 60 tokens with the first
  for (int32_t t : random_tokens(20, vocab, 33)) second.push_back(t);

  EXPECT_EQ(gpu_model.window_checkpoint(), -1);
  gpu_model.mark_window_checkpoint(50);
  gpu_model.prefill(first);  // chunks 0-16-32-48-50-66-82: one ends at the mark
  EXPECT_EQ(gpu_model.window_checkpoint(), 50);
  for (size_t i = 0; i < answer.size(); ++i) gpu_model.forward(std::span(answer).subspan(i, 1));
  ASSERT_EQ(gpu_model.n_past(), 88);
  // The rings hold 53 .. 87: going back to 60 needs 41 .. 59.
  EXPECT_FALSE(gpu_model.can_truncate(60));
  EXPECT_THROW(gpu_model.truncate(60), ModelError);
  EXPECT_EQ(gpu_model.n_past(), 88);
  EXPECT_EQ(gpu_model.rewind(60), 50);
  EXPECT_EQ(gpu_model.n_past(), 50);
  EXPECT_EQ(gpu_model.window_checkpoint(), 50);  // nothing before it was written
  cpu.forward(std::span(second).first(50));
  for (int at = 50; at < 80; at += 16) {
    const auto chunk = std::span(second).subspan(size_t(at), size_t(std::min(16, 80 - at)));
    expect_close_rows(gpu_model.forward(chunk, true), cpu.forward(chunk), vocab,
                      "second prompt from the checkpoint, chunk at " + std::to_string(at), rtol);
  }
  // Going back right after the checkpoint's restore: the rings reach back 16 positions again.
  EXPECT_TRUE(gpu_model.can_truncate(80 - 16));
  EXPECT_FALSE(gpu_model.can_truncate(80 - 17));

  // Before the checkpoint, beyond the rings' reach: nothing is kept.
  EXPECT_EQ(gpu_model.rewind(45), 0);
  EXPECT_EQ(gpu_model.n_past(), 0);
  EXPECT_EQ(gpu_model.window_checkpoint(), 50);  // still valid: nothing written yet
  gpu_model.prefill(std::span(first).first(20));  // positions before 50 written again
  EXPECT_EQ(gpu_model.window_checkpoint(), -1);
  // A mark where a truncate left the cache is taken by the next prefill at once.
  gpu_model.prefill(std::span(first).subspan(20, 60));
  ASSERT_EQ(gpu_model.n_past(), 80);
  gpu_model.truncate(64);  // the rings hold 45 .. 63 of it
  gpu_model.mark_window_checkpoint(64);
  gpu_model.prefill(std::span(first).subspan(64, 4));
  EXPECT_EQ(gpu_model.window_checkpoint(), 64);
  gpu_model.reset();
  EXPECT_EQ(gpu_model.window_checkpoint(), -1);

  // Without rings: rewind is truncate, and marks do nothing.
  GpuModel full(gpu(), file, config, ring_options(KvCacheType::F16, false));
  full.set_rope(table);
  full.mark_window_checkpoint(10);
  full.prefill(std::span(first).first(40));
  EXPECT_EQ(full.window_checkpoint(), -1);
  EXPECT_EQ(full.rewind(5), 5);
}

// The retrieval sweep itself with rings: a gemma2 file with the bundled
// model's tokenizer, its decoder made with chunks of 16 (rings of 35 rows; the
// app makes its decoder first too) so that each prompt of 256 tokens wraps
// them. Every trial runs (truncate alone would throw), and from the third
// trial of a depth on the prompt comes back to the window checkpoint instead
// of prefilling from 0: it keeps at most what full-length K/V keeps, at most
// kCheckpointMargin (64) less where the needle is far back.
TEST_F(KvRingCheckpoint, RetrievalSweepKeepsItsPrefixReuse) {
  const GgufFile bundled = GgufFile::open(std::string(MRROPE_BUNDLED_MODEL));
  SyntheticModelSpec spec = gemma_window_spec("gemma2");
  spec.n_vocab = ModelConfig::from_gguf(bundled).n_vocab;
  GgufWriter writer = make_synthetic_model(spec);
  for (const auto& [key, value] : bundled.metadata())
    if (key.rfind("tokenizer.", 0) == 0) writer.set(key, value);
  const std::string path = testing::TempDir() + "/mrrope-gemma2-rings.gguf";
  writer.write(path);

  SweepConfig c;
  c.methods = {RopeMethod::None};
  c.lengths = {256};
  c.depths = {0.5, 1.0};
  c.trials = 3;
  std::vector<RetrievalRow> rows[2];
  for (const bool rings : {false, true}) {
    SCOPED_TRACE(rings ? "rings" : "full-length");
    Engine engine(path);
    c.window_kv_cache = rings;
    engine.create_decoder(gpu(), {sweep_context_tokens(c, false), 16, KvCacheType::F16, rings});
    rows[rings] = run_retrieval_sweep(engine, gpu(), c);
    EXPECT_EQ(engine.model().has_kv_rings(), rings);  // the sweep kept the decoder
    ASSERT_EQ(rows[rings].size(), 6u);
  }
  for (size_t i = 0; i < 6; ++i) {
    const RetrievalRow &full = rows[0][i], &ring = rows[1][i];
    EXPECT_EQ(ring.expected, full.expected) << "run " << i;
    EXPECT_LE(ring.cached_tokens, full.cached_tokens) << "run " << i;
    if (i % 3 == 2) {  // the third trial of a depth: from the checkpoint
      EXPECT_GT(full.cached_tokens, 100) << "run " << i;
      EXPECT_GE(ring.cached_tokens, full.cached_tokens - 64 - 8) << "run " << i;
    }
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace mrrope::test
