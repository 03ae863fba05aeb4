// Micro-benchmark of the compute kernels: time per call (GPU timestamps) and
// achieved GB/s or GFLOP/s for representative LLM shapes.
//
//   bench-kernels [--quick] [--matvec-only] [--types Q4_K,Q6_K,...] [--batches 512,2048] [--reps N]
//                 [--device INDEX|NAME]   (--help lists them)
// MRROPE_MATVEC_SHAPE=threads,rows overrides the matrix-vector launch shape,
// MRROPE_MATVEC_UNROLL=n the chunks an int8 thread loads together.
//
// --quick uses small shapes (for CPU devices such as lavapipe). The "copy
// roofline" is a device-to-device copy by a copy shader (bytes read + written
// per second; vkCmdCopyBuffer is printed beside it); matrix-vector rows report
// their bandwidth as a share of it.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "ops/matvec_int8.h"
#include "ops/ops.h"
#include "ops/rope_turns.h"
#include "options/option_table.h"
#include "quant/iquants_low.h"
#include "quant/quantize.h"
#include "vulkan/context.h"
#include "vulkan/device_tensor.h"
#include "vulkan/sequence.h"

using namespace mrrope;

namespace {

struct Options {
  bool quick = false;
  bool matvec_only = false;
  std::string types;  // comma-separated weight types to run; empty: all
  std::vector<uint32_t> batches;  // matrix-product batch sizes; empty: the defaults
  int reps = 10;
  std::string device;
};

std::vector<float> random_floats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

vk::Buffer floats_buffer(vk::Context& ctx, size_t n, uint32_t seed) {
  const auto v = random_floats(n, seed);
  vk::Buffer b(ctx, n * 4, vk::MemoryUsage::Device);
  b.write(v.data(), n * 4);
  return b;
}

// Records `reps` calls of `op` back to back into one sequence and returns the
// median GPU time of one call in microseconds (sum of its dispatches). The GPU
// is kept busy first for at least 200 ms of wall time: after the CPU work that
// prepares each shape (quantizing up to 58M weights) the GPU sits idle and
// drops its clocks, and a warm-up of a few calls (a millisecond) did not bring
// them back, so every row after the first large shape read 3-6x slow.
double time_op(vk::Context& ctx, int reps, const std::function<void(vk::Sequence&)>& op) {
  using Clock = std::chrono::steady_clock;
  vk::Sequence seq(ctx, {.timestamps = true, .max_timestamps = 8192});
  seq.begin();
  op(seq);
  seq.end();
  seq.run();  // builds the pipelines
  const auto first_start = Clock::now();
  seq.run();
  const double first_ms = std::chrono::duration<double, std::milli>(Clock::now() - first_start).count();
  const size_t per_call = seq.timings().size();
  const int fits = std::max(1, static_cast<int>(8000 / std::max<size_t>(per_call, 1)));
  // Warm-up submissions of about 20 ms each (slow CPU devices get one call).
  const int warm_calls = std::clamp(static_cast<int>(20.0 / std::max(first_ms, 1e-3)), 1, fits);
  const auto warm_start = Clock::now();
  while (Clock::now() - warm_start < std::chrono::milliseconds(200)) {
    seq.begin();
    for (int r = 0; r < warm_calls; ++r) op(seq);
    seq.end();
    seq.run();
  }
  const int calls = std::max(1, std::min(reps, fits / 2));
  seq.begin();
  for (int r = 0; r < 2 * calls; ++r) op(seq);  // a short warm-up inside the timed submission, then the timed calls
  seq.end();
  seq.run();
  const auto timings = seq.timings();
  std::vector<double> call_us;
  for (int r = calls; r < 2 * calls && (r + 1) * per_call <= timings.size(); ++r) {
    double us = 0;
    for (size_t i = r * per_call; i < (r + 1) * per_call; ++i) us += timings[i].microseconds;
    call_us.push_back(us);
  }
  std::sort(call_us.begin(), call_us.end());
  return call_us[call_us.size() / 2];
}

// roofline_gbs > 0 adds the bandwidth as a percentage of it.
void report(const char* kernel, const std::string& shape, double us, double bytes, double flops,
            double roofline_gbs = 0) {
  const double gbs = bytes / us / 1e3;
  std::printf("%-10s %-34s %10.1f us %9.1f GB/s %10.1f GFLOP/s", kernel, shape.c_str(), us, gbs, flops / us / 1e3);
  if (roofline_gbs > 0) std::printf(" %5.1f%% of copy", 100.0 * gbs / roofline_gbs);
  std::printf("\n");
}

// GB/s of a device-to-device copy, counting bytes read plus bytes written.
double bench_copy(vk::Context& ctx, const Options& o) {
  const uint64_t bytes = std::min<uint64_t>(o.quick ? 64ull << 20 : 1ull << 30, ctx.max_buffer_bytes());
  vk::Buffer src(ctx, bytes, vk::MemoryUsage::Device), dst(ctx, bytes, vk::MemoryUsage::Device);
  const double us_cmd = time_op(ctx, o.reps, [&](vk::Sequence& seq) { seq.copy(src, 0, dst, 0, bytes); });
  const double us = time_op(ctx, o.reps, [&](vk::Sequence& seq) { ops::copy_words(seq, src, dst, bytes); });
  const double gbs = 2.0 * double(bytes) / us / 1e3;
  std::printf("copy roofline: %s in %.1f us, %.1f GB/s (read + write) with a copy shader; vkCmdCopyBuffer %.1f GB/s\n",
              vk::format_bytes(bytes).c_str(), us, gbs, 2.0 * double(bytes) / us_cmd / 1e3);
  return gbs;
}

// Weights of a grid type (IQ1..IQ3, which have no quantizer): random bytes,
// every block's d small.
std::vector<uint8_t> random_grid_blocks(GgmlType type, uint32_t rows, uint32_t cols) {
  std::vector<uint8_t> q(size_t(rows) * ggml_row_bytes(type, cols));
  std::mt19937 rng(3);
  for (uint8_t& v : q) v = static_cast<uint8_t>(rng() & 255);
  for (size_t b = 0; b < q.size(); b += ggml_traits(type).block_bytes) set_iq_block_scale(type, &q[b], 0x1400);
  return q;
}

void bench_matmul(vk::Context& ctx, const Options& o, double roofline_gbs) {
  struct Shape {
    uint32_t rows, cols;
  };
  const std::vector<Shape> shapes = o.quick ? std::vector<Shape>{{1024, 1024}, {2816, 1024}}
                                            : std::vector<Shape>{{4096, 4096}, {14336, 4096}, {4096, 14336}};
  std::vector<uint32_t> batches = o.quick ? std::vector<uint32_t>{1, 8, 64} : std::vector<uint32_t>{1, 8, 512, 2048};
  if (o.matvec_only) batches = {1, 8};
  if (!o.batches.empty()) batches = o.batches;
  for (GgmlType type : {GgmlType::F16, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K,
                        GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::IQ4_NL, GgmlType::IQ4_XS,
                        GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::TQ1_0, GgmlType::TQ2_0,
                        GgmlType::IQ2_XXS, GgmlType::IQ2_XS, GgmlType::IQ2_S, GgmlType::IQ3_XXS, GgmlType::IQ3_S,
                        GgmlType::IQ1_S, GgmlType::IQ1_M}) {
    if (!o.types.empty() && ("," + o.types + ",").find("," + std::string(ggml_type_name(type)) + ",") == std::string::npos)
      continue;
    for (const Shape& s : shapes) {
      const auto w = random_floats(size_t(s.rows) * s.cols, 1);
      vk::DeviceTensor tw(ctx, type, s.cols, s.rows, "w");
      tw.upload(can_quantize(type) ? quantize_rows(type, w, s.rows, s.cols) : random_grid_blocks(type, s.rows, s.cols));
      for (uint32_t batch : batches) {
        vk::Buffer x = floats_buffer(ctx, size_t(batch) * s.cols, 2);
        vk::Buffer y(ctx, size_t(batch) * s.rows * 4, vk::MemoryUsage::Device);
        const double us = time_op(ctx, o.reps, [&](vk::Sequence& seq) { ops::matmul(seq, tw, x, y, batch); });
        const double bytes = double(tw.bytes()) + 4.0 * batch * (s.cols + s.rows);
        const double flops = 2.0 * s.rows * s.cols * batch;
        char shape[96];
        std::snprintf(shape, sizeof shape, "%s %ux%u batch %u", std::string(ggml_type_name(type)).c_str(), s.rows,
                      s.cols, batch);
        const bool matvec = batch <= 8;  // what ops::matmul picks
        report(matvec ? "matvec" : "matmul", shape, us, bytes, flops, matvec ? roofline_gbs : 0);
        if (matvec && ops::matvec_int8_supported(ctx.info()) && ops::matvec_int8_weight_type(type)) {
          // The integer-dot path: the product alone (its input quantized once
          // per shared input in the decoder), and the quantization.
          vk::Buffer xq(ctx, ops::quantized_act_bytes(s.cols, batch), vk::MemoryUsage::Device);
          const double q_us =
              time_op(ctx, o.reps, [&](vk::Sequence& seq) { ops::quantize_act(seq, x, xq, s.cols, batch); });
          const double i_us =
              time_op(ctx, o.reps, [&](vk::Sequence& seq) { ops::matvec_int8_kernel(seq, tw, xq, ops::Act(y), batch); });
          const double i_bytes = double(tw.bytes()) + double(ops::quantized_act_bytes(s.cols, batch)) + 4.0 * batch * s.rows;
          report("mv_int8", shape, i_us, i_bytes, flops, roofline_gbs);
          std::printf("%-10s %-34s %10.1f us\n", "quantize", shape, q_us);
        }
      }
    }
  }
}

// The matrix units' roofline through NV cooperative matrices (shaders/mma_peak.comp):
// f16 16x16x16 products into f32, operands held in registers or reloaded from
// shared memory each step, for several per-subgroup fragment grids.
void bench_mma_peak(vk::Context& ctx, const Options& o) {
  const vk::DeviceInfo& info = ctx.info();
  if (!info.coopmat_16x16x16 || info.subgroup_size != 32) return;
  struct Config {
    uint32_t threads, fm, fn, reload;
    const char* shader;
  };
  const Config configs[] = {{256, 4, 2, 0, "mma_peak"},    {128, 4, 4, 0, "mma_peak"},    {256, 4, 2, 1, "mma_peak"},
                            {256, 4, 2, 1, "mma_peak_u4"}, {128, 4, 4, 1, "mma_peak"},    {128, 4, 4, 1, "mma_peak_u4"},
                            {256, 2, 2, 1, "mma_peak"},    {256, 4, 4, 1, "mma_peak_u4"}};
  const uint32_t groups = 132 * 4, iters = o.quick ? 64 : 4096;
  for (const Config& c : configs) {
    const uint64_t out_bytes = uint64_t(groups) * (c.threads / 32) * c.fm * c.fn * 256 * 4;
    vk::Buffer out(ctx, out_bytes, vk::MemoryUsage::Device);
    vk::Kernel& k = ctx.kernel(vk::KernelDesc{c.shader, {vk::Access::Write}, 4, {c.threads, c.fm, c.fn, c.reload}});
    const double us = time_op(ctx, o.reps, [&](vk::Sequence& seq) { seq.dispatch(k, {out}, iters, groups); });
    const double flops = double(groups) * (c.threads / 32) * c.fm * c.fn * iters * 2.0 * 16 * 16 * 16;
    char shape[96];
    std::snprintf(shape, sizeof shape, "%u thr %ux%u frags %s%s", c.threads, c.fm, c.fn,
                  c.reload ? "reload " : "regs", c.reload ? (std::strstr(c.shader, "u4") ? "uvec4" : "f16") : "");
    report("mma_peak", shape, us, 0, flops);
  }
}

void bench_elementwise(vk::Context& ctx, const Options& o) {
  const uint32_t tokens = o.quick ? 64 : 512, embd = 4096, ff = 14336, heads = 32, head_dim = 128;
  vk::Buffer x = floats_buffer(ctx, size_t(tokens) * ff, 3), y = floats_buffer(ctx, size_t(tokens) * ff, 4);
  vk::Buffer w = floats_buffer(ctx, embd, 5);
  const uint32_t n_embd = tokens * embd, n_ff = tokens * ff;
  double us = time_op(ctx, o.reps, [&](vk::Sequence& s) { ops::rms_norm(s, x, w, y, tokens, embd, 1e-5f); });
  report("rms_norm", std::to_string(tokens) + "x" + std::to_string(embd), us, 8.0 * n_embd, 3.0 * n_embd);
  us = time_op(ctx, o.reps, [&](vk::Sequence& s) { ops::silu_mul(s, x, y, x, n_ff); });
  report("silu_mul", std::to_string(tokens) + "x" + std::to_string(ff), us, 12.0 * n_ff, 5.0 * n_ff);
  us = time_op(ctx, o.reps, [&](vk::Sequence& s) { ops::add(s, x, y, x, n_embd); });
  report("add", std::to_string(tokens) + "x" + std::to_string(embd), us, 12.0 * n_embd, 1.0 * n_embd);
  const uint32_t ctx_len = o.quick ? 2048 : 32768, rows = o.quick ? 8 : 32;
  us = time_op(ctx, o.reps, [&](vk::Sequence& s) { ops::softmax(s, x, y, rows, ctx_len, 0.088f); });
  report("softmax", std::to_string(rows) + "x" + std::to_string(ctx_len), us, 8.0 * rows * ctx_len,
         5.0 * rows * ctx_len);

  std::vector<int32_t> pos(tokens);
  for (uint32_t i = 0; i < tokens; ++i) pos[i] = static_cast<int32_t>(i * 61);
  std::vector<double> freq(head_dim / 2);
  for (uint32_t i = 0; i < head_dim / 2; ++i) freq[i] = std::pow(500000.0, -2.0 * i / head_dim);
  const auto turns = ops::encode_rope_turns(freq);
  vk::Buffer bp(ctx, pos.size() * 4, vk::MemoryUsage::Device), bt(ctx, turns.size() * 4, vk::MemoryUsage::Device);
  bp.write(pos.data(), pos.size() * 4);
  bt.write(turns.data(), turns.size() * 4);
  us = time_op(ctx, o.reps, [&](vk::Sequence& s) {
    ops::rope(s, x, bp, bt, {tokens, heads, head_dim, head_dim, false, 1.0f});
  });
  const double n_rope = double(tokens) * heads * head_dim;
  report("rope", std::to_string(tokens) + " tokens x 32 heads x 128", us, 8.0 * n_rope, 6.0 * n_rope);

  const uint32_t vocab = o.quick ? 8192 : 128256;
  vk::DeviceTensor table(ctx, GgmlType::Q8_0, embd, vocab, "tok_embd");
  std::vector<uint32_t> ids(tokens);
  for (uint32_t i = 0; i < tokens; ++i) ids[i] = (i * 7919u) % vocab;
  vk::Buffer bids(ctx, ids.size() * 4, vk::MemoryUsage::Device);
  bids.write(ids.data(), ids.size() * 4);
  us = time_op(ctx, o.reps, [&](vk::Sequence& s) { ops::embed(s, table, bids, y, tokens); });
  report("embed", "Q8_0 " + std::to_string(tokens) + " tokens x " + std::to_string(embd), us,
         double(tokens) * (embd * 4 + table.row_bytes()), double(tokens) * embd);
}

OptionTable options_table(Options& o, bool* help) {
  OptionTable table("bench-kernels --help");
  table.store_true({"--quick"}, "small shapes (for CPU devices such as lavapipe)", &o.quick);
  table.store_true({"--matvec-only"}, "only the copy roofline and the weight products", &o.matvec_only);
  table.store({"--types"}, "Q4_K,Q6_K,...", "weight types to run (default: all)", &o.types);
  table.value({"--batches"}, "512,2048", "matrix-product batch sizes (default: the built-in ones)",
              [&o](const std::string& flag, const std::string& v) {
                o.batches.clear();
                for (const int b : parse_int_list(flag, v, 1, 1 << 20)) o.batches.push_back(static_cast<uint32_t>(b));
              });
  table.value({"--reps"}, "N", "timed calls per kernel (default 10)",
              [&o](const std::string& flag, const std::string& v) { o.reps = std::max(1, parse_int(flag, v)); });
  table.store({"--device"}, "INDEX|NAME", "Vulkan device (default: MRROPE_DEVICE, else the most capable)", &o.device);
  table.help_option(help);
  return table;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bool help = false;
  try {
    options_table(o, &help).parse({argv + 1, argv + argc});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-kernels: %s\n", e.what());
    return 2;
  }
  if (help) {
    std::printf("usage: bench-kernels [options]\n%s", options_table(o, &help).help().c_str());
    return 0;
  }
  try {
    vk::ContextOptions co;
    co.device = o.device;
    co.validation = vk::Validation::Off;
    vk::Context ctx(co);
    std::printf("device: %s (%s), driver %s\n", ctx.info().name.c_str(), ctx.info().type.c_str(),
                ctx.info().driver.c_str());
    std::printf("%-10s %-34s %13s %14s %18s\n", "kernel", "shape", "time/call", "bandwidth", "compute");
    const double roofline_gbs = bench_copy(ctx, o);
    if (!o.matvec_only) bench_mma_peak(ctx, o);
    bench_matmul(ctx, o, roofline_gbs);
    if (!o.matvec_only) bench_elementwise(ctx, o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-kernels: %s\n", e.what());
    return 1;
  }
  return 0;
}
