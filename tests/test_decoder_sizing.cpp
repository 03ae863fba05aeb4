// The one decoder sizing policy (engine/decoder_sizing.h), without a device:
// the CLI's commands, the app's session and the sweeps get the contexts and
// chunks they had before it was shared.
#include <gtest/gtest.h>

#include <stdexcept>

#include "engine/decoder_sizing.h"
#include "engine/engine_flags.h"
#include "eval/eval_tasks.h"
#include "eval/sweep.h"
#include "options/option_table.h"

namespace mrrope::test {
namespace {

DecoderRequest request(DecoderJob job, int tokens, int n_ctx = 0, int max_batch = 0, const std::string& device = "") {
  DecoderRequest r;
  r.job = job;
  r.tokens = tokens;
  r.n_ctx = n_ctx;
  r.max_batch = max_batch;
  r.device_type = device;
  return r;
}

TEST(DecoderSizing, CommandRoundsTheInputUpTo256OrTakesMinusC) {
  EXPECT_EQ(size_decoder(request(DecoderJob::Command, 1)).n_ctx, 256);
  EXPECT_EQ(size_decoder(request(DecoderJob::Command, 256)).n_ctx, 256);
  EXPECT_EQ(size_decoder(request(DecoderJob::Command, 257)).n_ctx, 512);
  EXPECT_EQ(size_decoder(request(DecoderJob::Command, 0)).n_ctx, 0);  // 0: the model's training context
  EXPECT_EQ(size_decoder(request(DecoderJob::Command, 300, 1000)).n_ctx, 1000);
  // -b is passed through; 0 leaves the chunk to the device (auto_prefill_chunk), on a CPU too.
  EXPECT_EQ(size_decoder(request(DecoderJob::Command, 10, 0, 128)).max_batch, 128);
  EXPECT_EQ(size_decoder(request(DecoderJob::Command, 10, 0, 0, "CPU")).max_batch, 0);
}

TEST(DecoderSizing, MinusCBelowTheInputIsRefusedWithBothNumbers) {
  try {
    size_decoder(request(DecoderJob::Command, 300, 256));
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "the input needs 300 tokens but -c is 256");
  }
}

TEST(DecoderSizing, SessionKeepsAtLeast256AndSmallChunksOnACpu) {
  EXPECT_EQ(size_decoder(request(DecoderJob::Session, 0)).n_ctx, 256);
  EXPECT_EQ(size_decoder(request(DecoderJob::Session, 10)).n_ctx, 256);
  EXPECT_EQ(size_decoder(request(DecoderJob::Session, 600)).n_ctx, 768);
  EXPECT_EQ(size_decoder(request(DecoderJob::Session, 0, 700)).n_ctx, 700);  // the sweep's exact size
  EXPECT_EQ(size_decoder(request(DecoderJob::Session, 10, 0, 0, "CPU")).max_batch, kSessionCpuChunk);
  EXPECT_EQ(size_decoder(request(DecoderJob::Session, 10, 0, 0, "discrete GPU")).max_batch, 0);
}

TEST(DecoderSizing, SweepTakesExactlyTheTokensIn512Chunks) {
  const EngineOptions o = size_decoder(request(DecoderJob::Sweep, 1300));
  EXPECT_EQ(o.n_ctx, 1300);
  EXPECT_EQ(o.max_batch, kSweepChunk);
  DecoderRequest q8 = request(DecoderJob::Sweep, 64);
  q8.kv_type = KvCacheType::Q8_0;
  EXPECT_EQ(size_decoder(q8).kv_type, KvCacheType::Q8_0);
}

TEST(DecoderSizing, SweepContextIsTheLongestLengthPlusTheAnswer) {
  SweepConfig c;
  c.lengths = {512, 2048, 1024};
  EXPECT_EQ(sweep_context_tokens(c, /*perplexity=*/true), 2048);
  EXPECT_EQ(sweep_context_tokens(c, /*perplexity=*/false), 2048 + answer_token_budget(c) + 8);
}

TEST(DecoderSizing, ALargerDecoderWithTheSameCacheServes) {
  EngineOptions want;
  want.n_ctx = 512;
  EXPECT_TRUE(decoder_serves(512, KvCacheType::F16, want, 2048));
  EXPECT_TRUE(decoder_serves(1024, KvCacheType::F16, want, 2048));
  EXPECT_FALSE(decoder_serves(256, KvCacheType::F16, want, 2048));
  EXPECT_FALSE(decoder_serves(1024, KvCacheType::Q8_0, want, 2048));
  want.n_ctx = 0;  // the training context
  EXPECT_FALSE(decoder_serves(1024, KvCacheType::F16, want, 2048));
  EXPECT_TRUE(decoder_serves(2048, KvCacheType::F16, want, 2048));
}

// Window-sized KV rings (issue 14) for every job, each coping with what rings
// cannot do (decoder_sizing.h), unless --no-kv-rings turns them off. A
// decoder with rings does not serve a job that turned them off; a full-length
// one serves every job.
TEST(DecoderSizing, WindowSizedKvForEveryJobUnlessTurnedOff) {
  for (const DecoderJob job : {DecoderJob::Command, DecoderJob::Session, DecoderJob::Sweep}) {
    EXPECT_TRUE(size_decoder(request(job, 10)).window_kv_cache);
    DecoderRequest off = request(job, 10);
    off.window_kv_cache = false;
    EXPECT_FALSE(size_decoder(off).window_kv_cache);
  }
  const EngineOptions rings = size_decoder(request(DecoderJob::Session, 300));
  DecoderRequest off = request(DecoderJob::Command, 300);
  off.window_kv_cache = false;
  const EngineOptions full = size_decoder(off);
  EXPECT_TRUE(decoder_serves(512, KvCacheType::F16, rings, 2048, true));
  EXPECT_FALSE(decoder_serves(512, KvCacheType::F16, full, 2048, true));
  EXPECT_TRUE(decoder_serves(512, KvCacheType::F16, full, 2048, false));
  EXPECT_TRUE(decoder_serves(512, KvCacheType::F16, rings, 2048, false));
}

// --no-kv-rings, as the commands' option table reads it (mrrope-cli's model
// options, bench-decoder): the request then asks for full-length K/V.
TEST(DecoderSizing, NoKvRingsFlagTurnsTheRingsOff) {
  for (const bool given : {false, true}) {
    bool rings = true;
    OptionTable table;
    add_kv_ring_option(table, rings);
    std::vector<std::string> args{"-c", "512"};
    if (given) args.push_back("--no-kv-rings");
    table.take(args);  // takes its own flag, keeps the others
    EXPECT_EQ(args, (std::vector<std::string>{"-c", "512"}));
    EXPECT_EQ(rings, !given);
    DecoderRequest r = request(DecoderJob::Command, 300);
    r.window_kv_cache = rings;
    EXPECT_EQ(size_decoder(r).window_kv_cache, !given);
  }
  OptionTable table;
  bool rings = true;
  add_kv_ring_option(table, rings);
  EXPECT_NE(table.help().find("--no-kv-rings"), std::string::npos);
  EXPECT_THROW(table.parse({"--no-kv-rings=1"}), std::invalid_argument);
}

TEST(DecoderSizing, MemoryBudgetIsTheHeapOrTheRamOnACpu) {
  vk::DeviceInfo gpu;
  gpu.type = "discrete GPU";
  gpu.device_local_bytes = 80ull << 30;
  EXPECT_EQ(device_memory_budget(gpu), 80ull << 30);
  vk::DeviceInfo cpu;
  cpu.type = "CPU";
  cpu.device_local_bytes = 1;
  EXPECT_GT(device_memory_budget(cpu), 1u << 20);
}

}  // namespace
}  // namespace mrrope::test
