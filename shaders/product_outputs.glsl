// Where a product's output rows go (ops::ProductOutputs). Stacked weights
// (ops/stacked_weights.h) are several products in one: output rows from
// p.part_end0 on go to y_b, from p.part_end1 on to y_c, each part's rows
// counted from its first at its own offset and stride; a plain product has
// both ends at its row count. The including shader declares y, y_b, y_c and
// the push constants p (row_offset, y_offset, y_stride and the parts' fields).
void store_y(uint column, uint row, float v) {
  const uint r = p.row_offset + row;
  if (r < p.part_end0) y[p.y_offset + column * p.y_stride + r] = v;
  else if (r < p.part_end1) y_b[p.b_offset + column * p.b_stride + (r - p.part_end0)] = v;
  else y_c[p.c_offset + column * p.c_stride + (r - p.part_end1)] = v;
}
