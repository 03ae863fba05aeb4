#pragma once
// Decode products on integer dot products (matvec_int8.comp): the activations
// are quantized to int8 blocks of 32 (scale d = max|x| / 127, as llama.cpp's
// Q8_1) once, and each quantized weight block is unpacked to int8 words and
// multiplied with packed 4x8-bit dot products, so no weight is converted to
// float. Used for batches up to 8 on devices whose 4x8-bit dot products are
// accelerated; MRROPE_MATVEC_INT8=off turns it off, =on forces it elsewhere.
#include <cstdint>
#include <initializer_list>

#include "ops/ops.h"
#include "ops/stacked_weights.h"

namespace mrrope::ops {

bool matvec_int8_supported(const vk::DeviceInfo& info);  // integer dot products, subgroup arithmetic, 16-bit storage
bool matvec_int8_weight_type(GgmlType type);             // INTEGER_DOT in ops/weight_kernels.def
// Whether products of `type` take this path on this device (see above).
bool matvec_on_int8(const vk::DeviceInfo& info, GgmlType type);

// Bytes of quantized activations for batch columns of cols elements (cols % 32 == 0).
uint64_t quantized_act_bytes(uint32_t cols, uint32_t batch);
// Whether a product of w with `batch` input columns runs on the integer-dot
// path (so its input is wanted as int8 blocks): the one test SharedInput and
// the decoder's fused producers share.
bool takes_int8_input(const vk::DeviceInfo& info, const DeviceTensor& w, uint32_t batch);
// xq = batch columns of x quantized (layout in quantize_act.comp).
void quantize_act(Sequence& seq, Act x, const Buffer& xq, uint32_t cols, uint32_t batch);
// xq = silu(gate) * up quantized as quantize_act does (up laid out as gate):
// the SwiGLU activation and the down projection's input in one dispatch.
void swiglu_quantize(Sequence& seq, Act gate, const Buffer& up, const Buffer& xq, uint32_t cols, uint32_t batch);
// y[b, n] = sum_k w[n, k] * xq[b, k], with xq from quantize_act over w.cols().
void matvec_int8_kernel(Sequence& seq, const DeviceTensor& w, const Buffer& xq, const ProductOutputs& y,
                        uint32_t batch);

// Products that read one input, as ops::matmul does for each; where the int8
// path is taken the input is quantized once, on the first product that needs
// it, and where the matrix units are it is converted to f16 once (given room).
class SharedInput {
 public:
  // scratch holds at least quantized_act_bytes(cols, min(batch, 8)) bytes;
  // `quantized`: x's producer also wrote it there as int8 blocks. f16_scratch,
  // if given and f16_act_bytes(cols, batch) long, takes the f16 copy.
  SharedInput(Sequence& seq, Act x, const Buffer& scratch, uint32_t cols, uint32_t batch, bool quantized = false,
              const Buffer* f16_scratch = nullptr)
      : seq_(seq), x_(x), scratch_(scratch), f16_scratch_(f16_scratch), cols_(cols), batch_(batch),
        quantized_(quantized) {}
  void matmul(const DeviceTensor& w, Act y);
  // The products of stacked weights, outs[i] taking part i's rows: one
  // dispatch a stack on the matrix-vector paths and on the matrix units (f16
  // input), one product a part elsewhere.
  void matmul(const StackedWeights& w, std::initializer_list<Act> outs);

 private:
  bool takes_f16(const DeviceTensor& w) const;
  void record(const DeviceTensor& w, const ProductOutputs& y);
  Sequence& seq_;
  Act x_;
  const Buffer& scratch_;
  const Buffer* f16_scratch_;
  uint32_t cols_, batch_;
  bool quantized_, converted_ = false;
};

}  // namespace mrrope::ops
