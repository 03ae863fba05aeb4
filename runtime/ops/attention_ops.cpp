#include "ops/attention_ops.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "ops/coopmat_layout.h"
#include "ops/matvec_int8.h"
#include "ops/ops_internal.h"
#include "vulkan/context.h"

namespace mrrope::ops {
namespace {

using vk::Access;
using vk::KernelDesc;

constexpr uint32_t kQueryBlock = 8;   // BQ in attention.comp
constexpr uint32_t kMinKeysPerSplit = 256;
constexpr uint32_t kTargetWorkgroups = 512;
constexpr uint32_t kCpuTargetWorkgroups = 64;
constexpr uint32_t kDecodeRows = 4;            // ROWS in attention_decode.comp
// About 4x the SMs of an H100, in splits of at least 128 keys. At 8K, 256
// workgroups of 256 keys left each 8-lane worker a serial chain of 16 keys
// (72 us a layer); more, shorter splits hide the memory latency, and below
// 16K the bound caps the splits before this does. At 32K, 512 workgroups
// (64 splits of 512 keys) read the cache faster than 1024 or 2048: 161.5
// tok/s against 149.8 and 153.1 (H100, Q4_K_M, one call,
// docs/bench/h100-decode-s29.txt). The kernel spreads the current keys over
// all planned splits, so none sits idle.
constexpr uint32_t kDecodeWorkgroups = 512;
// From this bound on, workers keep four keys in flight instead of two (F16
// caches, heads of 64 or 128): 165.0 tok/s at 32K with 512 workgroups.
// Not below: at 512 it measured 241 against 249 tok/s (within the spread of
// earlier runs, but nothing to gain there).
constexpr uint32_t kDecodeFourKeysFrom = 16384;
constexpr uint32_t kDecodeMinKeysPerSplit = 128;
// MAX_SPLITS in attention_combine.comp: attention_decode clamps to it, and
// attention_tiles plans at most kTargetWorkgroups splits.
constexpr uint32_t kMaxCombinedSplits = 1024;
static_assert(kTargetWorkgroups <= kMaxCombinedSplits);
constexpr uint32_t kCoopmatRows = 64;          // BR in attention_cm.comp (128 with SUBGROUPS 8)

using detail::ceil_div;

uint32_t groups_x(Sequence& seq, uint32_t groups, uint32_t* gy) {
  const uint32_t max_x = seq.context().info().max_workgroup_count[0];
  *gy = groups <= max_x ? 1 : ceil_div(groups, max_x);
  return groups <= max_x ? groups : max_x;
}

}  // namespace

void add_bias(Sequence& seq, const Buffer& x, const Buffer& bias, uint32_t rows, uint32_t cols) {
  struct Push {
    uint32_t rows, cols;
  } p{rows, cols};
  vk::Kernel& k = seq.context().kernel(KernelDesc{"add_bias", {Access::ReadWrite, Access::Read}, sizeof(Push), {}});
  uint32_t gy;
  const uint32_t gx = groups_x(seq, ceil_div(rows * cols, 256), &gy);
  seq.dispatch(k, {x, bias}, p, gx, gy, 1, "add_bias");
}

void kv_store(Sequence& seq, const KvCache& cache, int layer, const Buffer& k, const Buffer& v,
              const Buffer& positions, uint32_t n_tokens, uint32_t pos0, const KeyRotation* rotation) {
  if (pos0 + n_tokens > static_cast<uint32_t>(cache.n_ctx()))
    throw vk::VulkanError("KV cache overflow: positions up to " + std::to_string(pos0 + n_tokens) +
                          " in a cache of " + std::to_string(cache.n_ctx()));
  if (n_tokens > static_cast<uint32_t>(cache.rows(layer)))
    throw vk::VulkanError("kv_store: " + std::to_string(n_tokens) + " tokens at once in a ring of " +
                          std::to_string(cache.rows(layer)) + " rows");
  if (rotation && (rotation->n_rot % 2 != 0 || rotation->n_rot > static_cast<uint32_t>(cache.head_dim())))
    throw vk::VulkanError("kv_store: n_rot must be even and at most head_dim");
  struct Push {
    uint32_t n_tokens, n_ctx, head_dim, kv_dim, head_begin, heads, scale_offset, n_rot, neox;
    float attn_factor;
    uint32_t q_heads;
  };
  const bool q8 = cache.type() == KvCacheType::Q8_0;
  bool queries = rotation && rotation->queries && rotation->query_heads > 0;
  // MRROPE_QUERY_ROPE=separate: the queries in their own rope pass, as before they joined this one (A/B).
  if (queries && detail::env_is("MRROPE_QUERY_ROPE", "separate")) {
    rope(seq, *rotation->queries, positions, rotation->turns,
         {n_tokens, rotation->query_heads, uint32_t(cache.head_dim()), rotation->n_rot, rotation->neox,
          rotation->attn_factor});
    queries = false;
  }
  // Q8_0 reads back the word of scales it shares with a neighbouring block.
  const Access cache_access = q8 ? Access::ReadWrite : Access::Write;
  std::vector<Access> access{Access::Read, Access::Read, cache_access, cache_access, Access::Read};
  if (rotation) access.push_back(Access::Read);
  if (queries) access.push_back(Access::ReadWrite);
  const std::string name =
      std::string(q8 ? "kv_store_q8_0" : "kv_store") + (rotation ? "_rope" : "") + (queries ? "_q" : "");
  vk::Kernel& kern = seq.context().kernel(KernelDesc{name, access, sizeof(Push), {}});
  const auto& groups = cache.layer(layer);
  uint32_t kv_heads = 0;
  for (const auto& g : groups) kv_heads += g.heads;
  const uint32_t hd = static_cast<uint32_t>(cache.head_dim());
  // One thread per half pair (F16) or per block of 32 (Q8_0); the first
  // group's dispatch adds one thread per query pair.
  const uint32_t per_row = q8 ? hd / 32 : hd / 2;
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const auto& g = groups[gi];
    const uint32_t q_heads = queries && gi == 0 ? rotation->query_heads : 0;
    Push p{n_tokens, g.rows, hd, kv_heads * hd, g.head_begin, g.heads,
           cache.scale_offset_words(g), rotation ? rotation->n_rot : 0, rotation && rotation->neox ? 1u : 0u,
           rotation ? rotation->attn_factor : 1.0f, q_heads};
    const uint32_t threads = n_tokens * g.heads * per_row + n_tokens * q_heads * (rotation ? rotation->n_rot / 2 : 0);
    std::vector<vk::BufferRef> buffers{k, v, g.k, g.v, positions};  // bindings in `access`'s order
    if (rotation) buffers.push_back(rotation->turns);
    if (queries) buffers.push_back(*rotation->queries);
    uint32_t gy;
    const uint32_t gx = groups_x(seq, ceil_div(threads, 256), &gy);
    seq.dispatch(kern, buffers, &p, sizeof p, gx, gy, 1, "kv_store");
  }
}

