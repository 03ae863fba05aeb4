#include "ops/ops.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "ops/matvec_int8.h"
#include "ops/ops_internal.h"
#include "ops/weight_types.h"
#include "vulkan/context.h"

namespace mrrope::ops {
namespace {

using detail::ceil_div;
using detail::Grid;
using detail::grid_for;
using detail::MatmulPush;
using detail::MatPush;
using detail::type_suffix;
using vk::Access;
using vk::KernelDesc;

// Launch shapes by device kind. CPU devices (lavapipe) pay per workgroup and
// per barrier, so they get subgroup-wide workgroups doing more rows each.
struct Shapes {
  uint32_t matvec_threads, matvec_rows, matmul_threads, matmul_tile;
};
Shapes shapes_for(const vk::Context& ctx) {
  Shapes s = ctx.info().type == "CPU" ? Shapes{std::max(8u, ctx.info().subgroup_size), 8, 64, 32}
                                      : Shapes{128, 2, 256, 64};
  detail::matvec_shape_override(&s.matvec_threads, &s.matvec_rows);
  return s;
}
constexpr uint32_t kRowThreads = 256;  // rms_norm, softmax


}  // namespace

bool matmul_coopmat_weight_type(GgmlType type) {
  // MATRIX_UNITS 2: built, not yet run on a GPU (ops/weight_kernels.def).
  static const bool unverified = detail::env_is("MRROPE_COOPMAT_UNVERIFIED", "1");
  const WeightTypeRow* row = weight_type_row(type);
  return row && (row->matrix_units == 1 || (row->matrix_units == 2 && unverified));
}

bool supports_weight_type(GgmlType type) { return is_gpu_weight_type(type); }

void matvec_kernel(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch) {
  vk::Kernel& k = seq.context().kernel(KernelDesc{"matvec_" + type_suffix(w.type()),
                                                  {Access::Read, Access::Read, Access::Write},
                                                  sizeof(MatPush),
                                                  {shapes_for(seq.context()).matvec_threads, shapes_for(seq.context()).matvec_rows}});
  const auto cols = static_cast<uint32_t>(w.cols()), rows = static_cast<uint32_t>(w.rows());
  for (const auto& slice : w.slices()) {
    MatPush p{cols, slice.row_count, slice.row_begin, x.offset, x.stride ? x.stride : cols,
              y.offset, y.stride ? y.stride : rows};
    const Grid g = grid_for(seq, ceil_div(slice.row_count, shapes_for(seq.context()).matvec_rows));
    seq.dispatch(k, {slice.ref(), *x.buffer, *y.buffer}, p, g.x, g.y, batch, "matvec");
  }
}

void matmul_kernel(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch) {
  const Shapes shape = shapes_for(seq.context());
  vk::Kernel& k = seq.context().kernel(KernelDesc{"matmul_" + type_suffix(w.type()),
                                                  {Access::Read, Access::Read, Access::Write},
                                                  sizeof(MatmulPush),
                                                  {shape.matmul_threads, shape.matmul_tile}});
  const auto cols = static_cast<uint32_t>(w.cols()), rows = static_cast<uint32_t>(w.rows());
  for (const auto& slice : w.slices()) {
    MatmulPush p{cols, slice.row_count, slice.row_begin, batch, x.offset, x.stride ? x.stride : cols,
                 y.offset, y.stride ? y.stride : rows};
    seq.dispatch(k, {slice.ref(), *x.buffer, *y.buffer}, p, ceil_div(slice.row_count, shape.matmul_tile),
                 ceil_div(batch, shape.matmul_tile), 1, "matmul");
  }
}

void matmul_rows_kernel(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch) {
  constexpr uint32_t kThreads = 64, kColumns = 8;  // WG and NB in matmul_rows.comp
  vk::Kernel& k = seq.context().kernel(KernelDesc{"matmul_rows_" + type_suffix(w.type()),
                                                  {Access::Read, Access::Read, Access::Write},
                                                  sizeof(MatmulPush),
                                                  {kThreads}});
  const auto cols = static_cast<uint32_t>(w.cols()), rows = static_cast<uint32_t>(w.rows());
  for (const auto& slice : w.slices()) {
    MatmulPush p{cols, slice.row_count, slice.row_begin, batch, x.offset, x.stride ? x.stride : cols,
                 y.offset, y.stride ? y.stride : rows};
    seq.dispatch(k, {slice.ref(), *x.buffer, *y.buffer}, p, ceil_div(slice.row_count, kThreads),
                 ceil_div(batch, kColumns), 1, "matmul");
  }
}

void matvec_subgroup_kernel(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch) {
  const vk::DeviceInfo& info = seq.context().info();
  if (!info.subgroup_arithmetic) throw vk::VulkanError("this device has no subgroup arithmetic in compute shaders");
  const uint32_t threads = std::max(128u, info.subgroup_size);  // several subgroups, one row each
  vk::Kernel& k = seq.context().kernel(KernelDesc{"matvec_sg_" + type_suffix(w.type()),
                                                  {Access::Read, Access::Read, Access::Write},
                                                  sizeof(MatPush),
                                                  {threads}});
  const uint32_t rows_per_group = threads / info.subgroup_size;
  const auto cols = static_cast<uint32_t>(w.cols()), rows = static_cast<uint32_t>(w.rows());
  for (const auto& slice : w.slices()) {
    MatPush p{cols, slice.row_count, slice.row_begin, x.offset, x.stride ? x.stride : cols,
              y.offset, y.stride ? y.stride : rows};
    const Grid g = grid_for(seq, ceil_div(slice.row_count, rows_per_group));
    seq.dispatch(k, {slice.ref(), *x.buffer, *y.buffer}, p, g.x, g.y, batch, "matvec");
  }
}

void matmul(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch) {
  const vk::DeviceInfo& info = seq.context().info();
  if (batch > detail::kMatvecMaxBatch) {
    if (matmul_on_coopmat(info) && matmul_coopmat_weight_type(w.type()))
      return matmul_coopmat_kernel(seq, w, x, y, batch);
    // CPU devices: a row per lane (matmul_rows.comp says why); MRROPE_MATMUL=tiles for A/B runs.
    if (info.type == "CPU" && !detail::env_is("MRROPE_MATMUL", "tiles")) return matmul_rows_kernel(seq, w, x, y, batch);
    return matmul_kernel(seq, w, x, y, batch);
  }
  if (matvec_fast_supported(info)) return matvec_fast_kernel(seq, w, x, y, batch);
  // Fallback without subgroup arithmetic or 16-bit storage. Measured on an
  // H100: the subgroup kernel is 3.6x faster for F16 rows but 1.8x slower for
  // quantized blocks, so quantized weights keep the shared-memory kernel.
  const bool float_weights = w.type() == GgmlType::F32 || w.type() == GgmlType::F16 || w.type() == GgmlType::BF16;
  if (float_weights && info.type != "CPU" && info.subgroup_arithmetic && !std::getenv("MRROPE_MATVEC_SHAPE"))
    matvec_subgroup_kernel(seq, w, x, y, batch);
  else matvec_kernel(seq, w, x, y, batch);
}

void rms_norm(Sequence& seq, Act x, const Buffer& weight, Act y, uint32_t rows, uint32_t cols, float eps) {
  struct Push {
    uint32_t cols, rows;
    float eps;
    uint32_t x_offset, y_offset;
  } p{cols, rows, eps, x.offset, y.offset};
  vk::Kernel& k = seq.context().kernel(
      KernelDesc{"rms_norm", {Access::Read, Access::Read, Access::Write}, sizeof(Push), {kRowThreads}});
  const Grid g = grid_for(seq, rows);
  seq.dispatch(k, {*x.buffer, weight, *y.buffer}, p, g.x, g.y, 1, "rms_norm");
}

void add_rms_norm(Sequence& seq, const Buffer& x, const Buffer& residual, const Buffer& weight, const Buffer& y,
                  uint32_t rows, uint32_t cols, float eps, const Buffer* quantized, const NonFiniteWatch* watch) {
  struct Push {
    uint32_t cols, rows;
    float eps;
    uint32_t layer;
  } p{cols, rows, eps, watch ? watch->layer : 0};
  if (quantized && (cols % 32 != 0 || quantized->size() < quantized_act_bytes(cols, rows)))
    throw vk::VulkanError("add_rms_norm: int8 output needs rows of a multiple of 32 and room for them");
  // GPUs: a vec4 per thread per step, so a 4096-wide row is one step; CPU devices pay per thread.
  const vk::DeviceInfo& info = seq.context().info();
  const uint32_t threads = info.type == "CPU" ? kRowThreads : std::min(1024u, info.max_workgroup_invocations);
  std::vector<Access> access{Access::ReadWrite, Access::Read, Access::Read, Access::Write};
  std::vector<vk::BufferRef> buffers{x, residual, weight, y};
  if (quantized) access.push_back(Access::Write), buffers.push_back(*quantized);
  if (watch) access.push_back(Access::ReadWrite), buffers.push_back(*watch->first_bad_layer);
  // Subgroup reductions where the device has them (MRROPE_NORM_SUBGROUPS=0: the shared-memory tree).
  const bool subgroups = info.subgroup_arithmetic && info.subgroup_shuffle && info.subgroup_size >= 8 &&
                         !detail::env_is("MRROPE_NORM_SUBGROUPS", "0");
  const std::string name =
      std::string("add_rms_norm") + (quantized ? "_q8" : "") + (watch ? "_w" : "") + (subgroups ? "_sg" : "");
  vk::Kernel& k = seq.context().kernel(KernelDesc{name, access, sizeof(Push), {threads}});
  const Grid g = grid_for(seq, rows);
  seq.dispatch(k, buffers, &p, sizeof p, g.x, g.y, 1, "add_rms_norm");
}

namespace {
void elementwise(Sequence& seq, const char* shader, const Buffer& a, const Buffer& b, const Buffer& out, uint32_t n) {
  struct Push {
    uint32_t n;
  } p{n};
  vk::Kernel& k =
      seq.context().kernel(KernelDesc{shader, {Access::Read, Access::Read, Access::Write}, sizeof(Push), {}});
  const Grid g = grid_for(seq, ceil_div(n, 256));
  seq.dispatch(k, {a, b, out}, p, g.x, g.y, 1, shader);
}
}  // namespace

void copy_words(Sequence& seq, const Buffer& src, const Buffer& dst, uint64_t bytes) {
  if (bytes % 16 != 0 || bytes / 16 > UINT32_MAX) throw vk::VulkanError("copy_words: bytes must be a multiple of 16");
  struct Push {
    uint32_t n;
  } p{static_cast<uint32_t>(bytes / 16)};
  vk::Kernel& k = seq.context().kernel(KernelDesc{"copy_words", {Access::Read, Access::Write}, sizeof(Push), {}});
  // A few waves of workgroups; each thread loops over the rest.
  const Grid g = grid_for(seq, std::min<uint32_t>(ceil_div(p.n, 256), 4096));
  seq.dispatch(k, {src, dst}, p, g.x, g.y, 1, "copy_words");
}

void silu_mul(Sequence& seq, const Buffer& gate, const Buffer& up, const Buffer& out, uint32_t n) {
  elementwise(seq, "silu_mul", gate, up, out, n);
}

void gelu_mul(Sequence& seq, const Buffer& gate, const Buffer& up, const Buffer& out, uint32_t n) {
  elementwise(seq, "gelu_mul", gate, up, out, n);
}

namespace {
void scale_kernel(Sequence& seq, const char* shader, const Buffer& x, uint32_t n, float value) {
  struct Push {
    uint32_t n;
    float value;
  } p{n, value};
  vk::Kernel& k = seq.context().kernel(KernelDesc{shader, {Access::ReadWrite}, sizeof(Push), {}});
  const Grid g = grid_for(seq, ceil_div(n, 256));
  seq.dispatch(k, {x}, p, g.x, g.y, 1, shader);
}
}  // namespace

void scale(Sequence& seq, const Buffer& x, uint32_t n, float value) { scale_kernel(seq, "scale", x, n, value); }

void softcap(Sequence& seq, const Buffer& x, uint32_t n, float cap) {
  if (!(cap > 0)) throw vk::VulkanError("softcap: the cap must be positive");
  scale_kernel(seq, "softcap", x, n, cap);
}

void add(Sequence& seq, const Buffer& a, const Buffer& b, const Buffer& out, uint32_t n) {
  elementwise(seq, "add", a, b, out, n);
}

void softmax(Sequence& seq, const Buffer& x, const Buffer& y, uint32_t rows, uint32_t cols, float scale) {
  struct Push {
    uint32_t cols, rows;
    float scale;
  } p{cols, rows, scale};
  vk::Kernel& k =
      seq.context().kernel(KernelDesc{"softmax", {Access::Read, Access::Write}, sizeof(Push), {kRowThreads}});
  const Grid g = grid_for(seq, rows);
  seq.dispatch(k, {x, y}, p, g.x, g.y, 1, "softmax");
}

void embed(Sequence& seq, const DeviceTensor& table, const Buffer& ids, const Buffer& out, uint32_t n_tokens) {
  struct Push {
    uint32_t cols, n_tokens, row_begin, row_count;
  };
  vk::Kernel& k = seq.context().kernel(KernelDesc{"embed_" + type_suffix(table.type()),
                                                  {Access::Read, Access::Read, Access::Write},
                                                  sizeof(Push),
                                                  {}});
  const Grid g = grid_for(seq, n_tokens);
  for (const auto& slice : table.slices()) {
    Push p{static_cast<uint32_t>(table.cols()), n_tokens, slice.row_begin, slice.row_count};
    seq.dispatch(k, {ids, slice.ref(), out}, p, g.x, g.y, 1, "embed");
  }
}

void rope(Sequence& seq, const Buffer& x, const Buffer& positions, const Buffer& turns, const RopeArgs& a) {
  if (a.n_rot % 2 != 0 || a.n_rot > a.head_dim)
    throw vk::VulkanError("rope: n_rot must be even and at most head_dim");
  struct Push {
    uint32_t n_tokens, n_heads, head_dim, n_rot, neox;
    float attn_factor;
    uint32_t x_offset, token_stride;
  } p{a.n_tokens, a.n_heads, a.head_dim, a.n_rot, a.neox ? 1u : 0u, a.attn_factor, a.x_offset,
      a.token_stride ? a.token_stride : a.n_heads * a.head_dim};
  vk::Kernel& k = seq.context().kernel(
      KernelDesc{"rope", {Access::ReadWrite, Access::Read, Access::Read}, sizeof(Push), {}});
  const Grid g = grid_for(seq, ceil_div(a.n_tokens * a.n_heads * (a.n_rot / 2), 256));
  seq.dispatch(k, {x, positions, turns}, p, g.x, g.y, 1, "rope");
}

}  // namespace mrrope::ops
