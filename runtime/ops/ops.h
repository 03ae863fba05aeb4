#pragma once
// Recording the decoder's operations into a Sequence. Each function picks the
// kernel variant, computes the grid, and dispatches once per weight slice.
// Activations are float32 buffers; offsets and strides are in elements.
// Every op here has a CPU twin in reference/reference_ops.h and a test.
#include <cstdint>

#include "vulkan/device_info.h"
#include "vulkan/device_tensor.h"
#include "vulkan/sequence.h"

namespace mrrope::ops {

using vk::Buffer;
using vk::DeviceTensor;
using vk::Sequence;

// A float32 activation matrix inside a buffer: row r starts at offset + r * stride.
struct Act {
  const Buffer* buffer = nullptr;
  uint32_t offset = 0;
  uint32_t stride = 0;  // 0: rows are packed (stride = row length)
  Act() = default;
  Act(const Buffer& b, uint32_t off = 0, uint32_t str = 0) : buffer(&b), offset(off), stride(str) {}  // NOLINT
};

// Where a decode product's output rows go: all into one Act, or, for weights
// stacked by rows (ops/stacked_weights.h), up to three consecutive parts each
// into its own Act, its rows counted from its first. matvec_fast, matvec_int8
// and the matrix units' f16-input product take it in one dispatch.
struct ProductOutputs {
  Act parts[3];
  uint32_t rows[3] = {};  // rows of each part; unused parts have none
  ProductOutputs(Act y) : parts{y, y, y}, rows{~0u, 0, 0} {}  // NOLINT: a plain product, all rows into y
  ProductOutputs() = default;
};

// Types with GPU kernels, and with matrix-unit variants: ops/weight_kernels.def.
bool supports_weight_type(GgmlType type);

// y[b, n] = sum_k w[n, k] * x[b, k] for b < batch; w is rows x cols (n x k).
// Batches up to 8 use a matrix-vector kernel, larger ones the matrix units where
// matmul_coopmat_supported (MRROPE_NO_COOPMAT=1 turns them off), else the tiled kernel.
void matmul(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch);
// Forces one kernel (tests and benchmarks compare both).
void matvec_kernel(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch);
void matmul_kernel(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch);
// The same product with a weight row per invocation (matmul_rows.comp): what
// matmul() takes on CPU devices.
void matmul_rows_kernel(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch);
// On the matrix units through VK_NV_cooperative_matrix: f16 products, f32 sums.
// Auto picks the workgroup tile from the tile count; tests force each.
// Split is a large tile whose staging runs in subgroups of its own (tests force it).
enum class CoopmatTile { Auto, Large, Small, Split };
bool matmul_coopmat_supported(const vk::DeviceInfo& info);
// What matmul() uses for batches above 8: supported, and not turned off by MRROPE_NO_COOPMAT.
bool matmul_on_coopmat(const vk::DeviceInfo& info);
// The weight types matmul_coopmat.comp has variants for (MATRIX_UNITS in
// ops/weight_kernels.def); matmul() sends the others to the tiled kernel.
bool matmul_coopmat_weight_type(GgmlType type);
void matmul_coopmat_kernel(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch,
                           CoopmatTile tile = CoopmatTile::Auto);
// The same product on f16 activations converted once (half the bytes staged
// per tile, no conversion in the kernel): convert_to_f16 writes batch packed
// rows of cols halves (cols a multiple of 8) to xh, f16_act_bytes long.
// takes_f16_input says whether matmul() of w would run on the matrix units.
bool takes_f16_input(const vk::DeviceInfo& info, const DeviceTensor& w, uint32_t batch);
uint64_t f16_act_bytes(uint32_t cols, uint32_t batch);
void convert_to_f16(Sequence& seq, Act x, const Buffer& xh, uint32_t cols, uint32_t batch);
void matmul_coopmat_f16_input(Sequence& seq, const DeviceTensor& w, const Buffer& xh, const ProductOutputs& y,
                              uint32_t batch, CoopmatTile tile = CoopmatTile::Auto);
// One subgroup per row (needs subgroup arithmetic); matmul()'s fallback for float weights on GPUs.
void matvec_subgroup_kernel(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch);
// The bandwidth-bound decode kernel (matvec_ops.cpp): all batch columns (1..8)
// in one pass over the weights. What matmul() uses for batch <= 8 where supported.
bool matvec_fast_supported(const vk::DeviceInfo& info);  // subgroup arithmetic and 16-bit storage
void matvec_fast_kernel(Sequence& seq, const DeviceTensor& w, Act x, const ProductOutputs& y, uint32_t batch);

// y[r, :] = x[r, :] * rsqrt(mean(x[r, :]^2) + eps) * weight; y may be x.
void rms_norm(Sequence& seq, Act x, const Buffer& weight, Act y, uint32_t rows, uint32_t cols, float eps);
// x[r, :] += residual[r, :], then y[r, :] = rms_norm(x[r, :]) * weight: the
// residual add and the following norm in one pass. y must not alias x.
// `quantized`, if given, also receives y as int8 blocks (quantize_act's
// layout, ops/matvec_int8.h; cols a multiple of 32). `watch`, if given, gets
// atomicMin(*first_bad_layer, layer) when a row's sum of squares is NaN or
// infinite, so the caller can name the layer where a forward pass went bad.
struct NonFiniteWatch {
  const Buffer* first_bad_layer;  // one int32
  uint32_t layer;
};
void add_rms_norm(Sequence& seq, const Buffer& x, const Buffer& residual, const Buffer& weight, const Buffer& y,
                  uint32_t rows, uint32_t cols, float eps, const Buffer* quantized = nullptr,
                  const NonFiniteWatch* watch = nullptr);
// out = silu(gate) * up over n elements; out may be gate.
void silu_mul(Sequence& seq, const Buffer& gate, const Buffer& up, const Buffer& out, uint32_t n);
// out = gelu_tanh(gate) * up over n elements (GeGLU, Gemma); out may be gate.
void gelu_mul(Sequence& seq, const Buffer& gate, const Buffer& up, const Buffer& out, uint32_t n);
// x[i] *= value over n elements, in place.
void scale(Sequence& seq, const Buffer& x, uint32_t n, float value);
// x[i] = cap * tanh(x[i] / cap) over n elements, in place (cap > 0).
void softcap(Sequence& seq, const Buffer& x, uint32_t n, float cap);
// dst[0, bytes) = src[0, bytes) through the shader cores; bytes a multiple of 16.
void copy_words(Sequence& seq, const Buffer& src, const Buffer& dst, uint64_t bytes);
// out = a + b over n elements; out may be a.
void add(Sequence& seq, const Buffer& a, const Buffer& b, const Buffer& out, uint32_t n);
// y[r, :] = softmax(scale * x[r, :]); y may be x.
void softmax(Sequence& seq, const Buffer& x, const Buffer& y, uint32_t rows, uint32_t cols, float scale = 1.0f);
// out[t, :] = table[ids[t], :] dequantized; ids are uint32, all < table.rows().
void embed(Sequence& seq, const DeviceTensor& table, const Buffer& ids, const Buffer& out, uint32_t n_tokens);

struct RopeArgs {
  uint32_t n_tokens, n_heads, head_dim, n_rot;
  bool neox;            // pair layout (i, i + n_rot/2) instead of (2i, 2i+1)
  float attn_factor;    // m: multiplies cos and sin
  uint32_t x_offset = 0;
  uint32_t token_stride = 0;  // 0: n_heads * head_dim
};
// Rotates x in place: pair i of token t by positions[t] * freq_i. `positions`
// holds int32 (>= 0); `turns` holds encode_rope_turns(freq) (ops/rope_turns.h).
void rope(Sequence& seq, const Buffer& x, const Buffer& positions, const Buffer& turns, const RopeArgs& args);

}  // namespace mrrope::ops
