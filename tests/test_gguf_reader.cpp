// Reading GGUF files: the shared llama.cpp vocabulary fixtures, typed
// accessors, memory mapping, and hyperparameters with their defaults.
#include <gtest/gtest.h>

#include <limits>

#include <filesystem>

#include "gguf/gguf_file.h"
#include "gguf/model_hparams.h"
#include "support/gguf_fixtures.h"

namespace mrrope {
namespace {

using testing::make_tiny_llama;
using testing::TempDir;
using testing::tokenizer_fixture;

TEST(GgufReader, LlamaSpmFixture) {
  const GgufFile f = GgufFile::open(tokenizer_fixture("ggml-vocab-llama-spm.gguf"));
  EXPECT_TRUE(f.version() == 2 || f.version() == 3);
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.get_string("tokenizer.ggml.model"), "llama");
  const std::vector<std::string> tokens = f.get_string_array("tokenizer.ggml.tokens");
  ASSERT_EQ(tokens.size(), 32000u);
  EXPECT_EQ(tokens[0], "<unk>");
  EXPECT_EQ(tokens[1], "<s>");
  EXPECT_EQ(tokens[2], "</s>");
  EXPECT_EQ(f.get_float_array("tokenizer.ggml.scores").size(), 32000u);
  EXPECT_EQ(f.get_int_array("tokenizer.ggml.token_type").size(), 32000u);
  EXPECT_EQ(f.get_int("tokenizer.ggml.bos_token_id", -1), 1);
  EXPECT_EQ(f.get_int("tokenizer.ggml.eos_token_id", -1), 2);
  EXPECT_TRUE(f.tensors().empty());
  EXPECT_EQ(f.alignment(), 32u);
  // Vocabulary-only files from llama.cpp's converter end without the padding.
  EXPECT_EQ(f.data_offset(), f.file_size());
}

TEST(GgufReader, Gpt2Fixture) {
  const GgufFile f = GgufFile::open(tokenizer_fixture("ggml-vocab-gpt-2.gguf"));
  EXPECT_EQ(f.get_string("general.architecture"), "gpt2");
  EXPECT_EQ(f.get_string("tokenizer.ggml.model"), "gpt2");
  const std::vector<std::string> tokens = f.get_string_array("tokenizer.ggml.tokens");
  ASSERT_EQ(tokens.size(), 50257u);
  EXPECT_EQ(tokens[0], "!");
  EXPECT_EQ(tokens[50256], "<|endoftext|>");
  const std::vector<std::string> merges = f.get_string_array("tokenizer.ggml.merges");
  ASSERT_FALSE(merges.empty());
  EXPECT_EQ(merges[0], "\xc4\xa0 t");  // "Ġ t", the first GPT-2 merge
}

TEST(GgufReader, FixtureParsesTheSameFromMemory) {
  const std::string path = tokenizer_fixture("ggml-vocab-llama-spm.gguf");
  const GgufFile mapped = GgufFile::open(path);
  const GgufFile parsed = GgufFile::parse(testing::read_file_bytes(path), "spm");
  ASSERT_EQ(mapped.metadata().size(), parsed.metadata().size());
  for (size_t i = 0; i < mapped.metadata().size(); ++i) {
    EXPECT_EQ(mapped.metadata()[i].first, parsed.metadata()[i].first);
    EXPECT_TRUE(mapped.metadata()[i].second == parsed.metadata()[i].second) << mapped.metadata()[i].first;
  }
  EXPECT_EQ(parsed.path(), "spm");
}

TEST(GgufReader, TypedGettersAndWrongTypes) {
  const std::vector<uint8_t> image = make_tiny_llama().to_bytes();
  const GgufFile f = GgufFile::parse(image, "tiny.gguf");
  EXPECT_EQ(f.get_int("llama.block_count", 0), 1);
  EXPECT_EQ(f.get_int("absent", 7), 7);
  EXPECT_FALSE(f.get_int("absent").has_value());
  EXPECT_FLOAT_EQ(static_cast<float>(f.get_float("llama.rope.freq_base", 0)), 500000.f);
  EXPECT_DOUBLE_EQ(f.get_float("llama.block_count", 0), 1.0);  // integers read as floats
  EXPECT_EQ(f.get_string("absent", "dflt"), "dflt");
  EXPECT_TRUE(f.get_bool("absent", true));
  EXPECT_TRUE(f.get_string_array("absent").empty());

  auto expect_error = [](auto fn, const std::string& phrase) {
    try {
      fn();
      ADD_FAILURE() << "no error, expected '" << phrase << "'";
    } catch (const GgufError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(phrase), std::string::npos) << msg;
      EXPECT_NE(msg.find("tiny.gguf"), std::string::npos) << msg;
    }
  };
  expect_error([&] { f.get_int("general.name", 0); }, "'general.name' has type STRING");
  expect_error([&] { f.get_string("llama.block_count"); }, "'llama.block_count' has type UINT32");
  expect_error([&] { f.get_bool("llama.block_count", false); }, "expected BOOL");
  expect_error([&] { f.get_string_array("tokenizer.ggml.scores"); }, "array of FLOAT32");
  expect_error([&] { f.get_int_array("tokenizer.ggml.tokens"); }, "array of STRING");
  expect_error([&] { f.get_float_array("general.name"); }, "expected an array");
}

