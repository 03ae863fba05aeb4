#pragma once
// Plain CPU versions of every GPU kernel: slow, obvious, and the truth the
// kernel tests compare against. Accumulations are in double.
#include <cstdint>
#include <span>
#include <vector>

namespace mrrope::ref {

// y[b, n] = sum_k w[n, k] * x[b, k]; w is dequantized [n x k].
void matmul(std::span<const float> w, std::span<const float> x, std::span<float> y, int64_t n, int64_t k,
            int64_t batch);
// Activations as int8 blocks of 32 (ops/matvec_int8.h): per block d =
// max|x| / 127, q = round(x / d) with ties away from zero, s = d * sum(q).
struct Q8Blocks {
  std::vector<int8_t> q;        // [batch * cols]
  std::vector<float> d, s;      // [batch * cols / 32]
  std::vector<float> values() const;  // d * q, what the integer-dot products multiply
};
Q8Blocks quantize_act(std::span<const float> x, int64_t cols, int64_t batch);
void rms_norm(std::span<const float> x, std::span<const float> weight, std::span<float> y, int64_t rows,
              int64_t cols, float eps);
void silu_mul(std::span<const float> gate, std::span<const float> up, std::span<float> out);
// GeGLU: gelu(gate) * up with GELU's tanh approximation.
void gelu_mul(std::span<const float> gate, std::span<const float> up, std::span<float> out);
// x = cap * tanh(x / cap), in place.
void softcap(std::span<float> x, float cap);
void add(std::span<const float> a, std::span<const float> b, std::span<float> out);
void softmax(std::span<const float> x, std::span<float> y, int64_t rows, int64_t cols, float scale = 1.0f);
// out[t, :] = table[ids[t], :], table dequantized [rows x cols].
void embed(std::span<const float> table, std::span<const uint32_t> ids, std::span<float> out, int64_t cols);
// In place, x as [token][head][head_dim]: pair i of token t rotates by
// positions[t] * freq[i], reduced modulo 2 pi in extended precision.
void rope(std::span<float> x, std::span<const int32_t> positions, std::span<const double> freq, int64_t n_heads,
          int64_t head_dim, int64_t n_rot, bool neox, float attn_factor);

// Causal grouped-query attention: q [n x n_head*hd] at positions pos0 ..,
// k and v [>= pos0 + n positions x n_kv_head*hd]; query head h reads kv head
// h / (n_head / n_kv_head); token t sees keys 0 .. pos0 + t, or with a
// window > 0 only the last `window` of them (pos0 + t - window < j). Scores are
// q . k * scale (0: 1 / sqrt(head_dim)), then with softcap > 0 (Gemma 2's
// attention-logit soft-capping) softcap * tanh(score / softcap).
void attention(std::span<const float> q, std::span<const float> k, std::span<const float> v, std::span<float> out,
               int64_t n, int64_t pos0, int64_t n_head, int64_t n_kv_head, int64_t head_dim, int64_t window = 0,
               double scale = 0, double softcap = 0);

}  // namespace mrrope::ref
