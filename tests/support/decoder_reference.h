#pragma once
// The Vulkan decoder next to the CPU reference on one file: small options, the
// pair under one rotary table, and a prefill then decode compared row by row.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>

#include "model/cpu_model.h"
#include "model/gpu_model.h"
#include "support/logits_compare.h"
#include "support/model_files.h"

namespace mrrope::test {

inline GpuModelOptions decoder_options(int n_ctx, KvCacheType kv = KvCacheType::F16, int max_batch = 16) {
  GpuModelOptions o;
  o.n_ctx = n_ctx;
  o.max_batch = max_batch;
  o.kv_type = kv;
  return o;
}

// The reference rounds its K/V as options.kv_type, so comparisons measure the kernels.
struct DecoderAndReference {
  DecoderAndReference(vk::Context& ctx, const GgufFile& file, const ModelConfig& config,
                      const GpuModelOptions& options, const RopeTable& table)
      : gpu(ctx, file, config, options), cpu(file, config, options.kv_type) {
    gpu.set_rope(table);
    cpu.set_rope(table);
  }
  GpuModel gpu;
  CpuModel cpu;
};

// `prefill` in chunks of `chunk` (every row of logits compared), then `decode`
// one token per call (its logits compared); rows within rtol (expect_close_rows).
inline void expect_prefill_and_decode_match(DecoderAndReference& m, std::span<const int32_t> prefill,
                                            std::span<const int32_t> decode, double rtol, size_t chunk = 16) {
  const int vocab = m.gpu.config().n_vocab;
  for (size_t i = 0; i < prefill.size(); i += chunk) {
    const auto part = prefill.subspan(i, std::min(chunk, prefill.size() - i));
    const std::string what = "prefill chunk at position " + std::to_string(m.gpu.n_past());
    expect_close_rows(m.gpu.forward(part, true), m.cpu.forward(part), vocab, what, rtol);
  }
  for (size_t i = 0; i < decode.size(); ++i) {
    const auto one = decode.subspan(i, 1);
    const std::string what = "decode at position " + std::to_string(m.gpu.n_past());
    expect_close_rows(m.gpu.forward(one), m.cpu.forward(one), vocab, what, rtol);
  }
}

}  // namespace mrrope::test
