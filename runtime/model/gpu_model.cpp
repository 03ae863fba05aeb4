#include "model/gpu_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "model/prefill_plan.h"
#include "ops/matvec_int8.h"
#include "ops/rope_turns.h"
#include "vulkan/context.h"
#include "vulkan/sequence.h"

namespace mrrope {
namespace {

using vk::MemoryUsage;

vk::DeviceTensor upload_tensor(vk::Context& ctx, const TensorView& t, const std::string& name) {
  vk::DeviceTensor dt(ctx, t.type(), t.cols(), t.rows(), name);
  dt.upload(t.data);
  return dt;
}

// Products that read one input, stacked where they can be (ops/stacked_weights.h).
ops::StackedWeights stack(vk::Context& ctx, std::initializer_list<std::pair<const TensorView*, std::string>> views,
                          const std::string& stack_name) {
  std::vector<ops::WeightPart> parts;
  for (const auto& [t, name] : views) parts.push_back({t->type(), t->cols(), t->rows(), t->data, name});
  return ops::StackedWeights(ctx, parts, stack_name);
}

vk::Buffer upload_f32(vk::Context& ctx, const TensorView& t) {
  if (!t) return {};
  vk::Buffer b(ctx, t.data.size(), MemoryUsage::Device);
  b.write(t.data.data(), t.data.size());
  return b;
}

vk::Buffer activations(vk::Context& ctx, uint64_t floats) {
  return vk::Buffer(ctx, std::max<uint64_t>(floats, 1) * 4, MemoryUsage::Device);
}

vk::Buffer upload_turns(vk::Context& ctx, std::span<const double> freq) {
  const auto turns = ops::encode_rope_turns(freq);
  vk::Buffer b(ctx, turns.size() * 4, MemoryUsage::Device);
  b.write(turns.data(), turns.size() * 4);
  return b;
}

uint64_t tensor_bytes(const TensorView& t) { return t ? t.data.size() : 0; }

GpuModelOptions resolve(const ModelConfig& c, GpuModelOptions o) {
  if (o.n_ctx <= 0) o.n_ctx = c.n_ctx_train;
  if (o.max_batch <= 0) o.max_batch = kMinAutoChunk;
  o.max_batch = std::min(o.max_batch, o.n_ctx);
  if (o.max_logit_rows <= 0) o.max_logit_rows = std::min(o.max_batch, 512);
  o.max_logit_rows = std::min(o.max_logit_rows, o.max_batch);
  return o;
}

uint32_t attention_rows(const ModelConfig& c, const GpuModelOptions& o) {
  return static_cast<uint32_t>(std::max(o.max_batch, 64) * c.n_head);
}

// Decode inputs quantized to int8 for the integer-dot products (ops/matvec_int8.h):
// up to 8 columns of the longest product input.
uint32_t longest_input(const ModelConfig& c) { return static_cast<uint32_t>(std::max({c.n_embd, c.n_ff, c.q_dim()})); }

uint64_t quantized_input_bytes(const ModelConfig& c) {
  return ops::quantized_act_bytes((longest_input(c) + 31) / 32 * 32, 8);
}

// Counted on every device, though only those with matrix units allocate it.
uint64_t f16_input_bytes(const ModelConfig& c, uint32_t batch) { return ops::f16_act_bytes(longest_input(c), batch); }

}  // namespace

std::vector<int> kv_layer_rows(const ModelConfig& c, const GpuModelOptions& options) {
  const GpuModelOptions o = resolve(c, options);
  std::vector<int> rows(c.n_layer, o.n_ctx);
  if (o.window_kv_cache)
    for (int l = 0; l < c.n_layer; ++l)
      if (c.is_local(l)) rows[l] = static_cast<int>(std::min<int64_t>(o.n_ctx, int64_t(c.swa_window) + o.max_batch - 1));
  return rows;
}

MemoryEstimate estimate_memory(const ModelConfig& c, const ModelTensors& t, const GpuModelOptions& options) {
  const GpuModelOptions o = resolve(c, options);
  MemoryEstimate m;
  m.weights = tensor_bytes(t.tok_embd) + tensor_bytes(t.output_norm) + (c.tied_output ? 0 : tensor_bytes(t.output));
  for (const LayerTensors& l : t.layers)
    for (const TensorView* v : l.all()) m.weights += tensor_bytes(*v);
  m.kv_cache = ops::KvCache::bytes_needed(kv_layer_rows(c, o), c.n_head_kv, c.head_dim, o.kv_type);
  const uint64_t per_token = 3ull * c.n_embd + 2ull * c.q_dim() + 2ull * c.kv_dim() + 2ull * c.n_ff + 2;
  m.scratch = 4 * (per_token * o.max_batch + uint64_t(o.max_logit_rows) * c.n_vocab) +
              uint64_t(attention_rows(c, o)) * (c.head_dim * 4 + 8) + quantized_input_bytes(c) +
              f16_input_bytes(c, o.max_batch);
  return m;
}

int auto_prefill_chunk(const vk::DeviceInfo& device, const ModelConfig& c, const ModelTensors& t,
                       const GpuModelOptions& options) {
  GpuModelOptions o = options;
  o.max_batch = kMinAutoChunk;
  if (device.type == "CPU") return kMinAutoChunk;
  const MemoryEstimate base = estimate_memory(c, t, o);
  const uint64_t fixed = base.weights + base.kv_cache;
  const uint64_t spare = device.device_local_bytes > fixed ? (device.device_local_bytes - fixed) / 4 : 0;
  int chunk = kMinAutoChunk;
  for (int next = chunk * 2; next <= kMaxAutoChunk && next <= resolve(c, options).n_ctx; next *= 2) {
    o.max_batch = next;
    if (estimate_memory(c, t, o).scratch > spare) break;
    chunk = next;
  }
  return chunk;
}

GpuModel::GpuModel(vk::Context& ctx, const GgufFile& file, const ModelConfig& config, const GpuModelOptions& options)
    : ctx_(ctx), path_(file.path()), c_(config), options_(options) {
  const ModelTensors t = ModelTensors::bind(file, config);
  if (options_.max_batch <= 0) options_.max_batch = auto_prefill_chunk(ctx.info(), c_, t, options_);
  options_ = resolve(c_, options_);
  try {
    ops::KvCache::check_supported(c_.head_dim, options_.kv_type);
  } catch (const std::invalid_argument& e) {
    throw ModelError(e.what());
  }
  // The logits buffer must fit one buffer (128 MiB on lavapipe).
  const uint64_t rows_fit = ctx.max_buffer_bytes() / (uint64_t(c_.n_vocab) * 4);
  if (rows_fit == 0) throw ModelError("the vocabulary is too large for one logits buffer on this device");
  options_.max_logit_rows = static_cast<int>(std::min<uint64_t>(options_.max_logit_rows, rows_fit));
  memory_ = estimate_memory(c_, t, options_);
  const uint64_t available = ctx.info().device_local_bytes;
  if (memory_.total() > available) {
    // The KV cache is what grows with the context: how many tokens would fit, per type.
    auto fits = [&](KvCacheType type) {
      // Only full-length layers grow with the context; rings are a fixed size, counted with the weights.
      int growing = 0;
      uint64_t ring_rows = 0;
      for (int r : kv_layer_rows(c_, options_)) {
        if (r == options_.n_ctx) ++growing;
        else ring_rows += uint64_t(r);
      }
      const uint64_t per_token = ops::KvCache::bytes_needed(std::max(growing, 1), c_.n_head_kv, c_.head_dim, 1, type);
      const uint64_t rings = ops::KvCache::bytes_needed(1, c_.n_head_kv, c_.head_dim, 1, type) * ring_rows;
      const uint64_t fixed = memory_.weights + memory_.scratch + rings;
      return std::to_string(available > fixed ? (available - fixed) / per_token : 0);
    };
    std::string hint = "; use a shorter context (at most " + fits(options_.kv_type) + " tokens fit";
    if (options_.kv_type == KvCacheType::F16 && c_.head_dim % 32 == 0)
      hint += ", or " + fits(KvCacheType::Q8_0) + " with a q8_0 KV cache";
    throw ModelError("a context of " + std::to_string(options_.n_ctx) + " tokens needs " +
                     vk::format_bytes(memory_.total()) + " of device memory (weights " +
                     vk::format_bytes(memory_.weights) + ", KV cache " + vk::format_bytes(memory_.kv_cache) + " in " +
                     kv_cache_type_name(options_.kv_type) + ", scratch " + vk::format_bytes(memory_.scratch) +
                     ") but " + ctx.info().name + " has " + vk::format_bytes(available) + hint + ")");
  }

  tok_embd_ = upload_tensor(ctx, t.tok_embd, "token_embd");
  if (!c_.tied_output) output_ = upload_tensor(ctx, t.output, "output");
  output_norm_ = upload_f32(ctx, t.output_norm);
  for (size_t i = 0; i < t.layers.size(); ++i) {
    const LayerTensors& l = t.layers[i];
    const std::string p = "blk." + std::to_string(i) + ".";
    layers_.push_back({stack(ctx, {{&l.wq, p + "attn_q"}, {&l.wk, p + "attn_k"}, {&l.wv, p + "attn_v"}}, p + "attn_qkv"),
                       stack(ctx, {{&l.w_gate, p + "ffn_gate"}, {&l.w_up, p + "ffn_up"}}, p + "ffn_gate_up"),
                       upload_tensor(ctx, l.wo, p + "attn_output"),
                       upload_tensor(ctx, l.w_down, p + "ffn_down"), upload_f32(ctx, l.attn_norm),
                       upload_f32(ctx, l.ffn_norm), upload_f32(ctx, l.bq), upload_f32(ctx, l.bk),
                       upload_f32(ctx, l.bv), upload_f32(ctx, l.q_norm),
                       upload_f32(ctx, l.k_norm), upload_f32(ctx, l.attn_post_norm), upload_f32(ctx, l.ffn_post_norm)});
  }
  kv_ = std::make_unique<ops::KvCache>(ctx, c_.n_layer, c_.n_head_kv, c_.head_dim, options_.n_ctx, options_.kv_type,
                                       kv_layer_rows(c_, options_));
  attn_scratch_ = std::make_unique<ops::AttentionScratch>(ctx, attention_rows(c_, options_), c_.head_dim);

  const uint64_t B = options_.max_batch;
  ids_ = vk::Buffer(ctx, B * 4, MemoryUsage::Upload);
  positions_ = vk::Buffer(ctx, B * 4, MemoryUsage::Upload);
  targets_ = vk::Buffer(ctx, B * 4, MemoryUsage::Upload);
  nll_ = activations(ctx, B);
  x_ = activations(ctx, B * c_.n_embd);
  xn_ = activations(ctx, B * c_.n_embd);
  o_ = activations(ctx, B * c_.n_embd);
  q_ = activations(ctx, B * c_.q_dim());
  attn_ = activations(ctx, B * c_.q_dim());
  k_ = activations(ctx, B * c_.kv_dim());
  v_ = activations(ctx, B * c_.kv_dim());
  gate_ = activations(ctx, B * c_.n_ff);
  up_ = activations(ctx, B * c_.n_ff);
  xq_ = vk::Buffer(ctx, quantized_input_bytes(c_), MemoryUsage::Device);
  if (ops::matmul_on_coopmat(ctx.info())) xh_ = vk::Buffer(ctx, f16_input_bytes(c_, B), MemoryUsage::Device);
  first_bad_layer_ = vk::Buffer(ctx, 4, MemoryUsage::Readback);
  logits_ = activations(ctx, uint64_t(options_.max_logit_rows) * c_.n_vocab);
  // Host-visible copies the forward pass fills at its end, so reading results
  // needs no extra submission or allocation.
  logits_host_ = vk::Buffer(ctx, logits_.size(), MemoryUsage::Readback);
  nll_host_ = vk::Buffer(ctx, nll_.size(), MemoryUsage::Readback);

  std::vector<double> plain(c_.rope.n_rot / 2);
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = std::pow(c_.rope.freq_base, -2.0 * i / c_.rope.n_rot);
  set_rope(plain, 1.0f);
  if (c_.has_local_layers()) rope_turns_local_ = upload_turns(ctx, c_.local_rope_freq());
}

void GpuModel::set_rope(std::span<const double> freq, float attn_factor) {
  if (freq.size() != static_cast<size_t>(c_.rope.n_rot / 2))
    throw ModelError("rope table has " + std::to_string(freq.size()) + " pairs, the model rotates " +
                     std::to_string(c_.rope.n_rot / 2));
  decode_seq_.reset();  // it binds the old table
  checkpoint_.reset();  // keys of the old schedule
  checkpoint_mark_ = -1;
  rope_turns_ = upload_turns(ctx_, freq);
  attn_factor_ = attn_factor;
}

void GpuModel::record_layer(vk::Sequence& seq, const Layer& L, int layer, uint32_t n, uint32_t pos0) {
  const auto E = static_cast<uint32_t>(c_.n_embd);
  // Later layers get their input norm from the previous layer's fused residual add.
  if (layer == 0) ops::rms_norm(seq, x_, L.attn_norm, xn_, n, E, c_.rms_eps);
  // Later layers get their QKV input in int8 too from that add, where the products take it.
  const vk::Buffer* q8 = int8_products(n) ? &xq_ : nullptr;
  ops::SharedInput qkv_in(seq, xn_, xq_, E, n, layer > 0 && q8, f16_input());
  qkv_in.matmul(L.qkv, {q_, k_, v_});
  if (c_.qkv_bias) {
    ops::add_bias(seq, q_, L.bq, n, c_.q_dim());
    ops::add_bias(seq, k_, L.bk, n, c_.kv_dim());
    ops::add_bias(seq, v_, L.bv, n, c_.kv_dim());
  }
  const auto hd = static_cast<uint32_t>(c_.head_dim), rot = static_cast<uint32_t>(c_.rope.n_rot);
  if (c_.qk_norm) {  // qwen3: every head of q and k is one row of head_dim for the norm
    ops::rms_norm(seq, q_, L.q_norm, q_, n * uint32_t(c_.n_head), hd, c_.rms_eps);
    ops::rms_norm(seq, k_, L.k_norm, k_, n * uint32_t(c_.n_head_kv), hd, c_.rms_eps);
  }
  // Local (sliding-window) layers rotate with their own plain RoPE, untouched by the method.
  const bool local = c_.is_local(layer);
  const vk::Buffer& turns = local ? rope_turns_local_ : rope_turns_;
  const float attn_factor = local ? 1.0f : attn_factor_;
  // Keys are rotated on their way into the cache, and the queries in place by
  // the same dispatch (one pass instead of two ropes and a store).
  const ops::KeyRotation rotation{turns, rot, c_.neox, attn_factor, &q_, uint32_t(c_.n_head)};
  ops::kv_store(seq, *kv_, layer, k_, v_, positions_, n, pos0, &rotation);
  ops::AttentionArgs attention_args{n, pos0, uint32_t(c_.n_head), uint32_t(c_.n_head_kv), layer};
  attention_args.window = local ? static_cast<uint32_t>(c_.swa_window) : 0;
  // The model's query scale (Gemma's 27B models: 1 / sqrt(n_embd / n_head)) and
  // Gemma 2's attention-logit soft-capping, both applied to the scores in the kernels.
  attention_args.scale = static_cast<float>(c_.query_scale());
  attention_args.softcap = c_.attn_logit_softcap;
  // On the int8 path the attention's last pass also writes its output in int8 for wo.
  const bool attn_q8 = ops::attention(seq, *kv_, q_, positions_, attn_, *attn_scratch_, attention_args, q8);
  if (probe_ && probe_->layer() == layer) probe_->record(seq, *kv_, q_, attention_args);
  ops::SharedInput(seq, attn_, xq_, uint32_t(c_.q_dim()), n, attn_q8, f16_input()).matmul(L.wo, o_);
  if (c_.post_norms) ops::rms_norm(seq, o_, L.attn_post_norm, o_, n, E, c_.rms_eps);
  const ops::NonFiniteWatch watch{&first_bad_layer_, static_cast<uint32_t>(layer)};
  ops::add_rms_norm(seq, x_, o_, L.ffn_norm, xn_, n, E, c_.rms_eps, q8, &watch);
  ops::SharedInput ffn_in(seq, xn_, xq_, E, n, q8, f16_input());
  ffn_in.matmul(L.gate_up, {gate_, up_});
  const auto ff = static_cast<uint32_t>(c_.n_ff);
  // The int8 products take silu(gate) * up straight from the fused activation-and-quantize pass.
  // GeGLU (gemma2/3) has no fused pass: SharedInput quantizes its output where needed.
  const bool swiglu_q8 = !c_.gelu_ffn && ops::takes_int8_input(ctx_.info(), L.w_down, n);
  if (c_.gelu_ffn) ops::gelu_mul(seq, gate_, up_, gate_, n * ff);
  else if (swiglu_q8) ops::swiglu_quantize(seq, gate_, up_, xq_, ff, n);
  else ops::silu_mul(seq, gate_, up_, gate_, n * ff);
  ops::SharedInput(seq, gate_, xq_, ff, n, swiglu_q8, f16_input()).matmul(L.w_down, o_);
  if (c_.post_norms) ops::rms_norm(seq, o_, L.ffn_post_norm, o_, n, E, c_.rms_eps);
  if (layer + 1 < c_.n_layer)
    ops::add_rms_norm(seq, x_, o_, layers_[layer + 1].attn_norm, xn_, n, E, c_.rms_eps, q8, &watch);
  else ops::add(seq, x_, o_, x_, n * E);
}

// Whether n-token products run on integer dot products (ops/matvec_int8.h),
// so that the fused norms also write their output in int8.
bool GpuModel::int8_products(uint32_t n) const {
  return ops::takes_int8_input(ctx_.info(), layers_[0].gate_up.part(0), n);  // ffn_gate's input is the fused norm's output
}

uint32_t GpuModel::stage_tokens(std::span<const int32_t> tokens) {
  const auto n = static_cast<uint32_t>(tokens.size());
  if (n == 0) throw ModelError("forward: no tokens");
  if (n > static_cast<uint32_t>(options_.max_batch))
    throw ModelError("forward: " + std::to_string(n) + " tokens exceed the batch of " +
                     std::to_string(options_.max_batch));
  if (n_past_ + static_cast<int>(n) > options_.n_ctx)
    throw ModelError("the context is full: " + std::to_string(n_past_ + n) + " tokens do not fit in " +
                     std::to_string(options_.n_ctx));
  std::vector<uint32_t> ids(n);
  std::vector<int32_t> pos(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (tokens[i] < 0 || tokens[i] >= c_.n_vocab)
      throw ModelError("token id " + std::to_string(tokens[i]) + " is outside the vocabulary of " +
                       std::to_string(c_.n_vocab));
    ids[i] = static_cast<uint32_t>(tokens[i]);
    pos[i] = n_past_ + static_cast<int32_t>(i);
  }
  call_start_ = std::chrono::steady_clock::now();
  const int32_t none_bad = std::numeric_limits<int32_t>::max();
  first_bad_layer_.write(&none_bad, 4);
  ids_.write(ids.data(), n * 4);
  positions_.write(pos.data(), n * 4);
  return n;
}

void GpuModel::record_embedding(vk::Sequence& seq, uint32_t n) {
  ops::embed(seq, tok_embd_, ids_, x_, n);
  if (c_.embd_scale != 1.0f) ops::scale(seq, x_, n * uint32_t(c_.n_embd), c_.embd_scale);  // gemma2/3
}

uint32_t GpuModel::begin_forward(vk::Sequence& seq, std::span<const int32_t> tokens) {
  const uint32_t n = stage_tokens(tokens);
  record_layers_in_parts(seq, n, 1, nullptr);
  return n;
}

// Begins `seq` and records the embedding and the layers of n staged tokens.
// With parts > 1, every part of consecutive layers but the last is submitted
// and waited for, checking `cancel` between them (a slow device answers a
// cancel within a part, not a whole chunk); the last stays recorded in `seq`
// for the caller's head. Returns false when cancelled: n_past() stays where
// it was, and the layers already run wrote keys past it, which the next
// chunk overwrites.
bool GpuModel::record_layers_in_parts(vk::Sequence& seq, uint32_t n, int parts, const std::atomic<bool>* cancel) {
  const int per_part = (c_.n_layer + parts - 1) / std::max(1, parts);
  for (int l0 = 0; l0 < c_.n_layer; l0 += per_part) {
    const int l1 = std::min(c_.n_layer, l0 + per_part);
    seq.begin();
    if (l0 == 0) record_embedding(seq, n);
    for (int l = l0; l < l1; ++l) record_layer(seq, layers_[l], l, n, static_cast<uint32_t>(n_past_));
    if (l1 == c_.n_layer) break;
    seq.end();
    seq.submit();
    seq.wait();
    if (cancel && cancel->load()) return false;
  }
  return true;
}

std::optional<std::vector<float>> GpuModel::forward_in_parts(std::span<const int32_t> tokens, int parts,
                                                            const std::atomic<bool>& cancel) {
  vk::Sequence& seq = sequence();
  const uint32_t n = stage_tokens(tokens);
  if (!record_layers_in_parts(seq, n, parts, &cancel)) return std::nullopt;
  return finish_with_logits(seq, n, false);
}

void GpuModel::record_output_head(vk::Sequence& seq, uint32_t n, bool all_logits) {
  const auto E = static_cast<uint32_t>(c_.n_embd);
  const uint32_t rows = all_logits ? n : 1;
  // Only the rows whose logits are wanted go through the output head.
  const ops::Act last(x_, all_logits ? 0 : (n - 1) * E);
  ops::rms_norm(seq, last, output_norm_, xn_, rows, E, c_.rms_eps);
  ops::SharedInput(seq, xn_, xq_, E, rows, false, f16_input()).matmul(c_.tied_output ? tok_embd_ : output_, logits_);
  if (c_.final_logit_softcap > 0) ops::softcap(seq, logits_, rows * uint32_t(c_.n_vocab), c_.final_logit_softcap);
  seq.copy(logits_, 0, logits_host_, 0, uint64_t(rows) * c_.n_vocab * 4);
}

// One decoded token from a recorded command buffer: the recording reads the
// token and its position from buffers, and the attention's key splits depend
// only on decode_kv_bound, so it is replayed until the context crosses that
// bound (a power of two) or the rotary table changes.
std::vector<float> GpuModel::decode_step(std::span<const int32_t> token) {
  const auto bound = ops::decode_kv_bound(static_cast<uint32_t>(n_past_ + 1), static_cast<uint32_t>(options_.n_ctx));
  if (!decode_seq_ || decode_bound_ != bound) {
    if (!decode_seq_) decode_seq_ = std::make_unique<vk::Sequence>(ctx_, sequence_options());
    begin_forward(*decode_seq_, token);
    record_output_head(*decode_seq_, 1, false);
    decode_seq_->end();
    decode_bound_ = bound;
  } else {
    stage_tokens(token);
  }
  run_forward(*decode_seq_, 1);
  std::vector<float> logits(c_.n_vocab);
  logits_host_.read(logits.data(), logits.size() * 4);
  return logits;
}

vk::Sequence& GpuModel::sequence() {
  // One sequence, re-recorded per call: its command pool, fence and descriptor
  // pools are reused (decoding records a whole forward pass per token).
  if (!seq_) seq_ = std::make_unique<vk::Sequence>(ctx_, sequence_options());
  return *seq_;
}

vk::SequenceOptions GpuModel::sequence_options() const {
  vk::SequenceOptions o;
  o.timestamps = options_.profile && ctx_.info().timestamp_period_ns > 0;
  o.max_timestamps = 64 + 40 * static_cast<uint32_t>(c_.n_layer);
  return o;
}

void GpuModel::finish_forward(vk::Sequence& seq, uint32_t n) {
  seq.end();
  run_forward(seq, n);
}

void GpuModel::run_forward(vk::Sequence& seq, uint32_t n) {
  seq.submit();
  host_us_ = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - call_start_).count();
  seq.wait();
  int32_t bad_layer = 0;
  first_bad_layer_.read(&bad_layer, 4);
  if (bad_layer != std::numeric_limits<int32_t>::max())
    throw ModelError(path_ + ": the forward pass produced non-finite values (NaN or infinity) in layer " +
                     std::to_string(bad_layer) + "; the file's weights in or before that layer may be corrupted");
  if (probe_) probe_->gather(n, static_cast<uint32_t>(n_past_));
  if (checkpoint_ && n_past_ < checkpoint_->tokens) checkpoint_.reset();  // positions before it written again
  n_past_ += static_cast<int>(n);
  if (options_.profile) timings_ = seq.timings();
}

