#include "model/model_config.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>

#include "model/weight_support.h"

namespace mrrope {
namespace {

[[noreturn]] void fail(const GgufFile& f, const std::string& what) { throw ModelError(f.path() + ": " + what); }

std::string shape_string(const std::vector<int64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

// A tensor with ggml shape [cols, rows] (rows = 1 for vectors).
TensorView bind_tensor(const GgufFile& f, const std::string& name, int64_t cols, int64_t rows, bool optional = false) {
  const GgufTensorInfo* info = f.find_tensor(name);
  if (!info) {
    if (optional) return {};
    fail(f, "missing tensor '" + name + "'");
  }
  const bool vector = rows == 1;
  const bool shape_ok = vector ? (info->ne.size() == 1 && info->ne[0] == cols)
                               : (info->ne.size() == 2 && info->ne[0] == cols && info->ne[1] == rows);
  if (!shape_ok)
    fail(f, "tensor '" + name + "' has shape " + shape_string(info->ne) + ", expected " +
                shape_string(vector ? std::vector<int64_t>{cols} : std::vector<int64_t>{cols, rows}));
  if (!decoder_reads_weight_type(info->type))
    fail(f, "tensor '" + name + "' has type " + std::string(ggml_type_name(info->type)) +
                ", which this decoder does not support yet");
  return {info, f.tensor_data(*info), info->ne[0], vector ? 1 : info->ne[1]};
}

// Norms and biases must be F32 (llama.cpp keeps them so).
TensorView bind_f32(const GgufFile& f, const std::string& name, int64_t n, bool optional = false) {
  TensorView t = bind_tensor(f, name, n, 1, optional);
  if (t && t.type() != GgmlType::F32)
    fail(f, "tensor '" + name + "' is " + std::string(ggml_type_name(t.type())) + ", expected F32");
  return t;
}

// Tensors that no part of the model reads mean the file and its metadata
// disagree (llama.cpp refuses them too): most often block_count smaller than
// the blocks present, whose layers would silently not run.
void refuse_unused_tensors(const GgufFile& f, const ModelConfig& c, const ModelTensors& t) {
  std::set<const GgufTensorInfo*> used{t.tok_embd.info, t.output_norm.info, t.output.info};
  for (const LayerTensors& l : t.layers)
    for (const TensorView* v : l.all()) used.insert(v->info);
  // Read by rope_model_params: rope_freqs (Llama 3.1), LongRoPE's factors (phi3).
  const std::set<std::string> rope_tensors{"rope_freqs.weight", "rope_factors_long.weight",
                                           "rope_factors_short.weight"};
  for (const GgufTensorInfo& info : f.tensors()) {
    if (used.count(&info) || rope_tensors.count(info.name)) continue;
    int block = -1;
    if (std::sscanf(info.name.c_str(), "blk.%d.", &block) == 1 && block >= c.n_layer)
      fail(f, "block_count is " + std::to_string(c.n_layer) + " but the file has tensors of block " +
                  std::to_string(block) + " ('" + printable(info.name) + "')");
    fail(f, "tensor '" + printable(info.name) + "' is not used by a " + std::to_string(c.n_layer) + "-layer " +
                c.arch_name + " model");
  }
}

// Q, K and V as one tensor (llama.cpp's attn_qkv: q rows, then k, then v)
// when the file has it, else the three tensors; biases follow the same form.
void bind_qkv(const GgufFile& f, const ModelConfig& c, const std::string& p, LayerTensors& l) {
  const int64_t q = c.q_dim(), kv = c.kv_dim();
  if (f.find_tensor(p + "attn_qkv.weight")) {
    const TensorView qkv = bind_tensor(f, p + "attn_qkv.weight", c.n_embd, q + 2 * kv);
    l.wq = qkv.part(0, q), l.wk = qkv.part(q, kv), l.wv = qkv.part(q + kv, kv);
    if (c.qkv_bias) {
      const TensorView b = bind_f32(f, p + "attn_qkv.bias", q + 2 * kv);
      l.bq = b.part(0, q), l.bk = b.part(q, kv), l.bv = b.part(q + kv, kv);
    }
    return;
  }
  l.wq = bind_tensor(f, p + "attn_q.weight", c.n_embd, q);
  l.wk = bind_tensor(f, p + "attn_k.weight", c.n_embd, kv);
  l.wv = bind_tensor(f, p + "attn_v.weight", c.n_embd, kv);
  if (c.qkv_bias) {
    l.bq = bind_f32(f, p + "attn_q.bias", q);
    l.bk = bind_f32(f, p + "attn_k.bias", kv);
    l.bv = bind_f32(f, p + "attn_v.bias", kv);
  }
}

// LongRoPE's per-pair factors: F32, one per rotary pair.
std::vector<float> rope_factor_tensor(const GgufFile& f, const GgufTensorInfo& info, int n_pairs) {
  if (info.type != GgmlType::F32 || info.ne.size() != 1 || info.elements() != n_pairs)
    throw ModelError(f.path() + ": " + info.name + " must be F32 with " + std::to_string(n_pairs) +
                     " values (one per rotary pair), got " + std::string(ggml_type_name(info.type)) + " " +
                     shape_string(info.ne));
  std::vector<float> v(n_pairs);
  std::memcpy(v.data(), f.tensor_data(info).data(), v.size() * 4);
  return v;
}

}  // namespace

TensorView TensorView::part(int64_t begin, int64_t count) const {
  TensorView p = *this;
  if (n_rows == 1 && info->ne.size() == 1) {  // a vector: elements (F32)
    p.data = data.subspan(size_t(begin) * 4, size_t(count) * 4);
    p.n_cols = count;
    return p;
  }
  const size_t row = ggml_row_bytes(info->type, n_cols);
  p.data = data.subspan(size_t(begin) * row, size_t(count) * row);
  p.n_rows = count;
  return p;
}

ModelConfig ModelConfig::from_gguf(const GgufFile& file) {
  const ModelHParams hp = ModelHParams::from_gguf(file);
  ModelConfig c;
  c.arch_name = hp.architecture;
  if (hp.architecture == "llama") c.arch = Architecture::Llama;
  else if (hp.architecture == "qwen2") c.arch = Architecture::Qwen2, c.neox = true, c.qkv_bias = true;
  else if (hp.architecture == "qwen3") c.arch = Architecture::Qwen3, c.neox = true, c.qk_norm = true;
  else if (hp.architecture == "phi3") c.arch = Architecture::Phi3, c.neox = true, c.fused_gate_up = true;
  else if (hp.architecture == "gemma2") c.arch = Architecture::Gemma2;
  else if (hp.architecture == "gemma3") c.arch = Architecture::Gemma3;
  else
    fail(file, "architecture '" + hp.architecture +
                   "' is not supported (supported: llama, qwen2, qwen3, phi3, gemma2, gemma3)");
  c.n_vocab = static_cast<int>(hp.n_vocab);
  c.n_embd = static_cast<int>(hp.n_embd);
  c.n_layer = static_cast<int>(hp.n_layer);
  c.n_head = static_cast<int>(hp.n_head);
  c.n_head_kv = static_cast<int>(hp.n_head_kv);
  c.head_dim = static_cast<int>(hp.head_dim);
  c.n_ff = static_cast<int>(hp.n_ff);
  c.n_ctx_train = static_cast<int>(hp.n_ctx_train);
  c.rms_eps = static_cast<float>(hp.rms_norm_eps);
  if (c.n_vocab <= 0 || c.n_embd <= 0 || c.n_layer <= 0 || c.n_head <= 0 || c.n_ff <= 0 || c.head_dim <= 0)
    fail(file, "model hyperparameters are incomplete (vocabulary, embedding, layers, heads and FFN must be positive)");
  if (c.n_head_kv <= 0 || c.n_head % c.n_head_kv != 0)
    fail(file, "head_count " + std::to_string(c.n_head) + " is not a multiple of head_count_kv " +
                   std::to_string(c.n_head_kv));
  if (c.head_dim % 2 != 0 || c.head_dim > 256)
    fail(file, "head size " + std::to_string(c.head_dim) + " is not supported (even, at most 256)");
  if (hp.head_dim_v != hp.head_dim) fail(file, "different key and value head sizes are not supported");
  c.tied_output = file.find_tensor("output.weight") == nullptr;
  if (c.arch == Architecture::Gemma3) read_gemma3_config(file, c);
  if (c.arch == Architecture::Gemma2) read_gemma2_config(file, c);
  c.rope = rope_model_params(file, hp, c.neox);
  if (c.rope.n_rot <= 0 || c.rope.n_rot > c.head_dim || c.rope.n_rot % 2 != 0)
    fail(file, "rope dimension count " + std::to_string(c.rope.n_rot) + " does not fit head size " +
                   std::to_string(c.head_dim));
  return c;
}

ModelTensors ModelTensors::bind(const GgufFile& f, const ModelConfig& c) {
  ModelTensors t;
  t.tok_embd = bind_tensor(f, "token_embd.weight", c.n_embd, c.n_vocab);
  t.output_norm = bind_f32(f, "output_norm.weight", c.n_embd);
  t.output = c.tied_output ? t.tok_embd : bind_tensor(f, "output.weight", c.n_embd, c.n_vocab);
  for (int i = 0; i < c.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    LayerTensors l;
    l.attn_norm = bind_f32(f, p + "attn_norm.weight", c.n_embd);
    bind_qkv(f, c, p, l);
    l.wo = bind_tensor(f, p + "attn_output.weight", c.q_dim(), c.n_embd);
    if (c.qk_norm) {
      l.q_norm = bind_f32(f, p + "attn_q_norm.weight", c.head_dim);
      l.k_norm = bind_f32(f, p + "attn_k_norm.weight", c.head_dim);
    }
    if (c.post_norms) {  // gemma2/3; the converter stored Gemma's (1 + w) as the weights
      l.attn_post_norm = bind_f32(f, p + "post_attention_norm.weight", c.n_embd);
      l.ffn_post_norm = bind_f32(f, p + "post_ffw_norm.weight", c.n_embd);
    }
    l.ffn_norm = bind_f32(f, p + "ffn_norm.weight", c.n_embd);
    if (c.fused_gate_up) {
      // llama.cpp's SwiGLU on the fused output: silu(first half) * second half.
      const TensorView gate_up = bind_tensor(f, p + "ffn_up.weight", c.n_embd, 2 * int64_t(c.n_ff));
      l.w_gate = gate_up.part(0, c.n_ff), l.w_up = gate_up.part(c.n_ff, c.n_ff);
    } else {
      l.w_gate = bind_tensor(f, p + "ffn_gate.weight", c.n_embd, c.n_ff);
      l.w_up = bind_tensor(f, p + "ffn_up.weight", c.n_embd, c.n_ff);
    }
    l.w_down = bind_tensor(f, p + "ffn_down.weight", c.n_ff, c.n_embd);
    t.layers.push_back(l);
  }
  refuse_unused_tensors(f, c, t);
  return t;
}

RopeModelParams rope_model_params(const GgufFile& file, const ModelHParams& hp, bool neox) {
  RopeModelParams r;
  r.n_rot = static_cast<int>(hp.rope.n_rot);
  r.freq_base = hp.rope.freq_base;
  r.n_ctx_train = static_cast<int>(hp.n_ctx_train);
  const std::string orig_key = hp.architecture + ".rope.scaling.original_context_length";
  r.n_ctx_orig = file.has(orig_key) ? static_cast<int>(hp.rope.original_ctx) : 0;
  switch (hp.rope.scaling_type) {
    case RopeScalingType::None: r.native_scaling = NativeScaling::None; break;
    case RopeScalingType::Linear: r.native_scaling = NativeScaling::Linear; break;
    case RopeScalingType::Yarn: r.native_scaling = NativeScaling::Yarn; break;
    case RopeScalingType::LongRope: r.native_scaling = NativeScaling::LongRope; break;
  }
  r.native_factor = hp.rope.scaling_factor;
  if (hp.rope.yarn_ext_factor) r.yarn_ext_factor = *hp.rope.yarn_ext_factor;
  r.attn_factor = hp.rope.attn_factor;
  if (hp.rope.yarn_beta_fast) r.yarn_beta_fast = *hp.rope.yarn_beta_fast;
  if (hp.rope.yarn_beta_slow) r.yarn_beta_slow = *hp.rope.yarn_beta_slow;
  r.neox_layout = neox;
  if (const GgufTensorInfo* info = file.find_tensor("rope_freqs.weight")) {
    if (info->type != GgmlType::F32 || info->elements() != r.n_rot / 2)
      throw ModelError(file.path() + ": rope_freqs.weight must be F32 with " + std::to_string(r.n_rot / 2) +
                       " values");
    const auto bytes = file.tensor_data(*info);
    r.freq_factors.resize(r.n_rot / 2);
    std::memcpy(r.freq_factors.data(), bytes.data(), r.freq_factors.size() * 4);
  }
  // LongRoPE (Phi-3): the factor tensors make it the file's own scaling, with or
  // without the type key (llama.cpp's converter writes the tensors and attn_factor).
  // The short factors are what the model was trained at below L, so they stand as
  // its f_i for every method; longrope swaps in the long ones (rope_schedule.cpp).
  const GgufTensorInfo* long_factors = file.find_tensor("rope_factors_long.weight");
  const GgufTensorInfo* short_factors = file.find_tensor("rope_factors_short.weight");
  if (long_factors || short_factors) {
    if (!long_factors || !short_factors)
      throw ModelError(file.path() + ": LongRoPE needs both rope_factors_long.weight and rope_factors_short.weight");
    if (!r.freq_factors.empty())
      throw ModelError(file.path() + ": rope_freqs.weight and LongRoPE's rope_factors_* cannot both be present");
    r.longrope_long = rope_factor_tensor(file, *long_factors, r.n_rot / 2);
    r.freq_factors = rope_factor_tensor(file, *short_factors, r.n_rot / 2);
    r.native_scaling = NativeScaling::LongRope;
  } else if (r.native_scaling == NativeScaling::LongRope) {
    throw ModelError(file.path() + ": rope scaling type is longrope but the file has no rope_factors_long.weight "
                     "and rope_factors_short.weight");
  }
  return r;
}

}  // namespace mrrope
