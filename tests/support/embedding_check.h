#pragma once
// The GPU-vs-CPU embedding check every lookup test calls: ids looked up in a
// rows x cols table of type t holding bytes q, on the GPU, against the CPU's
// dequantization of the same bytes, bit for bit.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/ops.h"
#include "quant/quantize.h"
#include "reference/reference_ops.h"
#include "support/gpu_buffers.h"
#include "vulkan/device_tensor.h"
#include "vulkan/sequence.h"

namespace mrrope::test {

inline void check_embedding(vk::Context& ctx, GgmlType t, const std::vector<uint8_t>& q, uint32_t rows, uint32_t cols,
                            const std::vector<uint32_t>& ids, const char* label) {
  const auto deq = dequantize_rows(t, q, rows, cols);
  vk::DeviceTensor tt(ctx, t, cols, rows, "tok_embd");
  tt.upload(q);
  vk::Buffer bids = device_buffer(ctx, ids), out = zero_buffer(ctx, ids.size() * cols);
  vk::Sequence seq(ctx);
  seq.begin();
  ops::embed(seq, tt, bids, out, static_cast<uint32_t>(ids.size()));
  seq.end();
  seq.run();
  std::vector<float> want(ids.size() * cols);
  ref::embed(deq, ids, want, cols);
  EXPECT_EQ(read_back(out, want.size()), want) << ggml_type_name(t) << label;
}

}  // namespace mrrope::test