std::vector<float> GpuModel::forward(std::span<const int32_t> tokens, bool all_logits) {
  if (all_logits && tokens.size() > static_cast<size_t>(options_.max_logit_rows))
    throw ModelError("forward: more logit rows requested than max_logit_rows");
  if (tokens.size() == 1 && !all_logits && !probe_ && ops::decode_attention_supported(ctx_.info()))
    return decode_step(tokens);
  vk::Sequence& seq = sequence();
  const uint32_t n = begin_forward(seq, tokens);
  return finish_with_logits(seq, n, all_logits);
}

// The output head after the recorded layers, the run, and its logits (every row or the last).
std::vector<float> GpuModel::finish_with_logits(vk::Sequence& seq, uint32_t n, bool all_logits) {
  record_output_head(seq, n, all_logits);
  std::vector<float> logits(size_t(all_logits ? n : 1) * c_.n_vocab);
  finish_forward(seq, n);
  logits_host_.read(logits.data(), logits.size() * 4);
  return logits;
}

std::vector<float> GpuModel::forward_nll(std::span<const int32_t> tokens, std::span<const int32_t> targets) {
  return *forward_nll(tokens, targets, 1, nullptr);
}

std::optional<std::vector<float>> GpuModel::forward_nll(std::span<const int32_t> tokens,
                                                       std::span<const int32_t> targets, int parts,
                                                       const std::atomic<bool>* cancel) {
  if (targets.size() != tokens.size()) throw ModelError("forward_nll: one target per token");
  for (int32_t t : targets)
    if (t < 0 || t >= c_.n_vocab) throw ModelError("target token outside the vocabulary");
  targets_.write(targets.data(), targets.size() * 4);
  vk::Sequence& seq = sequence();
  const uint32_t n = stage_tokens(tokens);
  if (!record_layers_in_parts(seq, n, parts, cancel)) return std::nullopt;
  const auto E = static_cast<uint32_t>(c_.n_embd), V = static_cast<uint32_t>(c_.n_vocab);
  ops::rms_norm(seq, x_, output_norm_, xn_, n, E, c_.rms_eps);
  // The output head in groups of rows whose logits fit the logits buffer.
  const auto group = static_cast<uint32_t>(options_.max_logit_rows);
  for (uint32_t r = 0; r < n; r += group) {
    const uint32_t rows = std::min(group, n - r);
    ops::matmul(seq, c_.tied_output ? tok_embd_ : output_, ops::Act(xn_, r * E), logits_, rows);
    if (c_.final_logit_softcap > 0) ops::softcap(seq, logits_, rows * V, c_.final_logit_softcap);
    ops::token_nll(seq, logits_, targets_, nll_, rows, V, r, r);
  }
  seq.copy(nll_, 0, nll_host_, 0, uint64_t(n) * 4);
  finish_forward(seq, n);
  std::vector<float> nll(n);
  nll_host_.read(nll.data(), n * 4);
  return nll;
}

