#pragma once
// The decoder past 4K positions against the CPU reference: 4160 tokens of
// prefill (chunks of 512), then the logits of 8 more at positions 4160..4167
// under each method, S = 4 for every method but none. `kv`: the cache type
// (the reference rounds its K/V the same way); rows within
// logits_rtol(ctx, float32_rtol) (support/precision.h).
#include <string>
#include <vector>

#include "model/cpu_model.h"
#include "model/gpu_model.h"
#include "support/logits_compare.h"
#include "support/model_files.h"
#include "support/precision.h"

namespace mrrope::test {

inline void expect_past_4k_matches_reference(vk::Context& ctx, const GgufFile& file,
                                             const std::vector<std::string>& methods,
                                             KvCacheType kv = KvCacheType::F16, double float32_rtol = 2e-3) {
  const ModelConfig config = ModelConfig::from_gguf(file);
  GpuModelOptions options;
  options.n_ctx = 4224;
  options.kv_type = kv;
  GpuModel gpu_model(ctx, file, config, options);
  const auto tokens = random_tokens(4168, config.n_vocab, 9);
  const std::span<const int32_t> all(tokens);
  for (const std::string& method : methods) {
    const RopeTable table = schedule(config, method, method == "none" ? 1.0 : 4.0);
    CpuModel cpu_model(file, config, kv);
    gpu_model.reset();
    gpu_model.set_rope(table);
    cpu_model.set_rope(table);
    gpu_model.prefill(all.first(4160));
    const auto gpu_logits = gpu_model.forward(all.subspan(4160), true);
    const auto cpu_logits = cpu_model.forward(all);
    const std::vector<float> cpu_tail(cpu_logits.end() - 8 * config.n_vocab, cpu_logits.end());
    expect_close_rows(gpu_logits, cpu_tail, config.n_vocab, method, logits_rtol(ctx, float32_rtol));
  }
}

}  // namespace mrrope::test
