#include "ops/stacked_weights.h"

#include "ops/ops_internal.h"

namespace mrrope::ops {

bool stacking_enabled() { return !detail::env_is("MRROPE_STACKED", "0"); }

namespace {
bool stack_with(const WeightPart& a, const WeightPart& b) { return a.type == b.type && a.cols == b.cols; }
}  // namespace

StackedWeights::StackedWeights(vk::Context& ctx, std::span<const WeightPart> parts, const std::string& stack_name) {
  constexpr size_t kMaxParts = 3;  // output bindings of the matrix-vector kernels
  const bool stacking = stacking_enabled();
  size_t i = 0;
  while (i < parts.size()) {
    // The longest run of parts that can share one tensor.
    size_t n = 1;
    int64_t rows = parts[i].rows;
    for (; stacking && n < kMaxParts && i + n < parts.size() && stack_with(parts[i], parts[i + n]); ++n)
      rows += parts[i + n].rows;
    DeviceTensor whole(ctx, parts[i].type, parts[i].cols, rows, n == 1 ? parts[i].name : stack_name);
    // The device must bind each part's first row: where a part would start at
    // an offset it cannot (alignment, or a slice boundary of a stack split
    // into several buffers), the first part goes alone.
    int64_t start = 0;
    for (size_t j = 0; j < n; start += parts[i + j].rows, ++j)
      if (!whole.can_view_rows(start)) {
        n = 1;
        whole = DeviceTensor(ctx, parts[i].type, parts[i].cols, parts[i].rows, parts[i].name);
        break;
      }
    int64_t row = 0;
    for (size_t j = i; j < i + n; ++j) {
      whole.upload_rows(row, parts[j].data);
      parts_.push_back(n == 1 ? whole : whole.rows_view(row, parts[j].rows, parts[j].name));
      row += parts[j].rows;
    }
    stacks_.push_back({std::move(whole), i, n});
    i += n;
  }
}

}  // namespace mrrope::ops