std::vector<float> GpuModel::prefill(std::span<const int32_t> tokens, const std::function<void(int, int)>& progress,
                                     const std::atomic<bool>* cancel) {
  std::vector<float> logits;
  const int total = static_cast<int>(tokens.size());
  // Without a cancel flag, whole chunks of max_batch. With one, chunks and
  // submissions sized from the measured speed (model/prefill_plan.h), so a
  // cancel is seen within about kCancelCheckSeconds.
  const int max_parts = max_chunk_parts();
  PrefillPacer pacer(cancel != nullptr, options_.max_batch, std::min(options_.prefill_parts, max_parts), max_parts);
  // A cancel also stops the pipeline builds of a first chunk: the chunk is then
  // dropped while being recorded, before anything is submitted or n_past_ moves.
  const vk::CancelBuildsOn cancel_builds(cancel);
  for (int done = 0; done < total;) {
    if (cancel && cancel->load()) return {};
    take_window_checkpoint();
    int n = std::min(pacer.plan().tokens, total - done);
    // A chunk ends at the checkpoint's mark, so the rings hold the window before it.
    if (checkpoint_mark_ > n_past_ && checkpoint_mark_ < n_past_ + n) n = checkpoint_mark_ - n_past_;
    pacer.start();
    try {
      if (cancel && pacer.plan().parts > 1) {
        auto part_logits = forward_in_parts(tokens.subspan(done, n), pacer.plan().parts, *cancel);
        if (!part_logits) return {};
        logits = std::move(*part_logits);
      } else {
        logits = forward(tokens.subspan(done, n));
      }
    } catch (const vk::BuildCancelled&) {
      return {};
    }
    done += n;
    if (progress) progress(done, total);
    pacer.finished(n);
  }
  take_window_checkpoint();
  return logits;
}

