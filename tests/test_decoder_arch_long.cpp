// qwen3, phi3 and gemma3 past 4K positions: the Vulkan decoder against the CPU
// reference under none, yarn and mrrope-pro, for phi3 its LongRoPE (the
// file's long factors and attention factor), for gemma3 a local layer (window
// of 1024, its own RoPE base, not extended) before a global one, for gemma2 the
// same with attention-logit soft-capping (cap 2, so it bends the scores) and the
// local layer on the global base. Same shapes and tolerance as
// test_decoder.cpp's DecoderLongContext, one weight type: the products are
// covered there; what differs here is the layers around RoPE.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "model/cpu_model.h"
#include "model/gpu_model.h"
#include "support/gpu_test.h"
#include "support/long_context_check.h"
#include "support/logits_compare.h"
#include "support/model_files.h"
#include "support/precision.h"

namespace mrrope::test {
namespace {

struct ArchLongCase {
  std::string arch;
  std::vector<std::string> methods;
};

// Phi-3's shape of LongRoPE factors: short ones near 1 (the model's trained
// frequencies), long ones growing towards the low-frequency pairs.
void add_longrope_factors(SyntheticModelSpec& spec, int orig_ctx, double scale) {
  const int pairs = spec.head_dim / 2;
  for (int i = 0; i < pairs; ++i) {
    const double t = double(i) / (pairs - 1);
    spec.longrope_short.push_back(static_cast<float>(1 + 0.2 * t));
    spec.longrope_long.push_back(static_cast<float>(1 + (scale - 1) * t * t));
  }
  spec.native_orig_ctx = orig_ctx;
  spec.n_ctx_train = static_cast<int>(orig_ctx * scale);
  spec.attn_factor = static_cast<float>(std::sqrt(1 + std::log(scale) / std::log(double(orig_ctx))));
}

class DecoderArchLongContext : public GpuTest, public testing::WithParamInterface<ArchLongCase> {};

// 4160 tokens of prefill (chunks of 512), then logits of 8 more at positions
// 4160..4167 against the reference, S = 4 for every method but none.
TEST_P(DecoderArchLongContext, MatchesReferencePast4K) {
  SyntheticModelSpec spec;
  spec.arch = GetParam().arch;
  spec.weight_type = GgmlType::F16;
  spec.n_layer = 1;
  spec.n_head = 4;
  spec.n_head_kv = 2;
  spec.n_embd = 256;
  spec.n_ff = 256;
  spec.n_vocab = 128;
  if (spec.arch == "phi3") add_longrope_factors(spec, 512, 4.0);
  if (spec.arch == "gemma3" || spec.arch == "gemma2") {
    spec.n_layer = 2;
    spec.swa_window = 1024;
    spec.swa_pattern = 2;  // layer 0 local, layer 1 global
    spec.swa_freq_base = 10000;
    spec.freq_base = 1000000;
    spec.tied_output = true;
    if (spec.arch == "gemma2") spec.swa_freq_base = 0, spec.freq_base = 10000, spec.attn_logit_softcap = 2;
  }
  const GgufFile file = synthetic_gguf(spec);
  expect_past_4k_matches_reference(gpu(), file, GetParam().methods);
}

INSTANTIATE_TEST_SUITE_P(Arch, DecoderArchLongContext,
                         testing::Values(ArchLongCase{"qwen3", {"none", "yarn", "mrrope-pro"}},
                                         ArchLongCase{"phi3", {"none", "yarn", "mrrope-pro", "longrope"}},
                                         ArchLongCase{"gemma3", {"none", "yarn", "mrrope-pro"}},
                                         ArchLongCase{"gemma2", {"none", "yarn", "mrrope-pro"}}),
                         [](const testing::TestParamInfo<ArchLongCase>& i) { return i.param.arch; });

}  // namespace
}  // namespace mrrope::test
