#pragma once
// GGML tensor element types as stored in GGUF files, with their block layouts.
// Ids and sizes follow ggml.h / ggml.c so files from llama.cpp read correctly.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mrrope {

enum class GgmlType : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
  IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21,
  IQ2_S = 22, IQ4_XS = 23, I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28,
  IQ1_M = 29, BF16 = 30, TQ1_0 = 34, TQ2_0 = 35,
};

struct GgmlTypeTraits {
  std::string_view name;
  uint32_t block_elems;  // elements per block (1 for plain types)
  uint32_t block_bytes;  // bytes per block
};

// Traits for a raw type id read from a file; nullopt for ids ggml does not define.
std::optional<GgmlTypeTraits> ggml_type_traits(uint32_t raw_type);
const GgmlTypeTraits& ggml_traits(GgmlType type);
inline std::string_view ggml_type_name(GgmlType t) { return ggml_traits(t).name; }

// Bytes of one row of `elems` elements; elems must be a multiple of the block size.
size_t ggml_row_bytes(GgmlType type, uint64_t elems);

// Block layouts of the quantized types the kernels read (ggml-common.h).
constexpr int kQK4_0 = 32;  // block_q4_0 { f16 d; uint8 qs[16]; }: x = d * (nibble - 8)
constexpr int kQK8_0 = 32;  // block_q8_0 { f16 d; int8 qs[32]; }:  x = d * q
constexpr int kQK_K = 256;  // super-block size of the K-quants

}  // namespace mrrope
