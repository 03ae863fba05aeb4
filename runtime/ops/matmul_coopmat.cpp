// Prefill matrix products on NVIDIA's matrix units (shaders/matmul_coopmat.comp).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ops/ops.h"
#include "ops/ops_internal.h"
#include "vulkan/context.h"

namespace mrrope::ops {
namespace {

using detail::ceil_div;
using detail::MatmulPush;

struct CoopmatPush {
  MatmulPush product;
  detail::PartsPush parts;  // product_outputs.glsl
};

// A workgroup's tile: bm weight rows x bn tokens, split among subgroups of
// wm x wn; bk columns a step, staged in `stages` shared-memory buffers. With
// `stagers` > 0, that many more subgroups only stage the tiles (two stages)
// while the others only multiply.
struct Tile {
  uint32_t bm, bn, wm, wn, bk, stages, stagers = 0;
  uint32_t subgroups() const { return (bm / wm) * (bn / wn); }
  uint32_t threads(uint32_t subgroup_size) const { return (subgroups() + stagers) * subgroup_size; }
};
constexpr Tile kLarge{128, 128, 64, 32, 64, 1};     // 8 subgroups of 4 x 2 fragments
constexpr Tile kSmall{64, 64, 32, 32, 64, 1};       // 4 subgroups of 2 x 2 fragments
// kLarge's multipliers and 4 staging subgroups (two stages of BK 64 would pass the 48 KiB of shared
// memory NVIDIA's Vulkan driver allows).
constexpr Tile kSplit{128, 128, 64, 32, 32, 2, 4};

// Shared memory of the shader: f16 tiles of bm and bn rows of bk + 8 halves
// per stage (no bn rows when the activations are read straight from the
// buffer: x_direct), and one 16x16 f32 fragment per subgroup for the epilogue.
uint32_t shared_bytes(const Tile& t, bool x_direct = false) {
  // The shader's xs keeps one unused uvec2 when the activations come straight from the buffer.
  return t.stages * (t.bm + (x_direct ? 0 : t.bn)) * (t.bk + 8) * 2 + t.subgroups() * 16 * 16 * 4 +
         (x_direct ? 8 : 0);
}

bool runnable(const Tile& t, const vk::DeviceInfo& info, bool x_direct = false) {
  return t.wm % 16 == 0 && t.wn % 16 == 0 && t.wm && t.wn && t.bm % t.wm == 0 && t.bn % t.wn == 0 &&
         (t.wm / 16) * (t.wn / 16) <= 16 && t.bk % 32 == 0 && t.bk && (t.stages == 1 || t.stages == 2) &&
         (t.stagers == 0 || t.stages == 2) && shared_bytes(t, x_direct) <= info.max_shared_memory &&
         t.threads(info.subgroup_size) <= info.max_workgroup_invocations;
}

// DeviceInfo has no SM count; 132 is an H100's. Fewer large tiles than that
// would leave SMs idle, so such products use the small tile instead.
constexpr uint32_t kLargeTilesPerWave = 132;

// MRROPE_COOPMAT_TILE=bm,bn,wm,wn[,bk,stages,stagers] replaces the large tile
// (for tuning). The shader names at most 16 accumulator fragments a subgroup (STORE_FRAGMENT).
Tile large_tile(const vk::DeviceInfo& info, bool x_direct) {
  Tile t = kLarge;
  const char* env = std::getenv("MRROPE_COOPMAT_TILE");
  if (!env) return t;
  std::sscanf(env, "%u,%u,%u,%u,%u,%u,%u", &t.bm, &t.bn, &t.wm, &t.wn, &t.bk, &t.stages, &t.stagers);
  if (!runnable(t, info, x_direct))
    throw vk::VulkanError(std::string("MRROPE_COOPMAT_TILE=") + env + " is not a tile this device can run");
  return t;
}

// MRROPE_COOPMAT_DEQUANT=packed: Q4_K, Q6_K and Q8_0 tiles dequantize in packed
// halves (the shader's PACKED_DEQUANT), off until its tests have run on a GPU
// with these matrices; the float path is what the side-by-side measured.
// Read at every product, so a test can turn it on for one.
uint32_t packed_dequant() { return detail::env_is("MRROPE_COOPMAT_DEQUANT", "packed") ? 1u : 0u; }

// MRROPE_COOPMAT_X=direct: f16 activations go from the buffer straight into
// the multiplying subgroups' fragments (the shader's X_DIRECT) where K is a
// multiple of the tile's step; off until measured on a GPU.
bool x_direct_asked() { return detail::env_is("MRROPE_COOPMAT_X", "direct"); }

// One product on the tile chosen for it. x_half: x holds packed f16 rows
// (convert_to_f16's layout), else f32 rows at x.offset, x.stride.
void record_coopmat(Sequence& seq, const DeviceTensor& w, Act x, const ProductOutputs& y, uint32_t batch,
                    CoopmatTile tile, bool x_half) {
  const vk::DeviceInfo& info = seq.context().info();
  if (!matmul_coopmat_supported(info)) throw vk::VulkanError("this device has no usable cooperative matrices");
  const std::string type = detail::type_suffix(w.type());
  const auto cols = static_cast<uint32_t>(w.cols());
  const bool direct_asked = x_half && x_direct_asked();
  const detail::PartsPush parts = detail::parts_push("matmul_coopmat", w, y);
  const Act& y0 = y.parts[0];
  for (const auto& slice : w.slices()) {
    const uint32_t large_tiles = ceil_div(slice.row_count, kLarge.bm) * ceil_div(batch, kLarge.bn);
    Tile t = kSmall;
    if (tile == CoopmatTile::Split) t = runnable(kSplit, info) ? kSplit : kSmall;
    else if (tile == CoopmatTile::Large || (tile == CoopmatTile::Auto && large_tiles >= kLargeTilesPerWave))
      t = large_tile(info, direct_asked);
    // Direct fragment loads read whole tiles: K in whole steps, and the rows
    // past the batch inside the buffer (f16_act_bytes pads them).
    const bool direct = direct_asked && cols % t.bk == 0 &&
                        x.buffer->size() >= (uint64_t(x.offset) + uint64_t(ceil_div(batch, t.bn)) * t.bn * x.stride) * 2;
    if (!direct && !runnable(t, info)) t = kLarge;  // a tile that fits only without the activations' stages
    const uint32_t threads = t.threads(info.subgroup_size);
    const uint32_t stage_threads = t.stagers ? t.stagers * info.subgroup_size : threads;
    vk::Kernel& k = seq.context().kernel(
        vk::KernelDesc{"matmul_cm_" + type,
                       {vk::Access::Read, vk::Access::Read, vk::Access::Write, vk::Access::Write,
                        vk::Access::Write},
                       sizeof(CoopmatPush),
                       {threads, t.bm, t.bn, t.wm, t.wn, t.bk, t.stages, stage_threads, x_half ? 1u : 0u,
                        packed_dequant(), direct ? 1u : 0u}});
    CoopmatPush p{{cols, slice.row_count, slice.row_begin, batch, x.offset, x.stride ? x.stride : cols, y0.offset,
                   detail::part_stride(y, 0, parts.part_end0)},
                  parts};
    // Labelled by shape, so a profile shows each product's rate.
    const std::string label = "matmul_cm " + type + " " + std::to_string(slice.row_count) + "x" + std::to_string(cols);
    seq.dispatch(k, {slice.ref(), *x.buffer, *y0.buffer, detail::part_buffer(y, 1), detail::part_buffer(y, 2)}, p,
                 ceil_div(slice.row_count, t.bm), ceil_div(batch, t.bn), 1, label.c_str());
  }
}

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
  record_coopmat(seq, w, x, y, batch, tile, false);
}

bool takes_f16_input(const vk::DeviceInfo& info, const DeviceTensor& w, uint32_t batch) {
  // MRROPE_COOPMAT_INPUT=f32 keeps the f32 activations (A/B comparisons).
  static const bool f32_input = detail::env_is("MRROPE_COOPMAT_INPUT", "f32");
  return !f32_input && batch > detail::kMatvecMaxBatch && w.cols() % 8 == 0 && matmul_on_coopmat(info) &&
         matmul_coopmat_weight_type(w.type());
}

// Whole tiles of tokens (the largest tile's 128), so that fragments read
// straight from the buffer stay inside it.
uint64_t f16_act_bytes(uint32_t cols, uint32_t batch) { return uint64_t(cols) * ceil_div(batch, 128u) * 128u * 2; }

void convert_to_f16(Sequence& seq, Act x, const Buffer& xh, uint32_t cols, uint32_t batch) {
  if (cols % 8 != 0) throw vk::VulkanError("convert_to_f16: rows must be a multiple of 8 elements");
  if (xh.size() < f16_act_bytes(cols, batch)) throw vk::VulkanError("convert_to_f16: the f16 buffer is too small");
  struct Push {
    uint32_t cols, batch, x_offset, x_stride;
  } p{cols, batch, x.offset, x.stride ? x.stride : cols};
  vk::Kernel& k = seq.context().kernel(
      vk::KernelDesc{"to_f16", {vk::Access::Read, vk::Access::Write}, sizeof(Push), {}});
  const detail::Grid g = detail::grid_for(seq, ceil_div(cols / 8 * batch, 256));
  seq.dispatch(k, {*x.buffer, xh}, p, g.x, g.y, 1, "to_f16");
}

void matmul_coopmat_f16_input(Sequence& seq, const DeviceTensor& w, const Buffer& xh, const ProductOutputs& y,
                              uint32_t batch, CoopmatTile tile) {
  const auto cols = static_cast<uint32_t>(w.cols());
  if (cols % 8 != 0) throw vk::VulkanError("matmul_coopmat: f16 input needs K a multiple of 8");
  if (xh.size() < f16_act_bytes(cols, batch)) throw vk::VulkanError("matmul_coopmat: the f16 input is too small");
  record_coopmat(seq, w, Act(xh, 0, cols), y, batch, tile, true);
}

}  // namespace mrrope::ops
