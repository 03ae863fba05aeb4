#include "model/synthetic_model.h"

#include <cstring>
#include <random>
#include <utility>

#include "quant/half.h"
#include "quant/iquants_low.h"

namespace mrrope {
namespace {

// Random bytes with every block scale set to a small value: a valid tensor of
// the type, without the cost of quantizing.
std::vector<uint8_t> random_block_bytes(GgmlType type, int64_t cols, int64_t rows, std::mt19937_64& rng) {
  std::vector<uint8_t> bytes(ggml_row_bytes(type, cols) * rows);
  for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
    const uint64_t r = rng();
    std::memcpy(&bytes[i], &r, 8);
  }
  auto set_half = [&](size_t at, float v) {
    const uint16_t h = float_to_half(v);
    std::memcpy(&bytes[at], &h, 2);
  };
  const GgmlTypeTraits& t = ggml_traits(type);
  switch (type) {
    case GgmlType::F16:
      for (size_t i = 0; i < bytes.size(); i += 2) set_half(i, (float(rng() % 2001) - 1000.0f) * 2e-5f);
      break;
    case GgmlType::Q8_0:
    case GgmlType::Q4_0:
      for (size_t b = 0; b < bytes.size(); b += t.block_bytes) set_half(b, 0.001f);
      break;
    case GgmlType::Q5_0:
    case GgmlType::IQ4_NL:  // levels up to 127: a smaller scale
      for (size_t b = 0; b < bytes.size(); b += t.block_bytes) set_half(b, type == GgmlType::Q5_0 ? 0.0005f : 0.0001f);
      break;
    case GgmlType::Q4_1:
    case GgmlType::Q5_1:  // d, then the minimum
      for (size_t b = 0; b < bytes.size(); b += t.block_bytes) set_half(b, 0.0005f), set_half(b + 2, -0.004f);
      break;
    case GgmlType::IQ4_XS:  // random 6-bit sub-block scales (up to 32) times levels up to 127
      for (size_t b = 0; b < bytes.size(); b += t.block_bytes) set_half(b, 0.000004f);
      break;
    case GgmlType::Q2_K:  // d and dmin at the end; 4-bit scales and mins
      for (size_t b = 0; b < bytes.size(); b += t.block_bytes) set_half(b + 80, 0.001f), set_half(b + 82, 0.0005f);
      break;
    case GgmlType::Q3_K:  // 6-bit scales (-32..31) times levels -4..3
      for (size_t b = 0; b < bytes.size(); b += t.block_bytes) set_half(b + 108, 0.0001f);
      break;
    case GgmlType::TQ1_0:  // levels -1..1 (TQ2_0's random bits also give 2), d at the end
    case GgmlType::TQ2_0:
      for (size_t b = 0; b < bytes.size(); b += t.block_bytes)
        set_half(b + (type == GgmlType::TQ1_0 ? 52 : 64), 0.001f);
      break;
    case GgmlType::IQ2_XXS:  // grid levels up to 43 times (2s + 1) / 8, s up to 15
    case GgmlType::IQ2_XS:
    case GgmlType::IQ2_S:
    case GgmlType::IQ3_XXS:  // levels up to 62 times (2s + 1) / 4; IQ3_S: up to 15 times 2s + 1
    case GgmlType::IQ3_S:
    case GgmlType::IQ1_S:  // levels -1..1 (+-1/8) times 2s + 1, s up to 7
    case GgmlType::IQ1_M: {
      const float d = type == GgmlType::IQ1_S || type == GgmlType::IQ1_M ? 0.0015f
                      : type == GgmlType::IQ3_XXS || type == GgmlType::IQ3_S ? 0.0001f
                                                                              : 0.0002f;
      for (size_t b = 0; b < bytes.size(); b += t.block_bytes) set_iq_block_scale(type, &bytes[b], float_to_half(d));
      break;
    }
    case GgmlType::Q4_K:
    case GgmlType::Q5_K: {
      // weight = d * sc * q - dmin * m with sc, m, q uniform: dmin = d * mean(q)
      // centres the weights. All-positive weights (a small dmin) grew the
      // Llama-3-8B shapes' FFN activations past the f16 range of the prefill's
      // matrix units in layer 0.
      const float d = 0.0005f, dmin = d * (type == GgmlType::Q4_K ? 7.5f : 15.5f);
      for (size_t b = 0; b < bytes.size(); b += t.block_bytes) set_half(b, d), set_half(b + 2, dmin);
      break;
    }
    case GgmlType::Q6_K:
      for (size_t b = 0; b < bytes.size(); b += t.block_bytes) set_half(b + 208, 0.00005f);
      break;
    default: throw std::invalid_argument("random blocks: unsupported type");
  }
  return bytes;
}

}  // namespace

