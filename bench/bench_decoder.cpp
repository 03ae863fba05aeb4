// End-to-end decoder benchmark: prefill tokens/s at several context lengths
// and decode tokens/s at those depths, for a model file or a random-weight
// model with Llama-3-8B's shapes.
//
//   bench-decoder [--model FILE | --llama3-8b Q4_K_M|Q8_0|Q4_0|F16] [--prefill 512,8192,32768]
//                 [--decode N] [--batch N] [--time-limit SECONDS] [--profile] [--device INDEX|NAME]
//                 [--cache-type-k f16|q8_0 --cache-type-v f16|q8_0]   (also -ctk / -ctv; --help lists all)
//
// --time-limit skips lengths whose projected prefill time would not fit.
// --profile prints GPU time per kernel for one prefill chunk and one decode step.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/engine_flags.h"
#include "eval/eval_args.h"
#include "model/gpu_model.h"
#include "model/synthetic_model.h"
#include "options/option_table.h"
#include "vulkan/context.h"

using namespace mrrope;

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void print_profile(const char* what, const std::vector<vk::DispatchTiming>& timings) {
  std::map<std::string, std::pair<double, int>> by_kernel;
  double total = 0;
  for (const auto& t : timings) {
    by_kernel[t.label].first += t.microseconds;
    by_kernel[t.label].second++;
    total += t.microseconds;
  }
  std::vector<std::pair<std::string, std::pair<double, int>>> sorted(by_kernel.begin(), by_kernel.end());
  std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.second.first > b.second.first; });
  std::printf("  profile of %s: %.2f ms GPU in %zu dispatches\n", what, total / 1000, timings.size());
  for (const auto& [name, v] : sorted)
    std::printf("    %-30s %9.3f ms %5.1f%% (%d dispatches)\n", name.c_str(), v.first / 1000, 100 * v.first / total,
                v.second);
}

struct Options {
  std::string model_path, synthetic, device;
  std::vector<int> lengths = {512, 8192, 32768};
  int n_decode = 32, batch = 0;  // batch 0: the prefill chunk from the device memory
  int n_ctx = 0;                 // 0: the longest length plus the decode steps
  double time_limit = 0;
  bool profile = false, help = false;
  KvCacheType kv_type = KvCacheType::F16;
};