TEST(GgufReader, ValueConversions) {
  EXPECT_EQ(GgufValue::of_uint(GgufValueType::UINT8, 255).as_int(), 255);
  EXPECT_THROW(GgufValue::of_uint(GgufValueType::UINT8, 256), GgufError);
  EXPECT_THROW(GgufValue::of_int(GgufValueType::INT8, -129), GgufError);
  EXPECT_THROW(GgufValue::of_uint(GgufValueType::UINT64, ~0ull).as_int(), GgufError);
  EXPECT_THROW(GgufValue::of_int(GgufValueType::INT32, -1).as_uint(), GgufError);
  EXPECT_THROW(GgufValue::of_string("x").as_int(), GgufError);
  EXPECT_THROW(GgufValue::of_bool(true).as_string(), GgufError);
  EXPECT_THROW(GgufValue::of_float(GgufValueType::FLOAT32, 1).as_bool(), GgufError);
  EXPECT_THROW(GgufValue::of_int(GgufValueType::INT16, 1).as_array(), GgufError);
  EXPECT_THROW(GgufValue::of_array(GgufValueType::INT32, {GgufValue::of_string("x")}), GgufError);
  EXPECT_TRUE(GgufValue::of_int(GgufValueType::INT64, -5).is_integer());
  EXPECT_TRUE(GgufValue::of_float(GgufValueType::FLOAT64, 0.5).is_float());
}

TEST(GgufReader, TensorsAndMappedData) {
  TempDir dir;
  GgufWriter w = make_tiny_llama();
  w.write(dir.path("tiny.gguf"));
  const GgufFile f = GgufFile::open(dir.path("tiny.gguf"));
  EXPECT_EQ(f.version(), 3u);
  ASSERT_EQ(f.tensors().size(), 12u);
  const GgufTensorInfo* q = f.find_tensor("blk.0.attn_q.weight");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->type, GgmlType::Q4_0);
  EXPECT_EQ(q->ne, (std::vector<int64_t>{64, 64}));
  EXPECT_EQ(q->elements(), 64 * 64);
  EXPECT_EQ(q->rows(), 64);
  EXPECT_EQ(q->bytes, 64u * 64 / 32 * 18);
  EXPECT_EQ(f.find_tensor("missing"), nullptr);
  for (const GgufTensorInfo& t : f.tensors()) {
    EXPECT_EQ(t.offset % f.alignment(), 0u) << t.name;
    const std::span<const uint8_t> data = f.tensor_data(t);
    EXPECT_EQ(data.size(), t.bytes);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(data.data()) % 32, 0u) << t.name;  // mapping is page aligned
  }
  GgufTensorInfo bogus = *q;
  bogus.offset = f.file_size();
  EXPECT_THROW(f.tensor_data(bogus), GgufError);
}

