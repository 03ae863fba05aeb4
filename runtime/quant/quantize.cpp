#include "quant/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "quant/half.h"
#include "quant/iquants.h"
#include "quant/iquants_low.h"
#include "quant/kquants.h"
#include "quant/kquants_low.h"
#include "quant/legacy_quants.h"
#include "quant/tquants.h"

namespace mrrope {
namespace {

void put_half(uint8_t* p, float v) {
  const uint16_t h = float_to_half(v);
  std::memcpy(p, &h, 2);
}
float get_half(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return half_to_float(h);
}

// block_q8_0: symmetric, d = max|x| / 127.
void quantize_q8_0(const float* x, uint8_t* out, int64_t n) {
  for (int64_t b = 0; b < n / kQK8_0; ++b, x += kQK8_0, out += 34) {
    float amax = 0;
    for (int j = 0; j < kQK8_0; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.f, id = d != 0 ? 1.f / d : 0.f;
    put_half(out, d);
    for (int j = 0; j < kQK8_0; ++j) out[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::lround(x[j] * id)));
  }
}

// block_q4_0: the value of largest magnitude maps to -8 (ggml's reference quantizer).
void quantize_q4_0(const float* x, uint8_t* out, int64_t n) {
  for (int64_t b = 0; b < n / kQK4_0; ++b, x += kQK4_0, out += 18) {
    float amax = 0, max = 0;
    for (int j = 0; j < kQK4_0; ++j)
      if (std::fabs(x[j]) > amax) amax = std::fabs(x[j]), max = x[j];
    const float d = max / -8.f, id = d != 0 ? 1.f / d : 0.f;
    put_half(out, d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      const auto q0 = static_cast<uint8_t>(std::min(15, static_cast<int>(x[j] * id + 8.5f)));
      const auto q1 = static_cast<uint8_t>(std::min(15, static_cast<int>(x[j + 16] * id + 8.5f)));
      out[2 + j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void check_cols(GgmlType type, int64_t cols) {
  const uint32_t be = ggml_traits(type).block_elems;
  if (cols <= 0 || cols % be != 0)
    throw std::invalid_argument("row length " + std::to_string(cols) + " is not a positive multiple of the " +
                                std::string(ggml_type_name(type)) + " block size " + std::to_string(be));
}

}  // namespace

bool can_quantize(GgmlType t) {
  switch (t) {
    case GgmlType::F32: case GgmlType::F16: case GgmlType::BF16: case GgmlType::Q8_0: case GgmlType::Q4_0:
    case GgmlType::Q4_1: case GgmlType::Q5_0: case GgmlType::Q5_1: case GgmlType::IQ4_NL: case GgmlType::IQ4_XS:
    case GgmlType::Q2_K: case GgmlType::Q3_K: case GgmlType::Q4_K: case GgmlType::Q5_K: case GgmlType::Q6_K:
    case GgmlType::TQ1_0: case GgmlType::TQ2_0:
      return true;
    default: return false;
  }
}

// Every type with a quantizer, and the grid types, which have none (tests build
// their blocks from bytes).
bool can_dequantize(GgmlType t) { return can_quantize(t) || is_iq_grid_type(t); }

std::vector<uint8_t> quantize_rows(GgmlType type, std::span<const float> x, int64_t rows, int64_t cols) {
  if (!can_quantize(type))
    throw std::invalid_argument("no quantizer for type " + std::string(ggml_type_name(type)));
  check_cols(type, cols);
  if (static_cast<int64_t>(x.size()) != rows * cols) throw std::invalid_argument("quantize_rows: size mismatch");
  const size_t row_bytes = ggml_row_bytes(type, cols);
  std::vector<uint8_t> out(row_bytes * rows);
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = x.data() + r * cols;
    uint8_t* dst = out.data() + r * row_bytes;
    switch (type) {
      case GgmlType::F32: std::memcpy(dst, src, cols * 4); break;
      case GgmlType::F16:
        for (int64_t i = 0; i < cols; ++i) put_half(dst + 2 * i, src[i]);
        break;
      case GgmlType::BF16:
        for (int64_t i = 0; i < cols; ++i) {
          const uint16_t b = float_to_bf16(src[i]);
          std::memcpy(dst + 2 * i, &b, 2);
        }
        break;
      case GgmlType::Q8_0: quantize_q8_0(src, dst, cols); break;
      case GgmlType::Q4_0: quantize_q4_0(src, dst, cols); break;
      case GgmlType::Q4_1: quantize_row_q4_1(src, dst, cols); break;
      case GgmlType::Q5_0: quantize_row_q5_0(src, dst, cols); break;
      case GgmlType::Q5_1: quantize_row_q5_1(src, dst, cols); break;
      case GgmlType::IQ4_NL: quantize_row_iq4_nl(src, dst, cols); break;
      case GgmlType::IQ4_XS: quantize_row_iq4_xs(src, dst, cols); break;
      case GgmlType::Q2_K: quantize_row_q2_K(src, dst, cols); break;
      case GgmlType::Q3_K: quantize_row_q3_K(src, dst, cols); break;
      case GgmlType::Q4_K: quantize_row_q4_K(src, dst, cols); break;
      case GgmlType::Q5_K: quantize_row_q5_K(src, dst, cols); break;
      case GgmlType::Q6_K: quantize_row_q6_K(src, dst, cols); break;
      case GgmlType::TQ1_0: quantize_row_tq1_0(src, dst, cols); break;
      case GgmlType::TQ2_0: quantize_row_tq2_0(src, dst, cols); break;
      default: break;
    }
  }
  return out;
}

void dequantize_row(GgmlType type, const void* src_v, float* dst, int64_t cols) {
  check_cols(type, cols);
  const auto* src = static_cast<const uint8_t*>(src_v);
  switch (type) {
    case GgmlType::F32: std::memcpy(dst, src, cols * 4); return;
    case GgmlType::F16:
      for (int64_t i = 0; i < cols; ++i) dst[i] = get_half(src + 2 * i);
      return;
    case GgmlType::BF16:
      for (int64_t i = 0; i < cols; ++i) {
        uint16_t b;
        std::memcpy(&b, src + 2 * i, 2);
        dst[i] = bf16_to_float(b);
      }
      return;
    case GgmlType::Q8_0:
      for (int64_t b = 0; b < cols / kQK8_0; ++b, src += 34, dst += kQK8_0) {
        const float d = get_half(src);
        for (int j = 0; j < kQK8_0; ++j) dst[j] = d * static_cast<int8_t>(src[2 + j]);
      }
      return;
    case GgmlType::Q4_0:
      for (int64_t b = 0; b < cols / kQK4_0; ++b, src += 18, dst += kQK4_0) {
        const float d = get_half(src);
        for (int j = 0; j < kQK4_0 / 2; ++j) {
          dst[j] = d * ((src[2 + j] & 0x0f) - 8);
          dst[j + 16] = d * ((src[2 + j] >> 4) - 8);
        }
      }
      return;
    case GgmlType::Q4_1: dequantize_row_q4_1(src, dst, cols); return;
    case GgmlType::Q5_0: dequantize_row_q5_0(src, dst, cols); return;
    case GgmlType::Q5_1: dequantize_row_q5_1(src, dst, cols); return;
    case GgmlType::IQ4_NL: dequantize_row_iq4_nl(src, dst, cols); return;
    case GgmlType::IQ4_XS: dequantize_row_iq4_xs(src, dst, cols); return;
    case GgmlType::Q2_K: dequantize_row_q2_K(src, dst, cols); return;
    case GgmlType::Q3_K: dequantize_row_q3_K(src, dst, cols); return;
    case GgmlType::Q4_K: dequantize_row_q4_K(src, dst, cols); return;
    case GgmlType::Q5_K: dequantize_row_q5_K(src, dst, cols); return;
    case GgmlType::Q6_K: dequantize_row_q6_K(src, dst, cols); return;
    case GgmlType::TQ1_0: dequantize_row_tq1_0(src, dst, cols); return;
    case GgmlType::TQ2_0: dequantize_row_tq2_0(src, dst, cols); return;
    case GgmlType::IQ2_XXS: dequantize_row_iq2_xxs(src, dst, cols); return;
    case GgmlType::IQ2_XS: dequantize_row_iq2_xs(src, dst, cols); return;
    case GgmlType::IQ2_S: dequantize_row_iq2_s(src, dst, cols); return;
    case GgmlType::IQ3_XXS: dequantize_row_iq3_xxs(src, dst, cols); return;
    case GgmlType::IQ3_S: dequantize_row_iq3_s(src, dst, cols); return;
    case GgmlType::IQ1_S: dequantize_row_iq1_s(src, dst, cols); return;
    case GgmlType::IQ1_M: dequantize_row_iq1_m(src, dst, cols); return;
    default:
      throw std::invalid_argument("no dequantizer for type " + std::string(ggml_type_name(type)));
  }
}

std::vector<float> dequantize_rows(GgmlType type, std::span<const uint8_t> data, int64_t rows, int64_t cols) {
  const size_t row_bytes = ggml_row_bytes(type, cols);
  if (data.size() < row_bytes * rows) throw std::invalid_argument("dequantize_rows: data too short");
  std::vector<float> out(rows * cols);
  for (int64_t r = 0; r < rows; ++r) dequantize_row(type, data.data() + r * row_bytes, out.data() + r * cols, cols);
  return out;
}

}  // namespace mrrope
