#include "model/synthetic_model.h"

#include <random>

namespace mrrope {

GgufWriter make_synthetic_model(const SyntheticModelSpec& s) {
  GgufWriter w;
  const std::string a = s.arch;
  w.set_string("general.architecture", a);
  w.set_string("general.name", "synthetic " + a);
  w.set_u32(a + ".context_length", s.n_ctx_train);
  w.set_u32(a + ".embedding_length", s.n_embd);
  w.set_u32(a + ".block_count", s.n_layer);
  w.set_u32(a + ".feed_forward_length", s.n_ff);
  w.set_u32(a + ".attention.head_count", s.n_head);
  w.set_u32(a + ".attention.head_count_kv", s.n_head_kv);
  w.set_u32(a + ".attention.key_length", s.head_dim);
  w.set_u32(a + ".attention.value_length", s.head_dim);
  w.set_f32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_f32(a + ".rope.freq_base", static_cast<float>(s.freq_base));
  w.set_u32(a + ".rope.dimension_count", s.head_dim);
  w.set_u32(a + ".vocab_size", s.n_vocab);
  if (!s.native_scaling.empty()) {
    w.set_string(a + ".rope.scaling.type", s.native_scaling);
    w.set_f32(a + ".rope.scaling.factor", static_cast<float>(s.native_factor));
    if (s.native_orig_ctx) w.set_u32(a + ".rope.scaling.original_context_length", s.native_orig_ctx);
  }

  std::mt19937 rng(s.seed);
  auto random = [&](size_t n, float lo, float hi) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = d(rng);
    return v;
  };
  auto matrix = [&](const std::string& name, int cols, int rows) {
    w.add_tensor_f32(name, s.weight_type, {cols, rows}, random(size_t(cols) * rows, -s.weight_scale, s.weight_scale));
  };
  auto vec = [&](const std::string& name, int n, float lo, float hi) {
    w.add_tensor_f32(name, GgmlType::F32, {n}, random(n, lo, hi));
  };

  const int q_dim = s.n_head * s.head_dim, kv_dim = s.n_head_kv * s.head_dim;
  // Embeddings larger than the projections so the residual stream carries signal.
  w.add_tensor_f32("token_embd.weight", s.weight_type, {s.n_embd, s.n_vocab},
                   random(size_t(s.n_embd) * s.n_vocab, -1.0f, 1.0f));
  vec("output_norm.weight", s.n_embd, 0.8f, 1.2f);
  if (!s.tied_output) matrix("output.weight", s.n_embd, s.n_vocab);
  if (!s.rope_freqs.empty()) w.add_tensor_f32("rope_freqs.weight", GgmlType::F32, {int64_t(s.rope_freqs.size())}, s.rope_freqs);
  for (int i = 0; i < s.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    vec(p + "attn_norm.weight", s.n_embd, 0.8f, 1.2f);
    // Larger q/k weights give peaked attention, so position handling matters.
    w.add_tensor_f32(p + "attn_q.weight", s.weight_type, {s.n_embd, q_dim}, random(size_t(s.n_embd) * q_dim, -0.3f, 0.3f));
    w.add_tensor_f32(p + "attn_k.weight", s.weight_type, {s.n_embd, kv_dim}, random(size_t(s.n_embd) * kv_dim, -0.3f, 0.3f));
    matrix(p + "attn_v.weight", s.n_embd, kv_dim);
    matrix(p + "attn_output.weight", q_dim, s.n_embd);
    if (a == "qwen2") {
      vec(p + "attn_q.bias", q_dim, -0.5f, 0.5f);
      vec(p + "attn_k.bias", kv_dim, -0.5f, 0.5f);
      vec(p + "attn_v.bias", kv_dim, -0.5f, 0.5f);
    }
    vec(p + "ffn_norm.weight", s.n_embd, 0.8f, 1.2f);
    matrix(p + "ffn_gate.weight", s.n_embd, s.n_ff);
    matrix(p + "ffn_up.weight", s.n_embd, s.n_ff);
    matrix(p + "ffn_down.weight", s.n_ff, s.n_embd);
  }
  return w;
}

}  // namespace mrrope
