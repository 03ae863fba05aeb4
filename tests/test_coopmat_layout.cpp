// The accumulator-layout probe (ops/coopmat_layout.h): the quad rule on
// hand-made layouts, and on devices with NV cooperative matrices the probed
// layout itself (every element of the 16 x 16 matrix held exactly once).
#include <gtest/gtest.h>

#include <cstdio>

#include "ops/coopmat_layout.h"
#include "support/gpu_test.h"

namespace mrrope::test {
namespace {

// The H100's accumulator (printed by EveryElementHeldOnce below): lane L holds
// rows L/4 (elements 0-3) and L/4 + 8 (elements 4-7) at columns 2 (L % 4) + {0, 1}
// of each 8-column half.
ops::AccumulatorLayout quad_layout() {
  ops::AccumulatorLayout l;
  l.elements = 8;
  for (uint8_t lane = 0; lane < 32; ++lane)
    for (uint8_t i = 0; i < 8; ++i) {
      l.rows.push_back(lane / 4 + 8 * (i / 4));
      l.columns.push_back(2 * (lane % 4) + i % 2 + 8 * ((i / 2) % 2));
    }
  return l;
}

TEST(AccumulatorLayout, QuadLayoutPasses) { EXPECT_TRUE(ops::rows_in_quads(quad_layout())); }

TEST(AccumulatorLayout, MmaLayoutIsRecognisedAndOtherOrdersAreNot) {
  EXPECT_TRUE(ops::mma_layout(quad_layout()));
  ops::AccumulatorLayout l = quad_layout();
  std::swap(l.columns[0], l.columns[1]);  // lane 0's first two elements in the other order: still quads
  EXPECT_TRUE(ops::rows_in_quads(l));
  EXPECT_FALSE(ops::mma_layout(l));
  EXPECT_FALSE(ops::mma_layout(ops::AccumulatorLayout{}));
}

TEST(AccumulatorLayout, RowsAcrossQuadsFail) {
  ops::AccumulatorLayout l = quad_layout();
  std::swap(l.rows[0], l.rows[8 * 4]);  // lane 0's first element swapped with lane 4's
  EXPECT_FALSE(ops::rows_in_quads(l));
}

TEST(AccumulatorLayout, DuplicateOrMissingColumnsFail) {
  ops::AccumulatorLayout l = quad_layout();
  l.columns[1] = l.columns[0];  // lane 0 holds column 0 of row 0 twice, column 1 never
  EXPECT_FALSE(ops::rows_in_quads(l));
  EXPECT_FALSE(ops::rows_in_quads(ops::AccumulatorLayout{}));
}

class AccumulatorLayoutOnDevice : public GpuTest {};

TEST_F(AccumulatorLayoutOnDevice, EveryElementHeldOnce) {
  vk::Context& ctx = gpu();
  const vk::DeviceInfo& info = ctx.info();
  if (!info.coopmat_nv || !info.coopmat_16x16x16 || info.subgroup_size != 32)
    GTEST_SKIP() << info.name << " has no 16x16x16 NV cooperative matrices on subgroups of 32";
  const ops::AccumulatorLayout l = ops::probe_accumulator_layout(ctx);
  ASSERT_EQ(l.elements * 32, 256u);
  int held[16][16] = {};
  for (size_t e = 0; e < l.rows.size(); ++e) ++held[l.rows[e]][l.columns[e]];
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) EXPECT_EQ(held[r][c], 1) << "row " << r << " column " << c;
  std::printf("accumulator layout, lane 0 and 5:");  // H100: (0,0) (0,1) (0,8) (0,9) (8,0) ...; mma layout: yes
  for (uint32_t lane : {0u, 5u})
    for (uint32_t i = 0; i < l.elements; ++i)
      std::printf(" (%u,%u)", l.rows[lane * l.elements + i], l.columns[lane * l.elements + i]);
  std::printf("; rows in quads: %s; mma layout: %s\n", ops::rows_in_quads(l) ? "yes" : "no",
              ops::mma_layout(l) ? "yes" : "no");
  EXPECT_EQ(ops::accumulator_rows_in_quads(ctx), ops::rows_in_quads(l));
  EXPECT_EQ(ops::accumulator_mma_layout(ctx), ops::mma_layout(l));
}

}  // namespace
}  // namespace mrrope::test
