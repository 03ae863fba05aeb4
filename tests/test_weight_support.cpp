// What `mrrope-cli info` reports before loading: tensors grouped by weight
// type with whether each is supported, and the loader's verdict on the file.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "model/synthetic_model.h"
#include "support/model_files.h"
#include "model/weight_support.h"
#include "ops/weight_types.h"
#include "quant/quantize.h"
#include "support/quant_samples.h"

namespace mrrope {
namespace {

using test::model_with_unsupported_output;

TEST(WeightSupport, GroupsTensorsByTypeMostFirst) {
  SyntheticModelSpec spec;  // 2 layers of 7 matrices, token_embd and output in Q8_0; 5 norms in F32
  spec.weight_type = GgmlType::Q8_0;
  const GgufFile f = GgufFile::parse(make_synthetic_model(spec).to_bytes(), "m.gguf");
  const std::vector<WeightTypeUse> uses = weight_type_uses(f);
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0].type, GgmlType::Q8_0);
  EXPECT_EQ(uses[0].tensors, 2 * 7 + 2);
  EXPECT_EQ(uses[0].first_tensor, "token_embd.weight");
  EXPECT_TRUE(uses[0].supported);
  EXPECT_EQ(uses[1].type, GgmlType::F32);
  EXPECT_EQ(uses[1].tensors, 2 * 2 + 1);
  EXPECT_TRUE(uses[1].supported);
  uint64_t bytes = 0;
  for (const GgufTensorInfo& t : f.tensors()) bytes += t.bytes;
  EXPECT_EQ(uses[0].bytes + uses[1].bytes, bytes);
  EXPECT_EQ(decoder_refusal(f), "");
}

// A type the decoder does not read is listed as such, naming a tensor, and the
// loader's refusal (unchanged) is what info reports for the file.
TEST(WeightSupport, UnsupportedTypeIsListedAndTheRefusalKept) {
  const GgufWriter w = model_with_unsupported_output();
  const GgufFile f = GgufFile::parse(w.to_bytes(), "m.gguf");
  const std::vector<WeightTypeUse> uses = weight_type_uses(f);
  ASSERT_EQ(uses.size(), 3u);
  EXPECT_EQ(uses[2].type, GgmlType::Q8_K);
  EXPECT_EQ(uses[2].tensors, 1);
  EXPECT_EQ(uses[2].first_tensor, "output.weight");
  EXPECT_FALSE(uses[2].supported);
  EXPECT_EQ(decoder_refusal(f),
            "m.gguf: tensor 'output.weight' has type Q8_K, which this decoder does not support yet");
}

// ops/weight_kernels.def is the one list of weight types: the CPU reference
// dequantizes exactly its types (a row without a dequantizer in quant/, or a
// dequantizer without a row, fails here), and the loader reads exactly them.
TEST(WeightSupport, CpuReferenceAndLoaderReadTheWeightTable) {
  int readable = 0;
  for (uint32_t id = 0; id < 64; ++id) {
    if (!ggml_type_traits(id)) continue;
    const auto t = static_cast<GgmlType>(id);
    EXPECT_EQ(can_dequantize(t), ops::is_gpu_weight_type(t)) << ggml_type_name(t);
    EXPECT_EQ(decoder_reads_weight_type(t), ops::is_gpu_weight_type(t)) << ggml_type_name(t);
    readable += decoder_reads_weight_type(t);
  }
  EXPECT_EQ(readable, int(ops::gpu_weight_types().size()));
  // Each row's reference dequantizes a row of its blocks to finite values.
  for (GgmlType t : ops::gpu_weight_types()) {
    const int64_t cols = ggml_traits(t).block_elems == 256 ? 256 : 64;
    std::mt19937 rng(3);
    const std::vector<float> x = test::uniform_values(rng, size_t(cols) * 2, -1, 1);
    const std::vector<float> back = dequantize_rows(t, test::sample_weight_bytes(t, x, 2, cols, 3), 2, cols);
    ASSERT_EQ(back.size(), x.size()) << ggml_type_name(t);
    for (float v : back) ASSERT_TRUE(std::isfinite(v)) << ggml_type_name(t);
  }
}

TEST(WeightSupport, UnsupportedArchitectureIsTheRefusal) {
  GgufWriter w = make_synthetic_model({});
  w.set_string("general.architecture", "mamba");
  const GgufFile f = GgufFile::parse(w.to_bytes(), "m.gguf");
  EXPECT_EQ(decoder_refusal(f),
            "m.gguf: architecture 'mamba' is not supported (supported: llama, qwen2, qwen3, phi3, gemma2, gemma3)");
}

}  // namespace
}  // namespace mrrope
