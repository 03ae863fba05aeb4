// Reading the KV cache (ops/kv_cache.h has the layouts). The including shader
// declares the cache buffers as uint arrays and, for Q8_0, defines KV_Q8_0 and
// a push constant `scale_offset`: the word where the scales region starts.

// The row of position j in a head of `rows` rows: j itself in a full-length
// layer (j < rows always), j % rows in a ring (a sliding-window layer's
// window-sized cache, ops/kv_cache.h).
uint kv_slot(uint j, uint rows) { return j < rows ? j : j % rows; }

#ifdef KV_Q8_0
// Signed byte `i` (0..3) of a word of quants.
float kv_q8(uint word, uint i) { return float(bitfieldExtract(int(word), int(8u * i), 8)); }
// The half at index s of the scales region of `cache`.
#define KV_SCALE(cache, s) unpackHalf2x16(cache[p.scale_offset + (s) / 2u] >> (((s) & 1u) * 16u)).x
// Elements 2d and 2d+1 of cache row `row` (row = head * n_ctx + position).
#define KV_PAIR(cache, row, d, head_dim)                                                       \
  (vec2(kv_q8(cache[(row) * ((head_dim) / 4u) + (d) / 2u], ((d) & 1u) * 2u),                   \
        kv_q8(cache[(row) * ((head_dim) / 4u) + (d) / 2u], ((d) & 1u) * 2u + 1u)) *            \
   KV_SCALE(cache, (row) * ((head_dim) / 32u) + (d) / 16u))
#else
#define KV_PAIR(cache, row, d, head_dim) unpackHalf2x16(cache[(row) * ((head_dim) / 2u) + (d)])
#endif
