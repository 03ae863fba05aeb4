// Gemma 2's attention-logit soft-capping of a scaled score s: cap * tanh(s / cap),
// applied before the softmax when the push constant `softcap` is not 0. Written
// as scale.comp's SOFTCAP (tanh(y) = 1 - 2 / (exp(2y) + 1)): exp's overflow
// gives +cap, its underflow -cap, never NaN; near 0 the absolute error is about
// cap * 6e-8. CPU twin: ref::attention's softcap, CpuModel's attention.
float softcap_score(float s, float cap) { return cap * (1.0 - 2.0 / (exp(2.0 * s / cap) + 1.0)); }
vec4 softcap_score(vec4 s, float cap) { return cap * (1.0 - 2.0 / (exp(2.0 * s / cap) + vec4(1.0))); }
