#pragma once
// Sample weights for the quantizer round-trip tests, and the relative RMS
// error a type gives on Gaussian weights (as trained models have).
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "quant/half.h"
#include "quant/iquants_low.h"
#include "quant/quantize.h"

namespace mrrope::test {

inline std::vector<float> uniform_values(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> x(n);
  for (float& v : x) v = u(rng);
  return x;
}

// Uniform in [-1, 1] scaled by 1e-3 .. 10, changing every `group` elements,
// with the first 256 elements zero.
inline std::vector<float> mixed_magnitudes(std::mt19937& rng, size_t n, size_t group) {
  std::vector<float> x = uniform_values(rng, n, -1, 1);
  for (size_t i = 0; i < n; ++i) x[i] *= std::pow(10.0f, float(int(i / group) % 5) - 3);
  std::fill(x.begin(), x.begin() + std::min<size_t>(256, n), 0.0f);
  return x;
}

// sqrt(sum (x - q(x))^2 / sum x^2) over 8 rows of 1024 standard normal weights.
inline double gaussian_relative_rms(GgmlType type, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0, 1);
  std::vector<float> x(8 * 1024);
  for (float& v : x) v = n(rng);
  const auto y = dequantize_rows(type, quantize_rows(type, x, 8, 1024), 8, 1024);
  double se = 0, sx = 0;
  for (size_t i = 0; i < x.size(); ++i) se += (x[i] - y[i]) * double(x[i] - y[i]), sx += double(x[i]) * x[i];
  return std::sqrt(se / sx);
}

// Stores a block's f16 scale d where its type keeps it: the last 2 bytes
// (TQ1_0, TQ2_0), the first 2 (the IQ1/IQ2/IQ3 grid types), or, for IQ1_M,
// the top nibbles of its four 16-bit scale words (bytes 48..55, lowest first).
inline void set_block_scale(GgmlType type, uint8_t* block, uint16_t d) {
  if (is_iq_grid_type(type)) return set_iq_block_scale(type, block, d);
  std::memcpy(block + ggml_traits(type).block_bytes - 2, &d, 2);
}

// rows x cols of a block type with one f16 scale (TQ1_0, TQ2_0, the IQ grid
// types) from random bytes: values the quantizer never writes (TQ1_0 bytes
// past 242, TQ2_0's level 3) or, for the grid types, which have no quantizer,
// every index, sign and sub-block scale a file may hold. Block b's scale is
// d0 + step * (b % period).
inline std::vector<uint8_t> blocks_of_any_bytes(GgmlType type, uint32_t rows, uint32_t cols, uint32_t seed, float d0,
                                                float step, uint32_t period) {
  const uint32_t block_bytes = ggml_traits(type).block_bytes;
  std::vector<uint8_t> q(size_t(rows) * ggml_row_bytes(type, cols));
  std::mt19937 rng(seed);
  for (uint8_t& v : q) v = static_cast<uint8_t>(rng() & 255);
  for (size_t b = 0; b < q.size(); b += block_bytes) set_block_scale(type, &q[b], float_to_half(d0 + step * float(b % period)));
  return q;
}

// Weights of any type for the kernel tests: random floats in [-1, 1]
// quantized, or, for a type without a quantizer, random blocks whose values
// are of that size.
inline std::vector<uint8_t> sample_weight_bytes(GgmlType type, const std::vector<float>& values, uint32_t rows,
                                                uint32_t cols, uint32_t seed) {
  if (can_quantize(type)) return quantize_rows(type, values, rows, cols);
  return blocks_of_any_bytes(type, rows, cols, seed, 0.002f, 0.0001f, 7);
}

}  // namespace mrrope::test