SyntheticModelSpec llama3_8b_shapes(GgmlType type) {
  SyntheticModelSpec s;
  s.n_vocab = 128256;
  s.n_embd = 4096;
  s.n_layer = 32;
  s.n_head = 32;
  s.n_head_kv = 8;
  s.n_ff = 14336;
  s.head_dim = 128;
  s.n_ctx_train = 8192;
  s.freq_base = 500000;
  s.weight_type = type;
  s.random_blocks = true;
  s.q4_k_m_mix = type == GgmlType::Q4_K;
  return s;
}

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
  }
  if (s.native_orig_ctx) w.set_u32(a + ".rope.scaling.original_context_length", s.native_orig_ctx);
  if (s.attn_factor != 0) w.set_f32(a + ".rope.scaling.attn_factor", s.attn_factor);
  if (s.swa_window) w.set_u32(a + ".attention.sliding_window", s.swa_window);
  if (s.swa_pattern) w.set_u32(a + ".attention.sliding_window_pattern", s.swa_pattern);
  if (s.swa_freq_base != 0) w.set_f32(a + ".rope.freq_base_swa", static_cast<float>(s.swa_freq_base));
  if (s.final_logit_softcap != 0) w.set_f32(a + ".final_logit_softcapping", s.final_logit_softcap);
  if (s.attn_logit_softcap != 0) w.set_f32(a + ".attn_logit_softcapping", s.attn_logit_softcap);

  std::mt19937 rng(s.seed);
  std::mt19937_64 rng64(s.seed);
  auto random = [&](size_t n, float lo, float hi) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = d(rng);
    return v;
  };
  auto type_of = [&](const std::string& name) {
    const bool q6 = s.q4_k_m_mix && (name.find("attn_v") != std::string::npos ||
                                     name.find("ffn_down") != std::string::npos || name == "output.weight");
    return q6 ? GgmlType::Q6_K : s.weight_type;
  };
  auto matrix = [&](const std::string& name, int cols, int rows) {
    if (s.random_blocks)
      w.add_tensor(name, type_of(name), {cols, rows}, random_block_bytes(type_of(name), cols, rows, rng64));
    else
      w.add_tensor_f32(name, type_of(name), {cols, rows},
                       random(size_t(cols) * rows, -s.weight_scale, s.weight_scale));
  };
  auto vec = [&](const std::string& name, int n, float lo, float hi) {
    w.add_tensor_f32(name, GgmlType::F32, {n}, random(n, lo, hi));
  };

  const int q_dim = s.n_head * s.head_dim, kv_dim = s.n_head_kv * s.head_dim;
  // Embeddings larger than the projections so the residual stream carries signal.
  if (s.random_blocks)
    w.add_tensor("token_embd.weight", s.weight_type, {s.n_embd, s.n_vocab},
                 random_block_bytes(s.weight_type, s.n_embd, s.n_vocab, rng64));
  else
    w.add_tensor_f32("token_embd.weight", s.weight_type, {s.n_embd, s.n_vocab},
                     random(size_t(s.n_embd) * s.n_vocab, -1.0f, 1.0f));
  vec("output_norm.weight", s.n_embd, 0.8f, 1.2f);
  if (!s.tied_output) matrix("output.weight", s.n_embd, s.n_vocab);
  if (!s.rope_freqs.empty()) w.add_tensor_f32("rope_freqs.weight", GgmlType::F32, {int64_t(s.rope_freqs.size())}, s.rope_freqs);
  for (const auto& [name, factors] : {std::pair{"rope_factors_long.weight", &s.longrope_long},
                                      std::pair{"rope_factors_short.weight", &s.longrope_short}})
    if (!factors->empty()) w.add_tensor_f32(name, GgmlType::F32, {int64_t(factors->size())}, *factors);
  const bool fused_qkv = s.fused_qkv || a == "phi3";
  // Rows of several matrices written as one tensor (llama.cpp's fused attn_qkv and
  // phi3's gate-up ffn_up): each part keeps its own value range.
  auto fused = [&](const std::string& name, int cols, const std::vector<std::pair<int, float>>& parts) {
    int rows = 0;
    for (const auto& [r, scale] : parts) rows += r;
    if (s.random_blocks) {
      w.add_tensor(name, type_of(name), {cols, rows}, random_block_bytes(type_of(name), cols, rows, rng64));
      return;
    }
    std::vector<float> values;
    for (const auto& [r, scale] : parts) {
      const std::vector<float> part = random(size_t(cols) * r, -scale, scale);
      values.insert(values.end(), part.begin(), part.end());
    }
    w.add_tensor_f32(name, type_of(name), {cols, rows}, values);
  };
  for (int i = 0; i < s.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    vec(p + "attn_norm.weight", s.n_embd, 0.8f, 1.2f);
    // Larger q/k weights give peaked attention, so position handling matters.
    if (fused_qkv) {
      fused(p + "attn_qkv.weight", s.n_embd, {{q_dim, 0.3f}, {kv_dim, 0.3f}, {kv_dim, s.weight_scale}});
    } else {
      fused(p + "attn_q.weight", s.n_embd, {{q_dim, 0.3f}});
      fused(p + "attn_k.weight", s.n_embd, {{kv_dim, 0.3f}});
      matrix(p + "attn_v.weight", s.n_embd, kv_dim);
    }
    matrix(p + "attn_output.weight", q_dim, s.n_embd);
    if (a == "qwen2" && fused_qkv) {
      vec(p + "attn_qkv.bias", q_dim + 2 * kv_dim, -0.5f, 0.5f);
    } else if (a == "qwen2") {
      vec(p + "attn_q.bias", q_dim, -0.5f, 0.5f);
      vec(p + "attn_k.bias", kv_dim, -0.5f, 0.5f);
      vec(p + "attn_v.bias", kv_dim, -0.5f, 0.5f);
    }
    if (a == "qwen3" || a == "gemma3") {  // normalized heads have unit RMS: weights above 1 keep attention peaked
      vec(p + "attn_q_norm.weight", s.head_dim, 1.0f, 3.0f);
      vec(p + "attn_k_norm.weight", s.head_dim, 1.0f, 3.0f);
    }
    if (a == "gemma2" || a == "gemma3") {  // stored as llama.cpp's converter writes them: Gemma's 1 + w
      vec(p + "post_attention_norm.weight", s.n_embd, 0.8f, 1.2f);
      vec(p + "post_ffw_norm.weight", s.n_embd, 0.8f, 1.2f);
    }
    vec(p + "ffn_norm.weight", s.n_embd, 0.8f, 1.2f);
    if (a == "phi3") {
      fused(p + "ffn_up.weight", s.n_embd, {{s.n_ff, s.weight_scale}, {s.n_ff, s.weight_scale}});
    } else {
      matrix(p + "ffn_gate.weight", s.n_embd, s.n_ff);
      matrix(p + "ffn_up.weight", s.n_embd, s.n_ff);
    }
    matrix(p + "ffn_down.weight", s.n_ff, s.n_embd);
  }
  return w;
}

}  // namespace mrrope