TEST(GgufReader, OpenMissingFileNamesIt) {
  try {
    GgufFile::open("/nonexistent/dir/model.gguf");
    FAIL();
  } catch (const GgufError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/model.gguf: cannot open"), std::string::npos);
  }
  TempDir dir;
  try {
    GgufFile::open(dir.dir());
    FAIL();
  } catch (const GgufError& e) {
    EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
  }
}

TEST(GgufReader, MoveKeepsDataValid) {
  const std::vector<uint8_t> image = make_tiny_llama().to_bytes();
  GgufFile a = GgufFile::parse(image, "a");
  const GgufTensorInfo info = *a.find_tensor("output.weight");
  const std::vector<uint8_t> before(a.tensor_data(info).begin(), a.tensor_data(info).end());
  GgufFile b = std::move(a);
  const std::span<const uint8_t> after = b.tensor_data(info);
  EXPECT_TRUE(std::equal(before.begin(), before.end(), after.begin(), after.end()));
}

// --- hyperparameters --------------------------------------------------------

TEST(GgufHParams, TinyLlamaWithDefaults) {
  const GgufFile f = GgufFile::parse(make_tiny_llama().to_bytes(), "tiny.gguf");
  const ModelHParams hp = ModelHParams::from_gguf(f);
  EXPECT_EQ(hp.architecture, "llama");
  EXPECT_EQ(hp.name, "tiny-test-llama");
  EXPECT_EQ(hp.n_vocab, 32);
  EXPECT_EQ(hp.n_ctx_train, 256);
  EXPECT_EQ(hp.n_embd, 64);
  EXPECT_EQ(hp.n_layer, 1);
  EXPECT_EQ(hp.n_ff, 128);
  EXPECT_EQ(hp.n_head, 4);
  EXPECT_EQ(hp.n_head_kv, 2);
  EXPECT_EQ(hp.head_dim, 16);
  EXPECT_FLOAT_EQ(static_cast<float>(hp.rms_norm_eps), 1e-6f);
  EXPECT_EQ(hp.rope.n_rot, 16);
  EXPECT_DOUBLE_EQ(hp.rope.freq_base, 500000.0);
  EXPECT_EQ(hp.rope.scaling_type, RopeScalingType::None);
  EXPECT_DOUBLE_EQ(hp.rope.scaling_factor, 1.0);
  EXPECT_EQ(hp.rope.original_ctx, 256);
  EXPECT_DOUBLE_EQ(hp.rope.attn_factor, 1.0);
  EXPECT_FALSE(hp.rope.yarn_beta_fast.has_value());
  EXPECT_FALSE(hp.rope.has_rope_freqs);
  EXPECT_EQ(hp.file_type, 2);
  EXPECT_EQ(hp.file_type_name, "MOSTLY_Q4_0");
  EXPECT_EQ(hp.quantization, "Q4_0");
  EXPECT_EQ(hp.weight_types.at(GgmlType::Q4_0), 6);
  EXPECT_EQ(hp.weight_types.at(GgmlType::Q8_0), 2);
  EXPECT_EQ(hp.n_params, 64 * 32 + 64 * 3 + 64 * 64 * 2 + 64 * 32 * 3 + 64 * 128 * 3);
}