bool GpuModel::has_kv_rings() const {
  for (int l = 0; l < c_.n_layer; ++l)
    if (kv_->is_ring(l)) return true;
  return false;
}

// A ring of R rows holds positions n_past_ - R .. n_past_ - 1 (writing p
// overwrote p - R), and nothing before local_floor_.
int GpuModel::held_from(int layer) const {
  if (!c_.is_local(layer)) return 0;
  const int from = kv_->is_ring(layer) ? std::max(local_floor_, n_past_ - kv_->rows(layer)) : local_floor_;
  return std::max(0, from);
}

// A token at position n reads positions n - window + 1 .. n of a sliding-window layer.
bool GpuModel::holds_window_before(int n) const {
  for (int l = 0; l < c_.n_layer; ++l)
    if (c_.is_local(l) && std::max(0, n - c_.swa_window + 1) < held_from(l)) return false;
  return true;
}

bool GpuModel::can_truncate(int n) const { return n <= 0 || n >= n_past_ || holds_window_before(n); }

void GpuModel::truncate(int n) {
  if (n >= n_past_) return;
  if (!can_truncate(n)) {
    for (int l = 0; l < c_.n_layer; ++l)
      if (c_.is_local(l) && std::max(0, n - c_.swa_window + 1) < held_from(l))
        throw ModelError("the context cannot go back to position " + std::to_string(n) + ": layer " +
                         std::to_string(l) + "'s window-sized KV cache no longer holds the keys before it (reset "
                         "and prefill again, or load without a window-sized KV cache)");
  }
  // What the rings hold now stays the floor: the positions from n on are
  // written again, and a ring's rows of positions before the floor may have
  // been overwritten by the positions being forgotten.
  int floor = 0;
  if (n > 0)
    for (int l = 0; l < c_.n_layer; ++l) floor = std::max(floor, held_from(l));
  local_floor_ = floor;
  n_past_ = std::max(0, n);
}

