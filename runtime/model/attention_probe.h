#pragma once
// What the attention probe watches and what it reports. The probe runs on the
// GPU inside every forward pass for one layer (attention_probe.comp), so the
// whole-context map fills in as a prefill advances, without ever holding the
// full attention matrix.
#include <cstdint>
#include <vector>

namespace mrrope {

struct AttentionProbeConfig {
  int layer = 0;
  int head = 0;          // -1: the mean over all heads of the layer
  int band_begin = 0;    // rotary pairs whose dimensions enter the scores: [band_begin, band_end)
  int band_end = -1;     // -1: all pairs (the whole head, rotated or not)
  int grid = 256;        // cells per side of the pooled map
  int span = 0;          // tokens the map covers (block = ceil(span / grid)); 0 = the context size
};

struct AttentionProbeResult {
  int grid = 0, block = 0;
  int tokens = 0;                  // query positions covered so far
  int window = 0;                  // the probed layer's sliding window in keys; 0 = a global layer
  // grid x grid: cell (r, c) = mean attention probability of queries in block r
  // on keys in block c (over all query-key pairs of the cell; masked pairs count 0).
  std::vector<float> map;
  // Attention of the last processed token over positions 0..tokens-1 (mean over
  // probed heads).
  std::vector<float> last_row;
  // Mean score (q . k over the band, times the model's query scale, and
  // soft-capped where the model caps attention logits: gemma2) per distance
  // bucket [b*block, (b+1)*block); NaN where no pair has been seen.
  // A sliding-window (local) layer's queries see only their last `window` keys,
  // as the decoder computes them: keys before that get probability 0 in map and
  // last_row and no score here (buckets at distances >= window stay NaN).
  std::vector<float> score_by_distance;
};

// The reference for tests: the same summaries from full probability and score
// matrices. probs/scores are [queries x keys] rows for one head with query q at
// position q (keys past q ignored). window > 0: the probed layer's sliding
// window; scores of keys at distance >= window are left out.
AttentionProbeResult pooled_attention_reference(const std::vector<std::vector<float>>& probs,
                                                const std::vector<std::vector<float>>& scores, int grid, int block,
                                                int window = 0);

}  // namespace mrrope