TEST(GgufHParams, LlamaCppDefaultsWhenKeysAbsent) {
  GgufWriter w;
  w.set_string("general.architecture", "qwen2");
  w.set_u32("qwen2.vocab_size", 100);
  w.set_u32("qwen2.context_length", 4096);
  w.set_u32("qwen2.embedding_length", 128);
  w.set_u32("qwen2.block_count", 2);
  w.set_u32("qwen2.feed_forward_length", 256);
  w.set_u32("qwen2.attention.head_count", 8);
  const ModelHParams hp = ModelHParams::from_gguf(GgufFile::parse(w.to_bytes(), "q.gguf"));
  EXPECT_EQ(hp.n_vocab, 100);
  EXPECT_EQ(hp.n_head_kv, 8);
  EXPECT_EQ(hp.head_dim, 16);
  EXPECT_EQ(hp.rope.n_rot, 16);
  EXPECT_DOUBLE_EQ(hp.rms_norm_eps, 1e-5);
  EXPECT_DOUBLE_EQ(hp.rope.freq_base, 10000.0);
  EXPECT_FALSE(hp.file_type.has_value());
  EXPECT_EQ(hp.quantization, "");
}

TEST(GgufHParams, YarnScaling) {
  GgufWriter w = make_tiny_llama();
  w.set_string("llama.rope.scaling.type", "yarn");
  w.set_f32("llama.rope.scaling.factor", 4.f);
  w.set_u32("llama.rope.scaling.original_context_length", 64);
  w.set_f32("llama.rope.scaling.attn_factor", 0.5f);
  w.set_f32("llama.rope.scaling.yarn_ext_factor", 1.f);
  w.set_f32("llama.rope.scaling.yarn_attn_factor", 1.25f);
  w.set_f32("llama.rope.scaling.yarn_beta_fast", 32.f);
  w.set_f32("llama.rope.scaling.yarn_beta_slow", 1.f);
  w.set_u32("llama.rope.dimension_count", 8);
  w.add_tensor_f32("rope_freqs.weight", GgmlType::F32, {4}, std::vector<float>{1, 1, 2, 4});
  const ModelHParams hp = ModelHParams::from_gguf(GgufFile::parse(w.to_bytes(), "y.gguf"));
  EXPECT_EQ(hp.rope.scaling_type, RopeScalingType::Yarn);
  EXPECT_DOUBLE_EQ(hp.rope.scaling_factor, 4.0);
  EXPECT_EQ(hp.rope.original_ctx, 64);
  EXPECT_DOUBLE_EQ(hp.rope.attn_factor, 0.5);
  EXPECT_DOUBLE_EQ(hp.rope.yarn_ext_factor.value(), 1.0);
  EXPECT_DOUBLE_EQ(hp.rope.yarn_attn_factor.value(), 1.25);
  EXPECT_DOUBLE_EQ(hp.rope.yarn_beta_fast.value(), 32.0);
  EXPECT_DOUBLE_EQ(hp.rope.yarn_beta_slow.value(), 1.0);
  EXPECT_EQ(hp.rope.n_rot, 8);
  EXPECT_TRUE(hp.rope.has_rope_freqs);
}

TEST(GgufHParams, OldScaleLinearKey) {
  GgufWriter w = make_tiny_llama();
  w.set_f32("llama.rope.scale_linear", 2.f);
  const ModelHParams hp = ModelHParams::from_gguf(GgufFile::parse(w.to_bytes(), "l.gguf"));
  EXPECT_EQ(hp.rope.scaling_type, RopeScalingType::Linear);
  EXPECT_DOUBLE_EQ(hp.rope.scaling_factor, 2.0);
}

TEST(GgufHParams, MissingRequiredKeyIsNamed) {
  GgufWriter w = make_tiny_llama();
  w.remove("llama.block_count");
  try {
    ModelHParams::from_gguf(GgufFile::parse(w.to_bytes(), "m.gguf"));
    FAIL();
  } catch (const GgufError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("m.gguf"), std::string::npos) << msg;
    EXPECT_NE(msg.find("missing required key 'llama.block_count'"), std::string::npos) << msg;
  }
}

