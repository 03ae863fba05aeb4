#pragma once
// Tolerances that depend on the path a device takes. On devices with NVIDIA
// cooperative matrices, prefill products and attention round their inputs
// (activations, Q, softmax weights) to f16 before f32 accumulation: a relative
// error of up to 2^-11 per input instead of float32's 2^-24, which a 2-4 layer
// test model carries into its logits as about 1e-2 of their range (measured on
// an H100: at most 0.015 with 2e-3 allowed). Decode products on integer dot
// products (ops/matvec_int8.h) round their activations to 8 bits, a relative
// error of up to 2^-8 of each block's largest value, which the same models
// carry into their logits as up to 0.8% of their range (measured on lavapipe
// with MRROPE_MATVEC_INT8=on: 0.025 at max |logit| 2.05).
#include <algorithm>

#include "ops/attention_ops.h"
#include "ops/matvec_int8.h"
#include "ops/ops.h"
#include "vulkan/context.h"

namespace mrrope::test {

inline bool prefill_rounds_to_f16(const vk::Context& ctx) {
  return ops::matmul_on_coopmat(ctx.info()) || ops::prefill_attention_on_coopmat(ctx.info());
}

inline bool decode_rounds_to_int8(const vk::Context& ctx) { return ops::matvec_on_int8(ctx.info(), GgmlType::Q4_K); }

// Logits: max |gpu - cpu| <= rtol * (1 + max |cpu|) per row.
inline double logits_rtol(const vk::Context& ctx, double float32_rtol) {
  return prefill_rounds_to_f16(ctx) || decode_rounds_to_int8(ctx) ? std::max(float32_rtol, 3e-2) : float32_rtol;
}

// Attention outputs (values in [-1, 1]): absolute tolerance.
inline double attention_atol(const vk::Context& ctx, uint32_t n_tokens, double float32_atol) {
  return n_tokens > ops::kDecodeMaxTokens && ops::prefill_attention_on_coopmat(ctx.info()) ? 2e-3 : float32_atol;
}

}  // namespace mrrope::test