int GpuModel::rewind(int n) {
  if (n >= n_past_) return n_past_;
  if (can_truncate(n)) {
    truncate(n);
    return n_past_;
  }
  // The checkpoint is still what the cache held at its position: every write
  // since was at or after it (run_forward drops it otherwise), so the
  // full-length layers hold its prefix and only the rings moved on.
  if (checkpoint_ && checkpoint_->tokens <= n) {
    write_back(*checkpoint_);
    return n_past_;
  }
  truncate(0);
  return 0;
}

void GpuModel::mark_window_checkpoint(int n) { checkpoint_mark_ = has_kv_rings() && n > 0 ? n : -1; }

void GpuModel::take_window_checkpoint() {
  if (checkpoint_mark_ < 0 || checkpoint_mark_ != n_past_) return;
  checkpoint_mark_ = -1;
  if (checkpoint_ && checkpoint_->tokens == n_past_) return;  // the one it has
  // Right after a chunk ends here the rings hold the window; after a rewind or
  // truncate to here they may not (then no checkpoint: rewind() prefills again).
  if (!holds_window_before(n_past_)) return;
  checkpoint_.reset();  // before the copy: one copy's host memory at a time
  checkpoint_ = copy_out(n_past_, /*windows_only=*/true);
}

void GpuModel::reset() {
  n_past_ = 0;
  local_floor_ = 0;
  checkpoint_.reset();
  checkpoint_mark_ = -1;
  if (probe_) set_probe(std::optional<AttentionProbeConfig>(probe_->config()));  // a copy: set_probe clears probe_
}

void GpuModel::set_probe(const std::optional<AttentionProbeConfig>& config) {
  probe_.reset();
  if (config) probe_ = std::make_unique<GpuAttentionProbe>(ctx_, c_, *config, options_.n_ctx, options_.max_batch);
}

AttentionProbeResult GpuModel::read_probe() const { return probe_ ? probe_->result() : AttentionProbeResult{}; }

}  // namespace mrrope