OptionTable options_table(Options& o) {
  OptionTable table("bench-decoder --help");
  table.store({"--model"}, "FILE", "the GGUF model to run", &o.model_path);
  table.store({"--llama3-8b"}, "Q4_K_M|Q8_0|Q4_0|F16", "instead: random weights with Llama-3-8B's shapes", &o.synthetic);
  table.value({"--prefill"}, "512,8192,32768", "context lengths to prefill (k = 1024)",
              [&o](const std::string&, const std::string& v) {
                o.lengths.clear();
                for (const std::string& item : split_list(v, "prefill")) o.lengths.push_back(parse_length(item));
              });
  table.store({"--decode"}, "N", "decode steps timed at each length (default 32)", &o.n_decode);
  table.store({"--batch"}, "N", "prefill chunk (default: from the device memory)", &o.batch);
  table.store({"--ctx"}, "N", "KV cache size (default: the longest length plus the decode steps); the decode "
              "plan depends on it, so a short length runs as it would in a larger context", &o.n_ctx);
  table.store({"--time-limit"}, "SECONDS", "skip lengths whose projected prefill time would not fit", &o.time_limit);
  table.store_true({"--profile"}, "GPU time per kernel for one prefill chunk and one decode step", &o.profile);
  table.store({"--device"}, "INDEX|NAME", "Vulkan device (default: MRROPE_DEVICE, else the most capable)", &o.device);
  add_kv_cache_options(table, o.kv_type);
  table.help_option(&o.help);
  return table;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  try {
    options_table(opt).parse({argv + 1, argv + argc});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-decoder: %s\n", e.what());
    return 2;
  }
  if (opt.help) {
    std::printf("usage: bench-decoder [--model FILE | --llama3-8b TYPE] [options]\n%s", options_table(opt).help().c_str());
    return 0;
  }
  std::string model_path = opt.model_path;
  const std::string& synthetic = opt.synthetic;
  const std::vector<int>& lengths = opt.lengths;
  const int n_decode = opt.n_decode, batch = opt.batch;
  const double time_limit = opt.time_limit;
  const bool profile = opt.profile;
  const KvCacheType kv_type = opt.kv_type;
  const std::string& device = opt.device;
  const double start = now();
  try {
    if (!synthetic.empty()) {
      const std::map<std::string, GgmlType> types = {
          {"Q4_K_M", GgmlType::Q4_K}, {"Q8_0", GgmlType::Q8_0}, {"Q4_0", GgmlType::Q4_0}, {"F16", GgmlType::F16}};
      if (!types.count(synthetic)) throw std::invalid_argument("--llama3-8b takes Q4_K_M, Q8_0, Q4_0 or F16");
      model_path = "/tmp/mrrope-bench-llama3-8b-" + synthetic + ".gguf";
      std::printf("writing a random-weight model with Llama-3-8B shapes (%s) to %s\n", synthetic.c_str(),
                  model_path.c_str());
      make_synthetic_model(llama3_8b_shapes(types.at(synthetic))).write(model_path);
    }
    if (model_path.empty()) throw std::invalid_argument("give --model FILE or --llama3-8b TYPE");
    const GgufFile file = GgufFile::open(model_path);
    const ModelConfig config = ModelConfig::from_gguf(file);
    vk::ContextOptions co;
    co.device = device;
    co.validation = vk::Validation::Off;
    vk::Context ctx(co);
    GpuModelOptions o;
    o.n_ctx = std::max(opt.n_ctx, *std::max_element(lengths.begin(), lengths.end()) + n_decode);
    o.max_batch = batch;
    o.profile = profile;
    o.kv_type = kv_type;
    double t0 = now();
    GpuModel model(ctx, file, config, o);
    std::printf("device: %s; model: %s (%s, %d layers, %s weights %s); load %.1f s; KV cache %s in %s for %d tokens; "
                "prefill chunk %d\n",
                ctx.info().name.c_str(), model_path.c_str(), config.arch_name.c_str(), config.n_layer,
                vk::format_bytes(model.memory().weights).c_str(),
                ModelHParams::from_gguf(file).quantization.c_str(), now() - t0,
                vk::format_bytes(model.memory().kv_cache).c_str(), kv_cache_type_name(kv_type), o.n_ctx,
                model.max_batch());

    std::mt19937 rng(1);
    std::vector<int32_t> tokens(o.n_ctx);
    for (auto& t : tokens) t = static_cast<int32_t>(rng() % config.n_vocab);
    // Warm-up: pipelines are compiled on first use and matrix products pick
    // their tile variant by batch, so run a 512-token and a full chunk (and a
    // decode step) before timing. The 2026-12-06 side-by-side predates this:
    // its 512-token prefill included compiling the large-tile variants.
    for (int n : {std::min(512, o.n_ctx - 1), std::min(model.max_batch(), o.n_ctx - 1)}) {
      model.reset();
      model.prefill(std::span(tokens).first(n));
    }
    model.forward(std::span(tokens).subspan(model.n_past(), 1));
    std::printf("%10s %16s %16s %12s\n", "context", "prefill tok/s", "decode tok/s", "prefill s");
    double last_seconds = 0;
    int last_len = 0;
    for (int len : lengths) {
      if (time_limit > 0 && last_len > 0) {
        const double ratio = double(len) / last_len;
        const double projected = last_seconds * ratio * 1.5;  // linear weights + growing attention
        if (now() - start + projected > time_limit) {
          std::printf("%10d %16s %16s %12s (projected %.0f s exceeds --time-limit)\n", len, "skipped", "skipped", "",
                      projected);
          continue;
        }
      }
      model.reset();
      t0 = now();
      model.prefill(std::span(tokens).first(len));
      const double prefill_s = now() - t0;
      if (profile) print_profile("the last prefill chunk", model.last_timings());
      t0 = now();
      double host_us = 0;
      for (int i = 0; i < n_decode; ++i) {
        model.forward(std::span(tokens).subspan(len + i, 1));
        host_us += model.last_host_microseconds();
      }
      const double decode_s = now() - t0;
      if (profile) print_profile("one decode step", model.last_timings());
      std::printf("  decode at %d: %.1f us CPU per token to record and submit, %.1f us wall per token\n", len,
                  host_us / n_decode, 1e6 * decode_s / n_decode);
      std::printf("%10d %16.1f %16.2f %12.2f\n", len, len / prefill_s, n_decode / decode_s, prefill_s);
      std::fflush(stdout);
      last_seconds = prefill_s;
      last_len = len;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-decoder: %s\n", e.what());
    return 1;
  }
  return 0;
}