AttentionScratch::AttentionScratch(vk::Context& ctx, uint32_t rows, uint32_t hd)
    : partial_o(ctx, uint64_t(rows) * hd * 4, vk::MemoryUsage::Device),
      partial_ml(ctx, uint64_t(rows) * 8, vk::MemoryUsage::Device),
      split_counters(ctx, uint64_t(rows) * 4, vk::MemoryUsage::Device),
      max_rows(rows),
      head_dim(hd) {
  const std::vector<uint32_t> zeros(rows, 0);  // the kernel's last workgroup puts each back to 0
  split_counters.write(std::span<const uint32_t>(zeros));
}

uint32_t decode_kv_bound(uint32_t kv_len, uint32_t n_ctx) {
  uint32_t bound = kMinKeysPerSplit;
  while (bound < kv_len) bound *= 2;
  return std::max(kv_len, std::min(bound, n_ctx));
}

namespace {

// The push constant `scale`: the caller's, or 1 / sqrt(head_dim).
float score_scale(const AttentionArgs& a, uint32_t hd) {
  return a.scale > 0 ? a.scale : 1.0f / std::sqrt(static_cast<float>(hd));
}

std::string kernel_name(const char* base, uint32_t hd, bool q8) {
  return std::string(base) + "_d" + std::to_string(hd) + (q8 ? "_q8_0" : "");
}

// Up to this many splits the decode kernel's last workgroup merges them
// (FOLD in attention_decode.comp) instead of an attention_combine dispatch.
// Off by default: on the H100 the fold made decode at 512 slower (239.1
// tok/s against 248.8 and 252.3 with the combine dispatch, same machine;
// docs/bench/h100-decode-s28.txt). MRROPE_DECODE_FOLD=N turns it on up to N splits.
constexpr uint32_t kDecodeFoldSplits = 0;

// Whether the int8 copy of the attention output (for the output projection)
// can be written: heads of whole 32-blocks and room in out_q8.
bool writes_int8(const Buffer* out_q8, uint32_t hd, const AttentionArgs& a) {
  return out_q8 && hd % 32 == 0 && hd <= 256 && out_q8->size() >= quantized_act_bytes(a.n_head * hd, a.n_tokens);
}

struct DecodePlan {
  uint32_t splits;
  bool folded;  // the kernel wrote the final output itself
};

// attention_decode.comp: one workgroup per (kv head, split, chunk of query rows).
DecodePlan attention_decode(Sequence& seq, const KvCache& cache, const Buffer& q, const Buffer& positions,
                            AttentionScratch& scratch, const AttentionArgs& a, const Buffer& out,
                            const Buffer* out_q8) {
  const vk::DeviceInfo& info = seq.context().info();
  const uint32_t hd = static_cast<uint32_t>(cache.head_dim()), group = a.n_head / a.n_kv_head;
  const uint32_t chunks = ceil_div(a.n_tokens * group, kDecodeRows);
  // Enough splits for ~kDecodeWorkgroups workgroups, each of at least
  // kDecodeMinKeysPerSplit keys at the shortest length this plan is replayed
  // for (over half the bound); the kernel then shares the current keys among them.
  const uint32_t bound = decode_kv_bound(a.q_pos0 + a.n_tokens, static_cast<uint32_t>(cache.n_ctx()));
  const char* min_keys_env = std::getenv("MRROPE_DECODE_MIN_KEYS");  // tuning runs
  const uint32_t min_keys = min_keys_env ? std::max(8, std::atoi(min_keys_env)) : kDecodeMinKeysPerSplit;
  const char* wg_env = std::getenv("MRROPE_DECODE_WORKGROUPS");
  const uint32_t target = wg_env ? std::max(1, std::atoi(wg_env)) : kDecodeWorkgroups;
  uint32_t splits = std::min(ceil_div(target, a.n_kv_head * chunks), ceil_div(bound / 2, min_keys));
  splits = std::max(1u, std::min({splits, scratch.max_rows / (a.n_tokens * a.n_head), kMaxCombinedSplits}));

  const char* fold_env = std::getenv("MRROPE_DECODE_FOLD");
  const bool fold = splits <= (fold_env ? uint32_t(std::max(0, std::atoi(fold_env))) : kDecodeFoldSplits);
  const uint32_t fold_mode = !fold ? 0 : writes_int8(out_q8, hd, a) ? 2 : 1;

  struct Push {
    uint32_t n_tokens, n_head, q_stride, n_ctx, group, head_begin;
    float scale;
    uint32_t scale_offset, window;
    float softcap;
    uint32_t out_stride;
  };
  // Merge buffers for as many subgroups as the workgroup could hold (subgroups
  // of 8, the kernel's minimum), whatever size the driver picks.
  const char* threads_env = std::getenv("MRROPE_DECODE_THREADS");  // tuning runs: 128, 256, ...
  const uint32_t wg_threads = threads_env ? uint32_t(std::clamp(std::atoi(threads_env), 32, 1024)) : 128u;
  const uint32_t wg = std::max(wg_threads, info.subgroup_size), subgroups = wg / 8;
  // Two merge buffers (one barrier a row) where they fit beside the query rows.
  const uint32_t pairs = hd / 2, merge_bytes = subgroups * (8 + pairs * 8);
  const uint32_t buffers = kDecodeRows * pairs * 8 + 2 * merge_bytes <= info.max_shared_memory ? 2 : 1;
  const Access partial = fold ? Access::ReadWrite : Access::Write, result = fold ? Access::Write : Access::Read;
  const bool q8_cache = cache.type() == KvCacheType::Q8_0;
  // Four keys in flight per worker at long contexts (F16 caches, heads of 64
  // or 128); MRROPE_DECODE_KEYS=2 or 4 chooses for tuning runs.
  const char* keys_env = std::getenv("MRROPE_DECODE_KEYS");
  const bool want_four = keys_env ? std::atoi(keys_env) == 4 : bound >= kDecodeFourKeysFrom;
  const bool four_keys = want_four && !q8_cache && (hd == 64 || hd == 128);
  vk::Kernel& k = seq.context().kernel(KernelDesc{kernel_name(four_keys ? "attention_decode_k4" : "attention_decode", hd, q8_cache),
                                                  {Access::Read, Access::Read, Access::Read, Access::Read, partial,
                                                   partial, result, result, Access::ReadWrite},
                                                  sizeof(Push),
                                                  {wg, subgroups, buffers, fold_mode}});
  const Buffer& q8 = fold_mode == 2 ? *out_q8 : out;  // bound either way; written only with FOLD 2
  for (const auto& g : cache.layer(a.layer)) {
    Push p{a.n_tokens, a.n_head, a.n_head * hd, g.rows, group, g.head_begin, score_scale(a, hd),
           cache.scale_offset_words(g), a.window, a.softcap, a.n_head * hd};
    seq.dispatch(k, {q, g.k, g.v, positions, scratch.partial_o, scratch.partial_ml, out, q8, scratch.split_counters},
                 p, splits, g.heads, chunks, "attention_decode");
  }
  return {splits, fold};
}

// attention.comp: one workgroup per (block of query tokens, query head, split);
// returns the split count.
uint32_t attention_tiles(Sequence& seq, const KvCache& cache, const Buffer& q, AttentionScratch& scratch,
                         const AttentionArgs& a) {
  const uint32_t hd = static_cast<uint32_t>(cache.head_dim());
  const uint32_t rows = a.n_tokens * a.n_head;
  // Enough key splits to keep the device busy when there are few queries
  // (decoding), within the scratch space; one split for large batches.
  const uint32_t kv_len = a.q_pos0 + a.n_tokens;
  const uint32_t blocks = ceil_div(a.n_tokens, kQueryBlock) * a.n_head;
  // A CPU device (lavapipe) runs a few workgroups at a time: splits there only
  // add partial results and a combine pass (64-token chunks of a cancellable
  // prefill read 20% slower than 512-token ones with the GPU's target).
  const uint32_t target = seq.context().info().type == "CPU" ? kCpuTargetWorkgroups : kTargetWorkgroups;
  uint32_t splits = std::max(1u, std::min(ceil_div(kv_len, kMinKeysPerSplit), ceil_div(target, blocks)));
  splits = std::min(splits, scratch.max_rows / rows);
  const uint32_t keys_per_split = ceil_div(ceil_div(kv_len, splits), 128) * 128;
  splits = ceil_div(kv_len, keys_per_split);

  struct Push {
    uint32_t n_tokens, n_head, q_stride, q_pos0, n_ctx, group, head_begin, keys_per_split;
    float scale;
    uint32_t scale_offset, window;
    float softcap;
  };
  vk::Kernel& k = seq.context().kernel(KernelDesc{kernel_name("attention", hd, cache.type() == KvCacheType::Q8_0),
                                                  {Access::Read, Access::Read, Access::Read, Access::Write,
                                                   Access::Write},
                                                  sizeof(Push),
                                                  {}});
  const uint32_t group = a.n_head / a.n_kv_head;
  for (const auto& g : cache.layer(a.layer)) {
    Push p{a.n_tokens, a.n_head, a.n_head * hd, a.q_pos0, g.rows, group,
           g.head_begin * group, keys_per_split, score_scale(a, hd), cache.scale_offset_words(g), a.window,
           a.softcap};
    seq.dispatch(k, {q, g.k, g.v, scratch.partial_o, scratch.partial_ml}, p, ceil_div(a.n_tokens, kQueryBlock),
                 g.heads * group, splits, "attention");
  }
  return splits;
}

// MRROPE_ATTENTION_CM=registers: the softmax in registers, where the rows sit
// on lane quads; registers128: the same with 128 query rows a workgroup (heads
// up to 128). Opt-in until timed on a GPU (its test runs every kind).
enum class CoopmatSoftmax { Shared, Registers, Registers128 };
CoopmatSoftmax coopmat_softmax(vk::Context& ctx, uint32_t head_dim) {
  const char* env = std::getenv("MRROPE_ATTENTION_CM");
  const std::string asked = env ? env : "";
  if ((asked != "registers" && asked != "registers128") || !accumulator_rows_in_quads(ctx))
    return CoopmatSoftmax::Shared;
  return asked == "registers128" && head_dim <= 128 ? CoopmatSoftmax::Registers128 : CoopmatSoftmax::Registers;
}

// attention_cm.comp: one workgroup per (64 query tokens, query head), output
// written normalized.
void attention_coopmat(Sequence& seq, const KvCache& cache, const Buffer& q, const Buffer& out,
                       const AttentionArgs& a) {
  const uint32_t hd = static_cast<uint32_t>(cache.head_dim()), group = a.n_head / a.n_kv_head;
  struct Push {
    uint32_t n_tokens, q_stride, q_pos0, n_ctx, group, head_begin;
    float scale;
    uint32_t scale_offset, window;
    float softcap;
  };
  // 16x16 accumulators where the device has them, else 16x8; the softmax
  // through shared memory, or in registers where asked for (coopmat_softmax).
  const CoopmatSoftmax softmax = seq.context().info().coopmat_16x16x16 ? coopmat_softmax(seq.context(), hd)
                                                                        : CoopmatSoftmax::Shared;
  const char* base = !seq.context().info().coopmat_16x16x16        ? "attention_cm_n8"
                     : softmax == CoopmatSoftmax::Registers128      ? "attention_cm_rs8"
                     : softmax == CoopmatSoftmax::Registers         ? "attention_cm_rs"
                                                                    : "attention_cm";
  const uint32_t rows = softmax == CoopmatSoftmax::Registers128 ? 2 * kCoopmatRows : kCoopmatRows;
  std::string name = kernel_name(base, hd, cache.type() == KvCacheType::Q8_0);
  // Developer profiling (cmake -DMRROPE_DEV_ABLATIONS=ON): a kernel with stages skipped.
  const char* ablate = std::getenv("MRROPE_ATTENTION_ABLATE");
  if (ablate) name = std::string("attention_cm_rs_ab") + ablate + "_d" + std::to_string(hd);
  // The register softmax computes its elements' places where the accumulators have the mma layout.
  const bool in_registers = softmax != CoopmatSoftmax::Shared || ablate;
  const uint32_t mma_layout = in_registers && accumulator_mma_layout(seq.context()) ? 1 : 0;
  vk::Kernel& k = seq.context().kernel(KernelDesc{name,
                                                  {Access::Read, Access::Read, Access::Read, Access::Write},
                                                  sizeof(Push),
                                                  {mma_layout}});
  for (const auto& g : cache.layer(a.layer)) {
    Push p{a.n_tokens, a.n_head * hd, a.q_pos0, g.rows, group, g.head_begin * group,
           score_scale(a, hd), cache.scale_offset_words(g), a.window, a.softcap};
    seq.dispatch(k, {q, g.k, g.v, out}, p, ceil_div(a.n_tokens, rows), g.heads * group, 1, "attention_cm");
  }
}

}  // namespace

