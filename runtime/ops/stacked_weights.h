#pragma once
// Weights of products that read one input (Q, K and V; gate and up), stored
// stacked by rows where their types and widths match: a decode step reads a
// stack in one matrix-vector dispatch instead of one per product, which saves
// each small product's start-up and tail (on an H100 a 1024x4096 Q8_0 product
// takes 7 us for 4.5 MB, a 14336x4096 one 26 us for 62 MB). Prefill products
// and every other path still see one tensor per product: views that share
// the stack's buffers. MRROPE_STACKED=0 uploads every product on its own
// (A/B runs and tests).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ops/ops.h"

namespace mrrope::ops {

// One product's weights, as the model file holds them.
struct WeightPart {
  GgmlType type;
  int64_t cols, rows;
  std::span<const uint8_t> data;
  std::string name;
};

class StackedWeights {
 public:
  struct Stack {
    DeviceTensor whole;
    size_t first, count;  // the parts it holds
  };

  StackedWeights() = default;
  // Uploads the parts, stacking runs of up to three consecutive parts with
  // the same type and width whose row starts the device can bind.
  StackedWeights(vk::Context& ctx, std::span<const WeightPart> parts, const std::string& stack_name);

  const DeviceTensor& part(size_t i) const { return parts_.at(i); }
  size_t size() const { return parts_.size(); }
  const std::vector<Stack>& stacks() const { return stacks_; }

 private:
  std::vector<DeviceTensor> parts_;
  std::vector<Stack> stacks_;
};

// Whether weights are stacked (MRROPE_STACKED=0 turns it off).
bool stacking_enabled();

}  // namespace mrrope::ops
