#include "model/cpu_model.h"

#include <algorithm>
#include <cmath>

#include "quant/half.h"
#include "quant/quantize.h"
#include "reference/reference_ops.h"

namespace mrrope {
namespace {

std::vector<float> dequant(const TensorView& t) {
  if (!t) return {};
  return dequantize_rows(t.type(), t.data, t.rows(), t.cols());
}

// y[n x rows] = x[n x cols] * W^T
std::vector<float> linear(const std::vector<float>& w, const std::vector<float>& x, int n, int rows, int cols,
                          const std::vector<float>& bias = {}) {
  std::vector<float> y(size_t(n) * rows);
  ref::matmul(w, x, y, rows, cols, n);
  if (!bias.empty())
    for (int t = 0; t < n; ++t)
      for (int r = 0; r < rows; ++r) y[size_t(t) * rows + r] += bias[r];
  return y;
}

// Rounds [n x head_dim] keys or values as the GPU cache stores them.
void round_kv(std::vector<float>& x, int head_dim, KvCacheType type) {
  if (type == KvCacheType::F16) {
    for (float& e : x) e = half_to_float(float_to_half(e));
    return;
  }
  const int64_t rows = static_cast<int64_t>(x.size()) / head_dim;
  x = dequantize_rows(GgmlType::Q8_0, quantize_rows(GgmlType::Q8_0, x, rows, head_dim), rows, head_dim);
}

}  // namespace

CpuModel::CpuModel(const GgufFile& file, const ModelConfig& config, std::optional<KvCacheType> kv_rounding)
    : c_(config), kv_rounding_(kv_rounding) {
  const ModelTensors t = ModelTensors::bind(file, config);
  tok_embd_ = dequant(t.tok_embd);
  output_norm_ = dequant(t.output_norm);
  output_ = config.tied_output ? tok_embd_ : dequant(t.output);
  for (const LayerTensors& l : t.layers)
    layers_.push_back({dequant(l.attn_norm), dequant(l.wq), dequant(l.wk), dequant(l.wv), dequant(l.wo),
                       dequant(l.bq), dequant(l.bk), dequant(l.bv), dequant(l.q_norm), dequant(l.k_norm),
                       dequant(l.ffn_norm), dequant(l.w_gate), dequant(l.w_up), dequant(l.w_down),
                       dequant(l.attn_post_norm), dequant(l.ffn_post_norm)});
  k_cache_.resize(c_.n_layer);
  v_cache_.resize(c_.n_layer);
  // Plain RoPE until told otherwise.
  freq_.resize(c_.rope.n_rot / 2);
  for (int i = 0; i < c_.rope.n_rot / 2; ++i) freq_[i] = std::pow(c_.rope.freq_base, -2.0 * i / c_.rope.n_rot);
  local_freq_ = c_.local_rope_freq();
}

void CpuModel::set_rope(std::vector<double> freq, float attn_factor) {
  freq_ = std::move(freq);
  attn_factor_ = attn_factor;
}

void CpuModel::attention(int layer, const std::vector<float>& q, int n, std::vector<float>& out) {
  const int hd = c_.head_dim, group = c_.n_head / c_.n_head_kv, total = n_past_ + n;
  const double scale = c_.query_scale(), cap = c_.attn_logit_softcap;
  const int window = c_.is_local(layer) ? c_.swa_window : 0;
  const auto& K = k_cache_[layer];
  const auto& V = v_cache_[layer];
  const bool probe = layer == probe_layer_;
  if (probe) probe_.assign(size_t(n) * total, 0.0f), probe_scores_.assign(size_t(n) * total, 0.0f);
  out.assign(size_t(n) * c_.q_dim(), 0.0f);
  std::vector<double> p(total);
  for (int t = 0; t < n; ++t) {
    const int visible = n_past_ + t + 1;  // causal: keys 0 .. pos(t)
    const int first = window > 0 ? std::max(0, visible - window) : 0;  // a local layer's window
    for (int h = 0; h < c_.n_head; ++h) {
      const int kvh = h / group;
      const float* qv = q.data() + (size_t(t) * c_.n_head + h) * hd;
      double m = -INFINITY;
      for (int j = first; j < visible; ++j) {
        const float* kv = K.data() + size_t(j) * c_.kv_dim() + size_t(kvh) * hd;
        double s = 0;
        for (int d = 0; d < hd; ++d) s += double(qv[d]) * kv[d];
        p[j] = s * scale;
        if (cap > 0) p[j] = cap * std::tanh(p[j] / cap);  // gemma2's attention-logit soft-capping
        if (probe && h == probe_head_) probe_scores_[size_t(t) * total + j] = static_cast<float>(p[j]);
        m = std::max(m, p[j]);
      }
      double sum = 0;
      for (int j = first; j < visible; ++j) sum += (p[j] = std::exp(p[j] - m));
      float* o = out.data() + (size_t(t) * c_.n_head + h) * hd;
      for (int j = first; j < visible; ++j) {
        const double w = p[j] / sum;
        if (probe && h == probe_head_) probe_[size_t(t) * total + j] = static_cast<float>(w);
        const float* vv = V.data() + size_t(j) * c_.kv_dim() + size_t(kvh) * hd;
        for (int d = 0; d < hd; ++d) o[d] += static_cast<float>(w * vv[d]);
      }
    }
  }
}

std::vector<float> CpuModel::forward(std::span<const int32_t> tokens) {
  const int n = static_cast<int>(tokens.size()), E = c_.n_embd;
  std::vector<float> x(size_t(n) * E), xn(x.size());
  for (int t = 0; t < n; ++t) {
    if (tokens[t] < 0 || tokens[t] >= c_.n_vocab) throw ModelError("token id out of range");
    std::copy_n(tok_embd_.data() + size_t(tokens[t]) * E, E, x.data() + size_t(t) * E);
  }
  if (c_.embd_scale != 1.0f)  // gemma2/3: sqrt(n_embd)
    for (float& e : x) e *= c_.embd_scale;
  std::vector<int32_t> pos(n);
  for (int t = 0; t < n; ++t) pos[t] = n_past_ + t;

  for (int l = 0; l < c_.n_layer; ++l) {
    const Layer& L = layers_[l];
    ref::rms_norm(x, L.attn_norm, xn, n, E, c_.rms_eps);
    auto q = linear(L.wq, xn, n, c_.q_dim(), E, L.bq);
    auto k = linear(L.wk, xn, n, c_.kv_dim(), E, L.bk);
    auto v = linear(L.wv, xn, n, c_.kv_dim(), E, L.bv);
    if (c_.qk_norm) {  // qwen3: each head of q and k normalized on its own, before RoPE
      ref::rms_norm(q, L.q_norm, q, int64_t(n) * c_.n_head, c_.head_dim, c_.rms_eps);
      ref::rms_norm(k, L.k_norm, k, int64_t(n) * c_.n_head_kv, c_.head_dim, c_.rms_eps);
    }
    // Local layers rotate with their own plain RoPE, untouched by the method.
    const bool local = c_.is_local(l);
    const std::vector<double>& freq = local ? local_freq_ : freq_;
    const float attn_factor = local ? 1.0f : attn_factor_;
    ref::rope(q, pos, freq, c_.n_head, c_.head_dim, c_.rope.n_rot, c_.neox, attn_factor);
    ref::rope(k, pos, freq, c_.n_head_kv, c_.head_dim, c_.rope.n_rot, c_.neox, attn_factor);
    if (kv_rounding_)
      for (auto* t : {&k, &v}) round_kv(*t, c_.head_dim, *kv_rounding_);
    k_cache_[l].insert(k_cache_[l].end(), k.begin(), k.end());
    v_cache_[l].insert(v_cache_[l].end(), v.begin(), v.end());
    std::vector<float> attn;
    attention(l, q, n, attn);
    auto o = linear(L.wo, attn, n, E, c_.q_dim());
    if (c_.post_norms) ref::rms_norm(o, L.attn_post_norm, o, n, E, c_.rms_eps);
    ref::add(x, o, x);
    ref::rms_norm(x, L.ffn_norm, xn, n, E, c_.rms_eps);
    auto g = linear(L.w_gate, xn, n, c_.n_ff, E);
    const auto u = linear(L.w_up, xn, n, c_.n_ff, E);
    if (c_.gelu_ffn) ref::gelu_mul(g, u, g);
    else ref::silu_mul(g, u, g);
    auto d = linear(L.w_down, g, n, E, c_.n_ff);
    if (c_.post_norms) ref::rms_norm(d, L.ffn_post_norm, d, n, E, c_.rms_eps);
    ref::add(x, d, x);
  }
  n_past_ += n;
  ref::rms_norm(x, output_norm_, xn, n, E, c_.rms_eps);
  std::vector<float> logits = linear(output_, xn, n, c_.n_vocab, E);
  if (c_.final_logit_softcap > 0) ref::softcap(logits, c_.final_logit_softcap);
  return logits;
}

}  // namespace mrrope