// The matrix-unit prefill kernel's needs: 16x16x16 or 16x8x16 f16 matrices,
// subgroups of 32, 48 KiB of shared memory.
bool prefill_attention_on_coopmat(const vk::DeviceInfo& info) {
  return info.coopmat_nv && (info.coopmat_16x16x16 || info.coopmat_16x8x16) && info.subgroup_size == 32 &&
         info.subgroup_shuffle && info.max_shared_memory >= 48 * 1024 && !detail::coopmat_turned_off();
}

bool decode_attention_supported(const vk::DeviceInfo& info) {
  // Workers of 8 lanes need subgroups of at least 8 (subgroup sizes are powers of two).
  return info.subgroup_shuffle && info.subgroup_size >= 8 &&
         std::max(128u, info.subgroup_size) <= info.max_workgroup_invocations;
}

bool attention(Sequence& seq, const KvCache& cache, const Buffer& q, const Buffer& positions, const Buffer& out,
               AttentionScratch& scratch, const AttentionArgs& a, const Buffer* out_q8) {
  const uint32_t hd = static_cast<uint32_t>(cache.head_dim());
  const bool q8 = cache.type() == KvCacheType::Q8_0;
  if (hd != 64 && hd != 80 && hd != 96 && hd != 128 && hd != 256)
    throw vk::VulkanError("attention: head size " + std::to_string(hd) + " has no kernel (64, 80, 96, 128, 256)");
  if (q8 && hd % 32 != 0)
    throw vk::VulkanError("attention: head size " + std::to_string(hd) +
                          " has no Q8_0 cache kernel (64, 96, 128, 256)");
  const uint32_t rows = a.n_tokens * a.n_head;
  if (rows > scratch.max_rows) throw vk::VulkanError("attention: scratch too small for this batch");
  // A ring holds a windowed layer's last rows positions: every key a token of
  // this call sees (the window before the first, up to the last) must have a row of its own.
  if (cache.is_ring(a.layer) && (a.window == 0 || a.window + a.n_tokens - 1 > uint32_t(cache.rows(a.layer))))
    throw vk::VulkanError("attention: a ring of " + std::to_string(cache.rows(a.layer)) + " rows cannot serve " +
                          std::to_string(a.n_tokens) + " tokens with a window of " + std::to_string(a.window));

  const vk::DeviceInfo& info = seq.context().info();
  if (a.n_tokens > kDecodeMaxTokens && prefill_attention_on_coopmat(info)) {
    attention_coopmat(seq, cache, q, out, a);
    return false;
  }
  const bool decode = a.n_tokens <= kDecodeMaxTokens && decode_attention_supported(info);
  const bool quantize = writes_int8(out_q8, hd, a);
  uint32_t splits;
  if (decode) {
    const DecodePlan plan = attention_decode(seq, cache, q, positions, scratch, a, out, out_q8);
    if (plan.folded) return quantize;
    splits = plan.splits;
  } else {
    splits = attention_tiles(seq, cache, q, scratch, a);
  }

  struct CombinePush {
    uint32_t n_tokens, n_head, head_dim, splits, out_stride;
  } cp{a.n_tokens, a.n_head, hd, splits, a.n_head * hd};
  uint32_t gy;
  const uint32_t gx = groups_x(seq, rows, &gy);
  if (!quantize) {
    vk::Kernel& c = seq.context().kernel(
        KernelDesc{"attention_combine", {Access::Read, Access::Read, Access::Write}, sizeof(CombinePush), {}});
    seq.dispatch(c, {scratch.partial_o, scratch.partial_ml, out}, cp, gx, gy, 1, "attention_combine");
    return false;
  }
  vk::Kernel& c = seq.context().kernel(KernelDesc{
      "attention_combine_q8", {Access::Read, Access::Read, Access::Write, Access::Write}, sizeof(CombinePush), {}});
  seq.dispatch(c, {scratch.partial_o, scratch.partial_ml, out, *out_q8}, cp, gx, gy, 1, "attention_combine");
  return true;
}

void token_nll(Sequence& seq, const Buffer& logits, const Buffer& targets, const Buffer& nll, uint32_t rows,
               uint32_t vocab, uint32_t target_offset, uint32_t out_offset) {
  struct Push {
    uint32_t rows, vocab, target_offset, out_offset;
  } p{rows, vocab, target_offset, out_offset};
  vk::Kernel& k = seq.context().kernel(
      KernelDesc{"token_nll", {Access::Read, Access::Read, Access::Write}, sizeof(Push), {}});
  uint32_t gy;
  const uint32_t gx = groups_x(seq, rows, &gy);
  seq.dispatch(k, {logits, targets, nll}, p, gx, gy, 1, "token_nll");
}

}  // namespace mrrope::ops
