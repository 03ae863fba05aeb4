#pragma once
// Helpers shared by the files that record ops (ops.cpp, matvec_ops.cpp).
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ops/ops.h"
#include "vulkan/context.h"
#include "vulkan/sequence.h"

namespace mrrope::ops::detail {

inline std::string type_suffix(GgmlType type) {
  if (!supports_weight_type(type))
    throw vk::VulkanError("no GPU kernels for weight type " + std::string(ggml_type_name(type)));
  std::string s(ggml_type_name(type));  // "Q4_K" -> "q4_k", as the variants are named
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

constexpr uint32_t kMatvecMaxBatch = 8;  // matvec_fast.comp has variants for 1..8 columns; matmul() takes larger batches

inline uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

// Splits a 1D count of workgroups into a 2D grid within the device's limits.
struct Grid {
  uint32_t x, y;
};
inline Grid grid_for(vk::Sequence& seq, uint32_t groups) {
  const uint32_t max_x = seq.context().info().max_workgroup_count[0];
  if (groups <= max_x) return {groups, 1};
  return {max_x, ceil_div(groups, max_x)};
}

// Push constants of the matrix-vector kernels.
struct MatPush {
  uint32_t cols, rows, row_offset, x_offset, x_stride, y_offset, y_stride;
};
// Push constants of the matrix-matrix kernels (matmul.comp, matmul_coopmat.comp).
struct MatmulPush {
  uint32_t cols, rows, row_offset, batch, x_offset, x_stride, y_offset, y_stride;
};

// Where a product's rows go (product_outputs.glsl's store_y): ends of the first two
// parts, then offset and stride of the second and third.
struct PartsPush {
  uint32_t part_end0, part_end1, b_offset, b_stride, c_offset, c_stride;
};

// A part's stride defaults to its row count (rows packed).
inline uint32_t part_stride(const ProductOutputs& y, int i, uint32_t rows) {
  return y.parts[i].stride ? y.parts[i].stride : rows;
}

// Checks y against w and returns where its parts' rows go.
inline PartsPush parts_push(const char* kernel, const DeviceTensor& w, const ProductOutputs& y) {
  const auto rows = static_cast<uint32_t>(w.rows());
  if (!y.parts[0].buffer) throw vk::VulkanError(std::string(kernel) + ": no output");
  const uint32_t end0 = std::min(y.rows[0], rows), end1 = end0 + y.rows[1];
  const bool plain = y.rows[1] == 0 && y.rows[2] == 0;
  if (!plain && (end1 > rows || end1 + y.rows[2] != rows || !y.parts[1].buffer || (y.rows[2] && !y.parts[2].buffer)))
    throw vk::VulkanError(std::string(kernel) + ": output parts of " + std::to_string(y.rows[0]) + "+" +
                          std::to_string(y.rows[1]) + "+" + std::to_string(y.rows[2]) + " rows for a " +
                          std::to_string(rows) + "-row tensor " + w.name());
  return {end0, plain ? rows : end1,
          y.parts[1].offset, part_stride(y, 1, y.rows[1]),
          y.parts[2].offset, part_stride(y, 2, y.rows[2])};
}

// The kernels' output bindings: a part without rows binds the first part's buffer.
inline vk::BufferRef part_buffer(const ProductOutputs& y, int i) {
  return *(y.rows[i] && y.parts[i].buffer ? y.parts[i].buffer : y.parts[0].buffer);
}

// MRROPE_NO_COOPMAT=1 keeps prefill off the matrix units (A/B comparisons).
// Whether environment variable `name` is set to exactly `value` (tuning and A/B knobs).
inline bool env_is(const char* name, const char* value) {
  const char* env = std::getenv(name);
  return env && std::string(env) == value;
}

inline bool coopmat_turned_off() { return std::getenv("MRROPE_NO_COOPMAT") != nullptr; }

// Tuning knob for benchmarks: MRROPE_MATVEC_SHAPE=threads,rows (threads a power of two).
inline bool matvec_shape_override(uint32_t* threads, uint32_t* rows) {
  const char* env = std::getenv("MRROPE_MATVEC_SHAPE");
  unsigned t = 0, r = 0;
  if (!env || std::sscanf(env, "%u,%u", &t, &r) != 2 || t < 1 || t > 1024 || (t & (t - 1)) != 0 || r < 1 || r > 64)
    return false;
  *threads = t, *rows = r;
  return true;
}

}  // namespace mrrope::ops::detail