TEST(GgufHParams, BadValuesAreRefused) {
  auto expect_refused = [](GgufWriter w, const std::string& phrase) {
    try {
      ModelHParams::from_gguf(GgufFile::parse(w.to_bytes(), "h.gguf"));
      ADD_FAILURE() << "accepted, expected '" << phrase << "'";
    } catch (const GgufError& e) {
      EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
    }
  };
  GgufWriter kv = make_tiny_llama();
  kv.set_u32("llama.attention.head_count_kv", 3);
  expect_refused(std::move(kv), "does not divide");
  GgufWriter scaling = make_tiny_llama();
  scaling.set_string("llama.rope.scaling.type", "cubic");
  expect_refused(std::move(scaling), "unknown rope scaling type 'cubic'");
  GgufWriter arch = make_tiny_llama();
  arch.remove("general.architecture");
  expect_refused(std::move(arch), "general.architecture");
  // Zero where absence means a default, and non-finite floats: named, not replaced.
  GgufWriter kv0 = make_tiny_llama();
  kv0.set_u32("llama.attention.head_count_kv", 0);
  expect_refused(std::move(kv0), "'llama.attention.head_count_kv' is 0");
  GgufWriter rot0 = make_tiny_llama();
  rot0.set_u32("llama.rope.dimension_count", 0);
  expect_refused(std::move(rot0), "'llama.rope.dimension_count' is 0");
  GgufWriter eps = make_tiny_llama();
  eps.set_f32("llama.attention.layer_norm_rms_epsilon", std::numeric_limits<float>::infinity());
  expect_refused(std::move(eps), "'llama.attention.layer_norm_rms_epsilon' is not a finite number (inf)");
  GgufWriter factor = make_tiny_llama();
  factor.set_f32("llama.rope.scaling.factor", std::numeric_limits<float>::quiet_NaN());
  expect_refused(std::move(factor), "'llama.rope.scaling.factor' is not a finite number (nan)");
  // Wider than an int: reported as written, not truncated.
  GgufWriter ctx = make_tiny_llama();
  ctx.set_u32("llama.context_length", 4294967295u);
  expect_refused(std::move(ctx), "'llama.context_length' is 4294967295, above the largest supported 2147483647");
  GgufWriter blocks = make_tiny_llama();
  blocks.set_u32("llama.block_count", 4294967295u);
  expect_refused(std::move(blocks), "'llama.block_count' is 4294967295, above the largest supported 2147483647");
}

TEST(GgufHParams, OtherArchitecturesAreNotRefused) {
  GgufWriter w;
  w.set_string("general.architecture", "mamba");
  const ModelHParams hp = ModelHParams::from_gguf(GgufFile::parse(w.to_bytes(), "mamba.gguf"));
  EXPECT_EQ(hp.architecture, "mamba");
  EXPECT_EQ(hp.n_layer, 0);
}

TEST(GgufHParams, LlamaSpmFixtureKeepsLlama2Hparams) {
  // The vocabulary file still carries the Llama 2 7B hyperparameters.
  const ModelHParams hp = ModelHParams::from_gguf(GgufFile::open(tokenizer_fixture("ggml-vocab-llama-spm.gguf")));
  EXPECT_EQ(hp.n_vocab, 32000);
  EXPECT_EQ(hp.n_ctx_train, 4096);
  EXPECT_EQ(hp.n_embd, 4096);
  EXPECT_EQ(hp.n_layer, 32);
  EXPECT_EQ(hp.n_ff, 11008);
  EXPECT_EQ(hp.head_dim, 128);
  EXPECT_EQ(hp.rope.n_rot, 128);
  EXPECT_EQ(hp.file_type_name, "MOSTLY_F16");
  EXPECT_EQ(hp.quantization, "");
  EXPECT_EQ(hp.n_params, 0);
}

TEST(GgufHParams, FtypeNames) {
  EXPECT_EQ(llama_ftype_name(15), "MOSTLY_Q4_K_M");
  EXPECT_EQ(llama_ftype_name(7), "MOSTLY_Q8_0");
  EXPECT_EQ(llama_ftype_name(1024 + 1), "MOSTLY_F16 (guessed)");
  EXPECT_EQ(llama_ftype_name(99), "unknown (99)");
}

}  // namespace
}  // namespace mrrope
