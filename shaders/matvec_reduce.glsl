// The end of a matrix-vector kernel: each thread holds partial sums for
// NUM_ROWS rows x NUM_COLS columns in acc; they are summed over the subgroup,
// then over the workgroup's subgroups through shared memory, and written by
// store_y (product_outputs.glsl: y, or a stacked product's part). The including
// shader declares WG, NUM_ROWS, NUM_COLS, y, y_b, y_c and the push constants p.
#include "product_outputs.glsl"

float acc[NUM_ROWS * NUM_COLS];  // [row][column]
shared float partial[NUM_ROWS * NUM_COLS * WG];  // [output][subgroup]

void reduce_and_store(uint row0) {
  [[unroll]] for (uint i = 0u; i < NUM_ROWS * NUM_COLS; ++i) acc[i] = subgroupAdd(acc[i]);
  if (gl_NumSubgroups == 1u) {
    if (subgroupElect())
      [[unroll]] for (uint i = 0u; i < NUM_ROWS * NUM_COLS; ++i) {
        const uint row = row0 + i / NUM_COLS;
        if (row < p.rows) store_y(i % NUM_COLS, row, acc[i]);
      }
    return;
  }
  if (subgroupElect())
    [[unroll]] for (uint i = 0u; i < NUM_ROWS * NUM_COLS; ++i) partial[i * gl_NumSubgroups + gl_SubgroupID] = acc[i];
  barrier();
  for (uint i = gl_LocalInvocationID.x; i < NUM_ROWS * NUM_COLS; i += WG) {
    const uint row = row0 + i / NUM_COLS;
    float s = 0.0;
    for (uint sg = 0u; sg < gl_NumSubgroups; ++sg) s += partial[i * gl_NumSubgroups + sg];
    if (row < p.rows) store_y(i % NUM_COLS, row, s);
  }
}
