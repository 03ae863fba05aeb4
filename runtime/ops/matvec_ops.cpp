// Recording the decode matrix-vector kernels: matvec_fast.comp (float
// activations) and matvec_int8.comp (int8 activations from quantize_act.comp);
// the shaders say how they split the work.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ops/matvec_int8.h"
#include "ops/ops.h"
#include "ops/ops_internal.h"
#include "ops/weight_types.h"

namespace mrrope::ops {
namespace {

using detail::MatPush;

constexpr uint32_t kMaxCols = 8;  // variants exist for 1..8 batch columns

struct Int8Push {
  uint32_t cols, rows, row_offset, y_offset, y_stride;
  detail::PartsPush parts;
};

struct FastPush {
  uint32_t cols, rows, row_offset, x_offset, x_stride, y_offset, y_stride;
  detail::PartsPush parts;
};

struct FastShape {
  uint32_t threads, rows;  // per workgroup
  uint32_t unroll = 1;     // matvec_int8: chunks per thread and row loaded together
};

// MRROPE_MATVEC_SHAPE overrides; the cross-subgroup pass keeps rows x batch x
// threads floats in shared memory.
FastShape within_limits(const vk::DeviceInfo& info, FastShape s, uint32_t batch) {
  const uint32_t sg = std::max(1u, info.subgroup_size);
  detail::matvec_shape_override(&s.threads, &s.rows);
  s.threads = std::min(s.threads, info.max_workgroup_invocations);
  while (s.threads > sg && s.rows * batch * s.threads * 4 > info.max_shared_memory) s.threads /= 2;
  return s;
}

// Chosen from the device's subgroup size, never its vendor.
FastShape fast_shape(const vk::DeviceInfo& info, GgmlType type, uint32_t batch) {
  const uint32_t sg = std::max(1u, info.subgroup_size);
  FastShape s;
  if (info.type == "CPU") {
    s = {sg, 4};  // CPU devices pay per workgroup: one subgroup, several rows
  } else {
    // Measured on an H100 (bench-kernels --matvec-only, MRROPE_MATVEC_SHAPE
    // sweep): 4 subgroups per workgroup are best or within noise at every
    // shape; one row per workgroup for float weights, two for quantized ones
    // (four was slower: register pressure).
    const bool float_type = type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16;
    s.threads = 4 * sg;
    s.rows = float_type ? 1 : 2;
  }
  return within_limits(info, s, batch);
}

// The int8 kernel's threads take 32 weights per step: a workgroup gets
// as many subgroups (up to 4) as keep each thread on two chunks per row,
// and each thread loads its chunks of a row together, up to 4 (H100: K =
// 14336 went from 71 to 56 us, K = 4096 within noise; h100-matvec-int8-unroll.txt).
// MRROPE_MATVEC_UNROLL=1..8 overrides the chunks loaded together (tuning runs).
FastShape int8_shape(const vk::DeviceInfo& info, uint32_t chunks_per_row, uint32_t batch) {
  const uint32_t sg = std::max(1u, info.subgroup_size);
  FastShape s{sg, 2};
  if (info.type == "CPU") s.rows = 4;
  else
    while (s.threads < 4 * sg && chunks_per_row >= 4 * s.threads) s.threads *= 2;
  detail::matvec_shape_override(&s.threads, &s.rows);  // MRROPE_MATVEC_SHAPE=threads,rows (tuning runs)
  s.unroll = std::clamp(chunks_per_row / s.threads, 1u, 4u);
  if (const char* env = std::getenv("MRROPE_MATVEC_UNROLL")) s.unroll = std::clamp(std::atoi(env), 1, 8);
  return within_limits(info, s, batch);
}

}  // namespace

bool matvec_fast_supported(const vk::DeviceInfo& info) { return info.subgroup_arithmetic && info.storage_16bit; }

void matvec_fast_kernel(Sequence& seq, const DeviceTensor& w, Act x, const ProductOutputs& y, uint32_t batch) {
  const vk::DeviceInfo& info = seq.context().info();
  if (!matvec_fast_supported(info))
    throw vk::VulkanError("matvec_fast needs subgroup arithmetic and 16-bit storage buffers");
  if (batch < 1 || batch > kMaxCols) throw vk::VulkanError("matvec_fast: batch must be 1..8");
  const auto cols = static_cast<uint32_t>(w.cols());
  const FastShape s = fast_shape(info, w.type(), batch);
  const detail::PartsPush parts = detail::parts_push("matvec_fast", w, y);
  vk::Kernel& k = seq.context().kernel(vk::KernelDesc{"matvec_fast_" + detail::type_suffix(w.type()),
                                                      {vk::Access::Read, vk::Access::Read, vk::Access::Write,
                                                       vk::Access::Write, vk::Access::Write},
                                                      sizeof(FastPush),
                                                      {s.threads, s.rows, batch}});
  const Act& y0 = y.parts[0];
  for (const auto& slice : w.slices()) {
    FastPush p{cols, slice.row_count, slice.row_begin, x.offset, x.stride ? x.stride : cols,
               y0.offset, detail::part_stride(y, 0, parts.part_end0), parts};
    const detail::Grid g = detail::grid_for(seq, detail::ceil_div(slice.row_count, s.rows));
    seq.dispatch(k, {slice.ref(), *x.buffer, *y0.buffer, detail::part_buffer(y, 1), detail::part_buffer(y, 2)}, p, g.x, g.y, 1,
                 "matvec");
  }
}

// --- integer-dot path ---

bool matvec_int8_supported(const vk::DeviceInfo& info) {
  return info.integer_dot_product && matvec_fast_supported(info);
}

bool matvec_int8_weight_type(GgmlType type) {
  // INTEGER_DOT 2: built, not yet timed on a GPU (ops/weight_kernels.def).
  static const bool unverified = detail::env_is("MRROPE_INT8_UNVERIFIED", "1");
  const WeightTypeRow* row = weight_type_row(type);
  return row && (row->integer_dot == 1 || (row->integer_dot == 2 && unverified));
}

bool matvec_on_int8(const vk::DeviceInfo& info, GgmlType type) {
  if (!matvec_int8_supported(info) || !matvec_int8_weight_type(type)) return false;
  const char* env = std::getenv("MRROPE_MATVEC_INT8");
  if (env && std::strcmp(env, "off") == 0) return false;
  return info.integer_dot_accelerated || (env && std::strcmp(env, "on") == 0);
}

uint64_t quantized_act_bytes(uint32_t cols, uint32_t batch) {
  return uint64_t(batch) * cols + uint64_t(batch) * (cols / 32) * 16;  // int8 quants, then a vec4 record per block
}

namespace {
// Eight lanes a block where subgroups shuffle (MRROPE_QUANTIZE_LANES=1 keeps one
// thread a block, the fallback, for tests and A/B runs).
bool quantize_on_lanes(const vk::DeviceInfo& info) {
  const char* env = std::getenv("MRROPE_QUANTIZE_LANES");
  if (env && std::strcmp(env, "1") == 0) return false;
  return info.subgroup_shuffle && info.subgroup_size >= 8;
}

// quantize_act.comp over x, or over silu(x) * up (its SWIGLU variant) when up is given.
void record_quantize(Sequence& seq, Act x, const Buffer* up, const Buffer& xq, uint32_t cols, uint32_t batch) {
  if (cols % 32 != 0) throw vk::VulkanError("quantize_act: " + std::to_string(cols) + " is not a multiple of 32");
  if (xq.size() < quantized_act_bytes(cols, batch)) throw vk::VulkanError("quantize_act: the output buffer is too small");
  struct Push {
    uint32_t cols, batch, x_offset, x_stride;
  } p{cols, batch, x.offset, x.stride ? x.stride : cols};
  const bool lanes = quantize_on_lanes(seq.context().info());
  const std::string suffix = lanes ? "_x8" : "";
  const detail::Grid g = detail::grid_for(seq, detail::ceil_div(cols / 32 * batch * (lanes ? 8 : 1), 64));
  if (!up) {
    vk::Kernel& k = seq.context().kernel(
        vk::KernelDesc{"quantize_act" + suffix, {vk::Access::Read, vk::Access::Write}, sizeof(Push), {}});
    seq.dispatch(k, {*x.buffer, xq}, p, g.x, g.y, 1, "quantize_act");
    return;
  }
  if (up->size() < (uint64_t(x.offset) + uint64_t(batch - 1) * p.x_stride + cols) * 4)
    throw vk::VulkanError("swiglu_quantize: up is smaller than gate");
  vk::Kernel& k = seq.context().kernel(vk::KernelDesc{
      "quantize_act_swiglu" + suffix, {vk::Access::Read, vk::Access::Write, vk::Access::Read}, sizeof(Push), {}});
  seq.dispatch(k, {*x.buffer, xq, *up}, p, g.x, g.y, 1, "quantize_act");
}
}  // namespace

void quantize_act(Sequence& seq, Act x, const Buffer& xq, uint32_t cols, uint32_t batch) {
  record_quantize(seq, x, nullptr, xq, cols, batch);
}

void swiglu_quantize(Sequence& seq, Act gate, const Buffer& up, const Buffer& xq, uint32_t cols, uint32_t batch) {
  record_quantize(seq, gate, &up, xq, cols, batch);
}

void matvec_int8_kernel(Sequence& seq, const DeviceTensor& w, const Buffer& xq, const ProductOutputs& y,
                        uint32_t batch) {
  const vk::DeviceInfo& info = seq.context().info();
  if (!matvec_int8_supported(info))
    throw vk::VulkanError("matvec_int8 needs integer dot products, subgroup arithmetic and 16-bit storage buffers");
  // Any built variant (INTEGER_DOT 1, or 2 before its timing routes it), so tests can run it.
  const WeightTypeRow* row = weight_type_row(w.type());
  if (!row || row->integer_dot == 0)
    throw vk::VulkanError("matvec_int8: no kernel for " + std::string(ggml_type_name(w.type())));
  if (batch < 1 || batch > kMaxCols) throw vk::VulkanError("matvec_int8: batch must be 1..8");
  const auto cols = static_cast<uint32_t>(w.cols()), rows = static_cast<uint32_t>(w.rows());
  if (xq.size() < quantized_act_bytes(cols, batch)) throw vk::VulkanError("matvec_int8: the activations are too small");
  // Threads take 64 weights per step for Q4_K/Q5_K (a whole sub-block pair, its
  // scales decoded once), 128 for Q2_K/Q3_K (the four pieces that share their
  // quant bytes), 32 for the rest: on the H100 the wide step made decode 7%
  // faster (236.9 against 221.3 tok/s at 512). MRROPE_MATVEC_WIDE=0 takes the
  // 32-weight step for A/B runs.
  const GgmlType t = w.type();
  const uint32_t wide_weights = t == GgmlType::Q4_K || t == GgmlType::Q5_K   ? 64
                                : t == GgmlType::Q2_K || t == GgmlType::Q3_K ? 128
                                                                             : 32;
  const bool wide = wide_weights > 32 && !detail::env_is("MRROPE_MATVEC_WIDE", "0");
  // Q8_0 and Q4_0 blocks over four lanes (the shader's BLOCK_LANES):
  // MRROPE_MATVEC_BLOCK_LANES=4 (A/B runs; 3-10% slower on the H100, session 31).
  const uint32_t block_lanes =
      (t == GgmlType::Q8_0 || t == GgmlType::Q4_0) && detail::env_is("MRROPE_MATVEC_BLOCK_LANES", "4") ? 4 : 1;
  const FastShape s = int8_shape(info, cols / (wide ? wide_weights : 32 / block_lanes), batch);
  const detail::PartsPush parts = detail::parts_push("matvec_int8", w, y);
  vk::Kernel& k = seq.context().kernel(vk::KernelDesc{"matvec_int8_" + detail::type_suffix(w.type()),
                                                      {vk::Access::Read, vk::Access::Read, vk::Access::Write,
                                                       vk::Access::Write, vk::Access::Write},
                                                      sizeof(Int8Push),
                                                      {s.threads, s.rows, batch, s.unroll, wide ? 1u : 0u,
                                                       detail::env_is("MRROPE_MATVEC_WORD_LOADS", "0") ? 0u : 1u,
                                                       block_lanes}});
  // Profiled per weight type and shape (bench-decoder --profile).
  const std::string label = "matvec_int8_" + detail::type_suffix(w.type()) + " " + std::to_string(rows) + "x" +
                            std::to_string(cols);
  const Act& y0 = y.parts[0];
  for (const auto& slice : w.slices()) {
    Int8Push p{cols, slice.row_count, slice.row_begin, y0.offset, detail::part_stride(y, 0, parts.part_end0),
               parts};
    const detail::Grid g = detail::grid_for(seq, detail::ceil_div(slice.row_count, s.rows));
    seq.dispatch(k, {slice.ref(), xq, *y0.buffer, detail::part_buffer(y, 1), detail::part_buffer(y, 2)}, p, g.x, g.y, 1,
                 label.c_str());
  }
}

bool takes_int8_input(const vk::DeviceInfo& info, const DeviceTensor& w, uint32_t batch) {
  return batch <= kMaxCols && w.cols() % 32 == 0 && matvec_on_int8(info, w.type());
}

namespace {
// A prefill stack as one matrix-unit dispatch: opt-in (MRROPE_STACKED_COOPMAT=1)
// until StackedWeightsTest has run on a GPU with cooperative matrices; without
// it each part is its own product, as before stacking.
bool stacks_on_matrix_units() { return detail::env_is("MRROPE_STACKED_COOPMAT", "1"); }

bool plain(const ProductOutputs& y) { return y.rows[1] == 0 && y.rows[2] == 0; }
}  // namespace

bool SharedInput::takes_f16(const DeviceTensor& w) const {
  return f16_scratch_ && f16_scratch_->size() >= f16_act_bytes(cols_, batch_) &&
         takes_f16_input(seq_.context().info(), w, batch_);
}

// One dispatch per slice of w into all of y's parts. A stack (several parts)
// comes here only where a kernel takes parts: the matrix units (opt-in), the
// integer-dot kernel or matvec_fast.
void SharedInput::record(const DeviceTensor& w, const ProductOutputs& y) {
  if (takes_f16(w) && (plain(y) || stacks_on_matrix_units())) {
    if (!converted_) convert_to_f16(seq_, x_, *f16_scratch_, cols_, batch_);
    converted_ = true;
    return matmul_coopmat_f16_input(seq_, w, *f16_scratch_, y, batch_);
  }
  if (takes_int8_input(seq_.context().info(), w, batch_)) {
    if (!quantized_) quantize_act(seq_, x_, scratch_, cols_, batch_);
    quantized_ = true;
    return matvec_int8_kernel(seq_, w, scratch_, y, batch_);
  }
  if (plain(y)) return ops::matmul(seq_, w, x_, y.parts[0], batch_);
  matvec_fast_kernel(seq_, w, x_, y, batch_);
}

void SharedInput::matmul(const DeviceTensor& w, Act y) { record(w, ProductOutputs(y)); }

void SharedInput::matmul(const StackedWeights& w, std::initializer_list<Act> outs) {
  if (outs.size() != w.size())
    throw vk::VulkanError("stacked product: " + std::to_string(outs.size()) + " outputs for " +
                          std::to_string(w.size()) + " parts");
  const vk::DeviceInfo& info = seq_.context().info();
  const Act* out = outs.begin();
  for (const StackedWeights::Stack& st : w.stacks()) {
    const bool vector = batch_ <= detail::kMatvecMaxBatch &&
                        (takes_int8_input(info, st.whole, batch_) || matvec_fast_supported(info));
    const bool units = stacks_on_matrix_units() && takes_f16(st.whole);
    if (st.count == 1 || !(vector || units)) {
      for (size_t i = st.first; i < st.first + st.count; ++i) matmul(w.part(i), out[i]);
      continue;
    }
    ProductOutputs y;
    for (size_t k = 0; k < st.count; ++k) {
      y.parts[k] = out[st.first + k];
      y.rows[k] = static_cast<uint32_t>(w.part(st.first + k).rows());
    }
    record(st.whole, y);
  }
}

}  // namespace mrrope::ops
