// Prefill matrix products on NVIDIA's matrix units (shaders/matmul_coopmat.comp).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ops/ops.h"
#include "ops/ops_internal.h"
#include "vulkan/context.h"

namespace mrrope::ops {
namespace {

// A workgroup's tile: bm weight rows x bn tokens, split among subgroups of wm x wn.
struct Tile {
  uint32_t bm, bn, wm, wn;
  uint32_t subgroups() const { return (bm / wm) * (bn / wn); }
};
constexpr Tile kLarge{128, 128, 64, 32};  // 8 subgroups of 4 x 2 fragments
constexpr Tile kSmall{64, 64, 32, 32};    // 4 subgroups of 2 x 2 fragments

// Shared memory of the shader: f16 tiles of bm and bn rows of BK + 8 = 72
// halves, and one 16x16 f32 fragment per subgroup for the epilogue.
uint32_t shared_bytes(const Tile& t) { return (t.bm + t.bn) * 72 * 2 + t.subgroups() * 16 * 16 * 4; }

// DeviceInfo has no SM count; 132 is an H100's. Fewer large tiles than that
// would leave SMs idle, so such products use the small tile instead.
constexpr uint32_t kLargeTilesPerWave = 132;

// MRROPE_COOPMAT_TILE=bm,bn,wm,wn replaces the large tile (for tuning).
Tile large_tile() {
  Tile t = kLarge;
  if (const char* env = std::getenv("MRROPE_COOPMAT_TILE"))
    std::sscanf(env, "%u,%u,%u,%u", &t.bm, &t.bn, &t.wm, &t.wn);
  return t;
}

using detail::ceil_div;
using detail::MatmulPush;

}  // namespace

bool matmul_coopmat_supported(const vk::DeviceInfo& info) {
  // The shader is written for 16x16x16 fragments, the largest f16 shape on NVIDIA since Turing.
  return info.coopmat_nv && info.coopmat_m == 16 && info.coopmat_n == 16 && info.coopmat_k == 16 &&
         info.subgroup_size > 0 && kLarge.subgroups() * info.subgroup_size <= info.max_workgroup_invocations &&
         shared_bytes(kLarge) <= info.max_shared_memory;
}

bool matmul_on_coopmat(const vk::DeviceInfo& info) {
  return matmul_coopmat_supported(info) && !detail::coopmat_turned_off();
}

void matmul_coopmat_kernel(Sequence& seq, const DeviceTensor& w, Act x, Act y, uint32_t batch, CoopmatTile tile) {
  const vk::DeviceInfo& info = seq.context().info();
  if (!matmul_coopmat_supported(info)) throw vk::VulkanError("this device has no usable cooperative matrices");
  const std::string shader = "matmul_cm_" + detail::type_suffix(w.type());

  const auto cols = static_cast<uint32_t>(w.cols()), rows = static_cast<uint32_t>(w.rows());
  for (const auto& slice : w.slices()) {
    const uint32_t large_tiles = ceil_div(slice.row_count, kLarge.bm) * ceil_div(batch, kLarge.bn);
    const bool large = tile == CoopmatTile::Auto ? large_tiles >= kLargeTilesPerWave : tile == CoopmatTile::Large;
    const Tile t = large ? large_tile() : kSmall;
    vk::Kernel& k = seq.context().kernel(vk::KernelDesc{shader,
                                                        {vk::Access::Read, vk::Access::Read, vk::Access::Write},
                                                        sizeof(MatmulPush),
                                                        {t.subgroups() * info.subgroup_size, t.bm, t.bn, t.wm, t.wn}});
    MatmulPush p{cols, slice.row_count, slice.row_begin, batch, x.offset, x.stride ? x.stride : cols,
                 y.offset, y.stride ? y.stride : rows};
    seq.dispatch(k, {slice.buffer, *x.buffer, *y.buffer}, p, ceil_div(slice.row_count, t.bm), ceil_div(batch, t.bn),
                 1, "matmul_cm");
  }
}

}  // namespace mrrope::ops
