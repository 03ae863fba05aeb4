#include "model/attention_probe.h"

#include <cmath>

namespace mrrope {

AttentionProbeResult pooled_attention_reference(const std::vector<std::vector<float>>& probs,
                                                const std::vector<std::vector<float>>& scores, int grid, int block,
                                                int window) {
  AttentionProbeResult r;
  r.grid = grid;
  r.block = block;
  r.tokens = static_cast<int>(probs.size());
  r.window = window;
  r.map.assign(size_t(grid) * grid, 0.0f);
  std::vector<double> cell(size_t(grid) * grid, 0.0), queries(grid, 0.0), dist(grid, 0.0), dist_n(grid, 0.0);
  for (int q = 0; q < r.tokens; ++q) {
    queries[q / block] += 1;
    for (int k = 0; k <= q; ++k) {
      cell[size_t(q / block) * grid + k / block] += probs[q][k];
      if (window > 0 && q - k >= window) continue;  // masked: never scored by the model
      dist[(q - k) / block] += scores[q][k];
      dist_n[(q - k) / block] += 1;
    }
  }
  for (int rr = 0; rr < grid; ++rr)
    for (int c = 0; c < grid; ++c)
      if (queries[rr] > 0) r.map[size_t(rr) * grid + c] = static_cast<float>(cell[size_t(rr) * grid + c] / (queries[rr] * block));
  r.score_by_distance.resize(grid);
  for (int b = 0; b < grid; ++b) r.score_by_distance[b] = dist_n[b] > 0 ? static_cast<float>(dist[b] / dist_n[b]) : NAN;
  if (r.tokens > 0) r.last_row = probs.back(), r.last_row.resize(r.tokens);
  return r;
}

}  // namespace mrrope
