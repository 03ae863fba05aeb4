#pragma once
// Which elements of a 16 x 16 f32 cooperative-matrix accumulator each lane of a
// subgroup holds. GL_NV_cooperative_matrix leaves this to the implementation;
// prefill attention can keep its softmax in registers only where a row's
// elements sit on four neighbouring lanes (measured here, not assumed by vendor).
#include <cstdint>
#include <vector>

#include "vulkan/context.h"

namespace mrrope::ops {

struct AccumulatorLayout {
  uint32_t elements = 0;                 // per lane
  std::vector<uint8_t> rows, columns;    // [lane * elements + i]: element i of that lane
};

// Runs shaders/coopmat_layout.comp once (NV cooperative matrices, subgroups of 32).
AccumulatorLayout probe_accumulator_layout(vk::Context& ctx);

// True when lane L holds elements of rows L / 4 and L / 4 + 8 only, and the four
// lanes of each quad together hold each of those two rows' 16 columns exactly
// once: a row's max or sum is then this lane's partial combined with lanes
// L ^ 1 and L ^ 2.
bool rows_in_quads(const AccumulatorLayout& layout);

// True when element i of lane L sits at row L / 4 + 8 (i / 4), column
// 2 (L % 4) + i % 2 + 8 ((i / 2) % 2): mma.m16n8's quads, the upper rows' four
// elements after the lower rows' four (the order the H100's driver uses). A
// kernel may then compute each element's place instead of loading it.
bool mma_layout(const AccumulatorLayout& layout);

// rows_in_quads and mma_layout of this device's layout, probed once per
// context; false without NV cooperative matrices of 16 x 16 x 16 on subgroups of 32.
bool accumulator_rows_in_quads(vk::Context& ctx);
bool accumulator_mma_layout(vk::Context& ctx);

}  // namespace mrrope::ops
