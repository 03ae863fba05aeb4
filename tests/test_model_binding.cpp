// A model file whose tensors and metadata disagree is refused with a message
// that names the tensor (escaped) and the metadata behind the disagreement.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "model/model_config.h"
#include "model/synthetic_model.h"
#include "ops/weight_types.h"
#include "quant/quantize.h"
#include "support/model_files.h"

namespace mrrope {
namespace {

using test::bind_error;
using test::model_with_unsupported_output;

TEST(ModelBinding, TwoLayerFileBindsCleanly) { EXPECT_EQ(bind_error(make_synthetic_model({})), ""); }

// llama.cpp refuses this file; running only the first block_count layers
// would silently ignore the rest.
TEST(ModelBinding, BlockCountBelowTheBlocksPresentIsRefused) {
  GgufWriter w = make_synthetic_model({});  // 2 layers
  w.set_u32("llama.block_count", 1);
  const std::string error = bind_error(w);
  EXPECT_NE(error.find("m.gguf: block_count is 1 but the file has tensors of block 1 ('blk.1."), std::string::npos)
      << error;
}

TEST(ModelBinding, TensorsNoLayerUsesAreRefusedWithEscapedNames) {
  GgufWriter w = make_synthetic_model({});
  const std::vector<float> values(4, 1.0f);
  w.add_tensor_f32("extra\x1b[31m.weight", GgmlType::F32, {4}, values);
  EXPECT_EQ(bind_error(w), "m.gguf: tensor 'extra\\x1b[31m.weight' is not used by a 2-layer llama model");
}

TEST(ModelBinding, MissingBlockTensorIsNamed) {
  GgufWriter w = make_synthetic_model({});
  w.set_u32("llama.block_count", 3);
  EXPECT_EQ(bind_error(w), "m.gguf: missing tensor 'blk.2.attn_norm.weight'");
}

// Files quantized to each weight type the decoder reads bind (the writer's
// quantizers make them); a type it cannot read is refused before loading,
// naming the tensor and the type.
TEST(ModelBinding, EverySupportedWeightTypeBinds) {
  for (GgmlType t : ops::gpu_weight_types()) {  // every row of ops/weight_kernels.def
    SyntheticModelSpec spec;
    spec.weight_type = t;
    spec.random_blocks = !can_quantize(t);  // the IQ1-IQ3 grid types have no quantizer
    spec.n_embd = 256;  // rows and q_dim (4 heads of 64): multiples of every block size
    spec.n_head = 4;
    spec.n_head_kv = 2;
    EXPECT_EQ(bind_error(make_synthetic_model(spec)), "") << ggml_type_name(t);
  }
}

TEST(ModelBinding, UnsupportedWeightTypeIsNamed) {
  const GgufWriter w = model_with_unsupported_output();
  EXPECT_EQ(bind_error(w), "m.gguf: tensor 'output.weight' has type Q8_K, which this decoder does not support yet");
}

TEST(Printable, EscapesControlBytesAndBackslashes) {
  EXPECT_EQ(printable(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(printable("\x1b[31mred\\"), "\\x1b[31mred\\x5c");
  EXPECT_EQ(printable("blk.0.attn_q.weight \xc3\xa9"), "blk.0.attn_q.weight \xc3\xa9");  // UTF-8 kept
}

}  // namespace
}  // namespace mrrope
