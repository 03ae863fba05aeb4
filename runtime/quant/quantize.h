#pragma once
// CPU quantizers and dequantizers for GGML block types. These are the reference
// the GPU dequantization is tested against, and what the GGUF writer uses.
#include <cstdint>
#include <span>
#include <vector>

#include "quant/ggml_type.h"

namespace mrrope {

bool can_quantize(GgmlType type);
bool can_dequantize(GgmlType type);

// Quantizes a row-major [rows x cols] float matrix; cols must be a multiple of
// the type's block size. Throws std::invalid_argument for unsupported types.
std::vector<uint8_t> quantize_rows(GgmlType type, std::span<const float> x, int64_t rows, int64_t cols);

// Dequantizes one row of `cols` elements starting at `src`.
void dequantize_row(GgmlType type, const void* src, float* dst, int64_t cols);

// Dequantizes a whole [rows x cols] matrix.
std::vector<float> dequantize_rows(GgmlType type, std::span<const uint8_t> data, int64_t rows, int64_t cols);

}  // namespace mrrope
