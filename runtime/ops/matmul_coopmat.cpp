// Prefill matrix products on NVIDIA's matrix units (shaders/matmul_coopmat.comp).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ops/ops.h"
#include "ops/ops_internal.h"
#include "vulkan/context.h"

namespace mrrope::ops {
namespace {

// A workgroup's tile: bm weight rows x bn tokens, split among subgroups of
// wm x wn; bk columns a step, staged in `stages` shared-memory buffers.
struct Tile {
  uint32_t bm, bn, wm, wn, bk, stages;
  uint32_t subgroups() const { return (bm / wm) * (bn / wn); }
};
constexpr Tile kLarge{128, 128, 64, 32, 64, 1};  // 8 subgroups of 4 x 2 fragments
constexpr Tile kSmall{64, 64, 32, 32, 64, 1};    // 4 subgroups of 2 x 2 fragments

// Shared memory of the shader: f16 tiles of bm and bn rows of bk + 8 halves
// per stage, and one 16x16 f32 fragment per subgroup for the epilogue.
uint32_t shared_bytes(const Tile& t) {
  return t.stages * (t.bm + t.bn) * (t.bk + 8) * 2 + t.subgroups() * 16 * 16 * 4;
}

// DeviceInfo has no SM count; 132 is an H100's. Fewer large tiles than that
// would leave SMs idle, so such products use the small tile instead.
constexpr uint32_t kLargeTilesPerWave = 132;

// MRROPE_COOPMAT_TILE=bm,bn,wm,wn[,bk,stages] replaces the large tile (for tuning).
// The shader names at most 16 accumulator fragments a subgroup (STORE_FRAGMENT).
Tile large_tile(const vk::DeviceInfo& info) {
  Tile t = kLarge;
  const char* env = std::getenv("MRROPE_COOPMAT_TILE");
  if (!env) return t;
  std::sscanf(env, "%u,%u,%u,%u,%u,%u", &t.bm, &t.bn, &t.wm, &t.wn, &t.bk, &t.stages);
  const bool ok = t.wm % 16 == 0 && t.wn % 16 == 0 && t.wm && t.wn && t.bm % t.wm == 0 && t.bn % t.wn == 0 &&
                  (t.wm / 16) * (t.wn / 16) <= 16 && t.bk % 32 == 0 && t.bk && (t.stages == 1 || t.stages == 2) &&
                  shared_bytes(t) <= info.max_shared_memory &&
                  t.subgroups() * info.subgroup_size <= info.max_workgroup_invocations;
  if (!ok) throw vk::VulkanError(std::string("MRROPE_COOPMAT_TILE=") + env + " is not a tile this device can run");
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
    const Tile t = large ? large_tile(info) : kSmall;
    vk::Kernel& k = seq.context().kernel(vk::KernelDesc{shader,
                                                        {vk::Access::Read, vk::Access::Read, vk::Access::Write},
                                                        sizeof(MatmulPush),
                                                        {t.subgroups() * info.subgroup_size, t.bm, t.bn, t.wm, t.wn, t.bk, t.stages}});
    MatmulPush p{cols, slice.row_count, slice.row_begin, batch, x.offset, x.stride ? x.stride : cols,
                 y.offset, y.stride ? y.stride : rows};
    seq.dispatch(k, {slice.buffer, *x.buffer, *y.buffer}, p, ceil_div(slice.row_count, t.bm), ceil_div(batch, t.bn),
                 1, "matmul_cm");
  }
}

}  // namespace mrrope::ops
