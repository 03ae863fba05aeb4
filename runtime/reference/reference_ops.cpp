#include "reference/reference_ops.h"

#include <algorithm>
#include <cmath>

namespace mrrope::ref {
namespace {
constexpr long double kPi = 3.141592653589793238462643383279502884L;
}  // namespace

void matmul(std::span<const float> w, std::span<const float> x, std::span<float> y, int64_t n, int64_t k,
            int64_t batch) {
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t r = 0; r < n; ++r) {
      double acc = 0;
      for (int64_t i = 0; i < k; ++i) acc += static_cast<double>(w[r * k + i]) * x[b * k + i];
      y[b * n + r] = static_cast<float>(acc);
    }
}

Q8Blocks quantize_act(std::span<const float> x, int64_t cols, int64_t batch) {
  Q8Blocks out;
  out.q.resize(size_t(batch * cols));
  for (int64_t start = 0; start < batch * cols; start += 32) {
    float amax = 0;
    for (int64_t i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[start + i]));
    const float d = amax / 127.0f, inv = d != 0.0f ? 1.0f / d : 0.0f;
    int sum = 0;
    for (int64_t i = 0; i < 32; ++i) {
      const auto q = static_cast<int8_t>(std::round(x[start + i] * inv));  // ties away from zero
      out.q[start + i] = q;
      sum += q;
    }
    out.d.push_back(d);
    out.s.push_back(d * static_cast<float>(sum));
  }
  return out;
}

std::vector<float> Q8Blocks::values() const {
  std::vector<float> v(q.size());
  for (size_t i = 0; i < q.size(); ++i) v[i] = d[i / 32] * q[i];
  return v;
}

void rms_norm(std::span<const float> x, std::span<const float> weight, std::span<float> y, int64_t rows,
              int64_t cols, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    double ss = 0;
    for (int64_t i = 0; i < cols; ++i) ss += static_cast<double>(x[r * cols + i]) * x[r * cols + i];
    const double scale = 1.0 / std::sqrt(ss / cols + eps);
    for (int64_t i = 0; i < cols; ++i) y[r * cols + i] = static_cast<float>(x[r * cols + i] * scale * weight[i]);
  }
}

void silu_mul(std::span<const float> gate, std::span<const float> up, std::span<float> out) {
  for (size_t i = 0; i < out.size(); ++i) {
    const double g = gate[i];
    out[i] = static_cast<float>(g / (1.0 + std::exp(-g)) * up[i]);
  }
}

void gelu_mul(std::span<const float> gate, std::span<const float> up, std::span<float> out) {
  const double sqrt_2_over_pi = std::sqrt(2.0 / double(kPi));
  for (size_t i = 0; i < out.size(); ++i) {
    const double g = gate[i];
    out[i] = static_cast<float>(0.5 * g * (1.0 + std::tanh(sqrt_2_over_pi * (g + 0.044715 * g * g * g))) * up[i]);
  }
}

void softcap(std::span<float> x, float cap) {
  for (float& v : x) v = static_cast<float>(cap * std::tanh(double(v) / cap));
}

void add(std::span<const float> a, std::span<const float> b, std::span<float> out) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = a[i] + b[i];
}

void softmax(std::span<const float> x, std::span<float> y, int64_t rows, int64_t cols, float scale) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x.data() + r * cols;
    double m = -INFINITY, sum = 0;
    for (int64_t i = 0; i < cols; ++i) m = std::max(m, static_cast<double>(scale) * in[i]);
    for (int64_t i = 0; i < cols; ++i) sum += std::exp(static_cast<double>(scale) * in[i] - m);
    for (int64_t i = 0; i < cols; ++i) y[r * cols + i] = static_cast<float>(std::exp(double(scale) * in[i] - m) / sum);
  }
}

void embed(std::span<const float> table, std::span<const uint32_t> ids, std::span<float> out, int64_t cols) {
  for (size_t t = 0; t < ids.size(); ++t)
    std::copy_n(table.data() + static_cast<int64_t>(ids[t]) * cols, cols, out.data() + t * cols);
}

void rope(std::span<float> x, std::span<const int32_t> positions, std::span<const double> freq, int64_t n_heads,
          int64_t head_dim, int64_t n_rot, bool neox, float attn_factor) {
  const int64_t half = n_rot / 2;
  for (size_t t = 0; t < positions.size(); ++t)
    for (int64_t h = 0; h < n_heads; ++h) {
      float* v = x.data() + (static_cast<int64_t>(t) * n_heads + h) * head_dim;
      for (int64_t i = 0; i < half; ++i) {
        const long double angle = std::fmod(static_cast<long double>(positions[t]) * freq[i], 2.0L * kPi);
        const double c = static_cast<double>(std::cos(angle)) * attn_factor;
        const double s = static_cast<double>(std::sin(angle)) * attn_factor;
        const int64_t i0 = neox ? i : 2 * i, i1 = neox ? i + half : 2 * i + 1;
        const double x0 = v[i0], x1 = v[i1];
        v[i0] = static_cast<float>(x0 * c - x1 * s);
        v[i1] = static_cast<float>(x0 * s + x1 * c);
      }
    }
}

void attention(std::span<const float> q, std::span<const float> k, std::span<const float> v, std::span<float> out,
               int64_t n, int64_t pos0, int64_t n_head, int64_t n_kv_head, int64_t hd, int64_t window,
               double scale, double softcap) {
  const int64_t group = n_head / n_kv_head, kv_dim = n_kv_head * hd;
  if (scale == 0) scale = 1.0 / std::sqrt(double(hd));
  std::vector<double> p(pos0 + n), o(hd);
  for (int64_t t = 0; t < n; ++t)
    for (int64_t h = 0; h < n_head; ++h) {
      const float* qv = q.data() + (t * n_head + h) * hd;
      const int64_t kvh = h / group, visible = pos0 + t + 1;
      const int64_t first = window > 0 ? std::max<int64_t>(0, visible - window) : 0;
      double m = -INFINITY, sum = 0;
      for (int64_t j = first; j < visible; ++j) {
        double s = 0;
        for (int64_t d = 0; d < hd; ++d) s += double(qv[d]) * k[j * kv_dim + kvh * hd + d];
        s *= scale;
        if (softcap > 0) s = softcap * std::tanh(s / softcap);
        m = std::max(m, p[j] = s);
      }
      std::fill(o.begin(), o.end(), 0.0);
      for (int64_t j = first; j < visible; ++j) {
        const double w = std::exp(p[j] - m);
        sum += w;
        for (int64_t d = 0; d < hd; ++d) o[d] += w * v[j * kv_dim + kvh * hd + d];
      }
      for (int64_t d = 0; d < hd; ++d) out[(t * n_head + h) * hd + d] = static_cast<float>(o[d] / sum);
    }
}

}  // namespace mrrope::ref
