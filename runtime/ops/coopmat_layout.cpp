#include "ops/coopmat_layout.h"

#include <array>
#include <cmath>

#include "vulkan/buffer.h"
#include "vulkan/sequence.h"

namespace mrrope::ops {

AccumulatorLayout probe_accumulator_layout(vk::Context& ctx) {
  constexpr uint32_t kLanes = 32, kMaxElements = 16;
  vk::Buffer out(ctx, (1 + kLanes * kMaxElements) * sizeof(float), vk::MemoryUsage::Readback);
  vk::Kernel& k = ctx.kernel(vk::KernelDesc{"coopmat_layout", {vk::Access::Write}, 0, {}});
  vk::Sequence seq(ctx);
  seq.begin();
  // All eight arguments: with fewer, dispatch's push-struct template takes
  // nullptr as an 8-byte push constant.
  seq.dispatch(k, {out}, nullptr, 0u, 1u, 1u, 1u, "coopmat_layout");
  seq.end();
  seq.run();
  std::vector<float> codes(1 + kLanes * kMaxElements);
  out.read(codes.data(), codes.size() * sizeof(float));

  AccumulatorLayout layout;
  layout.elements = static_cast<uint32_t>(codes[0]);
  if (layout.elements == 0 || layout.elements > kMaxElements) return {};
  for (uint32_t lane = 0; lane < kLanes; ++lane)
    for (uint32_t i = 0; i < layout.elements; ++i) {
      const float code = codes[1 + kMaxElements * lane + i];
      if (!(code >= 0 && code < 256 && code == std::floor(code))) return {};
      layout.rows.push_back(static_cast<uint8_t>(code) / 16);
      layout.columns.push_back(static_cast<uint8_t>(code) % 16);
    }
  return layout;
}

bool rows_in_quads(const AccumulatorLayout& layout) {
  constexpr uint32_t kLanes = 32;
  if (layout.elements == 0 || layout.rows.size() != kLanes * layout.elements) return false;
  for (uint32_t quad = 0; quad < kLanes / 4; ++quad) {
    std::array<uint32_t, 16> seen{};  // per column: bit 0 row `quad`, bit 1 row `quad + 8`
    for (uint32_t lane = 4 * quad; lane < 4 * quad + 4; ++lane)
      for (uint32_t i = 0; i < layout.elements; ++i) {
        const uint32_t r = layout.rows[lane * layout.elements + i], c = layout.columns[lane * layout.elements + i];
        if (r != quad && r != quad + 8) return false;
        const uint32_t bit = r == quad ? 1u : 2u;
        if (seen[c] & bit) return false;  // held twice
        seen[c] |= bit;
      }
    for (uint32_t bits : seen)
      if (bits != 3u) return false;  // a column of either row missing
  }
  return true;
}

bool mma_layout(const AccumulatorLayout& layout) {
  constexpr uint32_t kLanes = 32;
  if (layout.elements != 8 || layout.rows.size() != kLanes * 8 || layout.columns.size() != kLanes * 8) return false;
  for (uint32_t lane = 0; lane < kLanes; ++lane)
    for (uint32_t i = 0; i < 8; ++i)
      if (layout.rows[lane * 8 + i] != lane / 4 + 8 * (i / 4) ||
          layout.columns[lane * 8 + i] != 2 * (lane % 4) + i % 2 + 8 * ((i / 2) % 2))
        return false;
  return true;
}

bool accumulator_mma_layout(vk::Context& ctx) {
  const vk::DeviceInfo& info = ctx.info();
  if (!info.coopmat_nv || !info.coopmat_16x16x16 || info.subgroup_size != 32) return false;
  return ctx.probed_fact("accumulator_mma_layout", [&] { return mma_layout(probe_accumulator_layout(ctx)); });
}

bool accumulator_rows_in_quads(vk::Context& ctx) {
  const vk::DeviceInfo& info = ctx.info();
  if (!info.coopmat_nv || !info.coopmat_16x16x16 || info.subgroup_size != 32) return false;
  return ctx.probed_fact("accumulator_rows_in_quads", [&] { return rows_in_quads(probe_accumulator_layout(ctx)); });
}

}  // namespace mrrope::ops
