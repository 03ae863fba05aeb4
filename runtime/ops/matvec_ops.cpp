// Recording matvec_fast.comp, the decode matrix-vector kernel (see the shader
// for how it splits the work).
#include <algorithm>

#include "ops/ops.h"
#include "ops/ops_internal.h"

namespace mrrope::ops {
namespace {

using detail::MatPush;

constexpr uint32_t kMaxCols = 8;  // variants exist for 1..8 batch columns

struct FastShape {
  uint32_t threads, rows;  // per workgroup
};

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
  detail::matvec_shape_override(&s.threads, &s.rows);
  s.threads = std::min(s.threads, info.max_workgroup_invocations);
  // The cross-subgroup pass keeps rows x batch x threads floats in shared memory.
  while (s.threads > sg && s.rows * batch * s.threads * 4 > info.max_shared_memory) s.threads /= 2;
  return s;
}

}  // namespace

bool matvec_fast_supported(const vk::DeviceInfo& info) { return info.subgroup_arithmetic && info.storage_16bit; }

void matvec_fast_kernel(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch) {
  const vk::DeviceInfo& info = seq.context().info();
  if (!matvec_fast_supported(info))
    throw vk::VulkanError("matvec_fast needs subgroup arithmetic and 16-bit storage buffers");
  if (batch < 1 || batch > kMaxCols) throw vk::VulkanError("matvec_fast: batch must be 1..8");
  const auto cols = static_cast<uint32_t>(w.cols()), rows = static_cast<uint32_t>(w.rows());
  const FastShape s = fast_shape(info, w.type(), batch);
  vk::Kernel& k = seq.context().kernel(vk::KernelDesc{"matvec_fast_" + detail::type_suffix(w.type()),
                                                      {vk::Access::Read, vk::Access::Read, vk::Access::Write},
                                                      sizeof(MatPush),
                                                      {s.threads, s.rows, batch}});
  for (const auto& slice : w.slices()) {
    MatPush p{cols, slice.row_count, slice.row_begin, x.offset, x.stride ? x.stride : cols,
              y.offset, y.stride ? y.stride : rows};
    const detail::Grid g = detail::grid_for(seq, detail::ceil_div(slice.row_count, s.rows));
    seq.dispatch(k, {slice.buffer, *x.buffer, *y.buffer}, p, g.x, g.y, 1, "matvec");
  }
}

}  // namespace mrrope::ops
