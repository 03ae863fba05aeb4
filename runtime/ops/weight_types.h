#pragma once
// ops/weight_kernels.def as data: every weight type the GPU kernels take, in
// the table's order, with its accelerated paths. The one list that the ops'
// support checks and routing, the loader's check (model/weight_support.h) and
// the tests' "every type" instantiations read; the shaders read the same
// file (shaders/shader_variants.cmake). Needs only quant/ggml_type.h.
#include <array>
#include <cstddef>

#include "quant/ggml_type.h"

namespace mrrope::ops {

struct WeightTypeRow {
  GgmlType type;
  int matrix_units;  // 0: none; 1: a matmul_cm_ variant; 2: built, opt-in (MRROPE_COOPMAT_UNVERIFIED=1)
  int integer_dot;   // 0: none; 1: a matvec_int8_ variant; 2: built, opt-in (MRROPE_INT8_UNVERIFIED=1)
};

inline constexpr WeightTypeRow kWeightTypeTable[] = {
#define WEIGHT_TYPE(name, matrix_units, integer_dot) {GgmlType::name, matrix_units, integer_dot},
#include "ops/weight_kernels.def"
#undef WEIGHT_TYPE
};

// The table's row for a type, nullptr for a type without GPU kernels.
constexpr const WeightTypeRow* weight_type_row(GgmlType type) {
  for (const WeightTypeRow& row : kWeightTypeTable)
    if (row.type == type) return &row;
  return nullptr;
}

// Every type with GPU kernels, in the table's order.
constexpr std::array<GgmlType, std::size(kWeightTypeTable)> gpu_weight_types() {
  std::array<GgmlType, std::size(kWeightTypeTable)> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = kWeightTypeTable[i].type;
  return out;
}

constexpr bool is_gpu_weight_type(GgmlType type) { return weight_type_row(type) != nullptr; }

}  // namespace mrrope::ops
