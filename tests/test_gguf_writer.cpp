// Writing GGUF files: round trips through the reader, byte-identical
// rewrites (including llama.cpp's own fixture files), layout and atomic writes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "quant/quantize.h"
#include "support/gguf_fixtures.h"

namespace mrrope {
namespace {

using testing::make_tiny_llama;
using testing::pseudo_random;
using testing::TempDir;

GgufValue nested(int depth) {
  if (depth == 1)
    return GgufValue::of_array(GgufValueType::INT16, {GgufValue::of_int(GgufValueType::INT16, -2),
                                                      GgufValue::of_int(GgufValueType::INT16, 3)});
  return GgufValue::of_array(GgufValueType::ARRAY, {nested(depth - 1), nested(depth - 1)});
}

GgufWriter every_value_type() {
  GgufWriter w(64);
  w.set_u8("t.u8", 250);
  w.set_i8("t.i8", -120);
  w.set_u16("t.u16", 65000);
  w.set_i16("t.i16", -32000);
  w.set_u32("t.u32", 4000000000u);
  w.set_i32("t.i32", -2000000000);
  w.set_u64("t.u64", std::numeric_limits<uint64_t>::max());
  w.set_i64("t.i64", std::numeric_limits<int64_t>::min());
  w.set_f32("t.f32", 3.14159f);
  w.set_f64("t.f64", -2.718281828459045);
  w.set_f32("t.f32_nan", std::numeric_limits<float>::quiet_NaN());
  w.set_f64("t.f64_inf", -std::numeric_limits<double>::infinity());
  w.set_bool("t.true", true);
  w.set_bool("t.false", false);
  w.set_string("t.string", "h\xc3\xa9llo\n\0world");
  w.set_string("t.empty", "");
  w.set_string_array("t.strings", {"a", "", "\xe2\x96\x81the"});
  w.set_i32_array("t.i32s", {1, -2, 3});
  w.set_u32_array("t.u32s", {7});
  w.set_i64_array("t.i64s", {});
  w.set_f32_array("t.f32s", {0.5f, -1.25f});
  w.set("t.nested", nested(3));
  w.set("t.bools", GgufValue::of_array(GgufValueType::BOOL, {GgufValue::of_bool(true), GgufValue::of_bool(false)}));
  w.set("t.empty_nested", GgufValue::of_array(GgufValueType::ARRAY, {}));
  return w;
}

TEST(GgufWriter, MetadataOfEveryTypeRoundTrips) {
  const GgufWriter w = every_value_type();
  const std::vector<uint8_t> image = w.to_bytes();
  const GgufFile f = GgufFile::parse(image, "types.gguf");
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 64u);
  ASSERT_EQ(f.metadata().size(), w.metadata().size());
  for (size_t i = 0; i < w.metadata().size(); ++i) {
    EXPECT_EQ(f.metadata()[i].first, w.metadata()[i].first);
    EXPECT_TRUE(f.metadata()[i].second == w.metadata()[i].second) << w.metadata()[i].first;
  }
  EXPECT_EQ(f.find("t.u8")->type, GgufValueType::UINT8);
  EXPECT_EQ(f.get_int("t.i8", 0), -120);
  EXPECT_EQ(f.find("t.u64")->as_uint(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(f.get_int("t.i64", 0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(static_cast<float>(f.get_float("t.f32", 0)), 3.14159f);
  EXPECT_TRUE(std::isnan(f.get_float("t.f32_nan", 0)));
  EXPECT_TRUE(f.get_bool("t.true", false));
  EXPECT_EQ(f.get_string("t.string"), std::string("h\xc3\xa9llo\n\0world"));
  EXPECT_EQ(f.get_string_array("t.strings"), (std::vector<std::string>{"a", "", "\xe2\x96\x81the"}));
  EXPECT_EQ(f.get_int_array("t.i32s"), (std::vector<int64_t>{1, -2, 3}));
  EXPECT_EQ(f.get_float_array("t.f32s"), (std::vector<float>{0.5f, -1.25f}));
  const GgufArray& outer = f.find("t.nested")->as_array();
  ASSERT_EQ(outer.elem_type, GgufValueType::ARRAY);
  ASSERT_EQ(outer.items.size(), 2u);
  const GgufArray& inner = outer.items[1].as_array().items[0].as_array();
  EXPECT_EQ(inner.elem_type, GgufValueType::INT16);
  EXPECT_EQ(inner.items[0].as_int(), -2);
  EXPECT_EQ(GgufWriter::copy_of(f).to_bytes(), image);
}

TEST(GgufWriter, TensorsRoundTripBitIdentical) {
  GgufWriter w;
  const std::vector<float> x = pseudo_random(96 * 3, 42);
  struct Case {
    const char* name;
    GgmlType type;
  };
  const Case cases[] = {{"f32", GgmlType::F32}, {"f16", GgmlType::F16}, {"q8", GgmlType::Q8_0},
                        {"q4", GgmlType::Q4_0}, {"bf16", GgmlType::BF16}};
  for (const Case& c : cases) w.add_tensor_f32(c.name, c.type, {96, 3}, x);
  const std::vector<uint8_t> raw = {1, 2, 3, 4, 5, 6, 7};
  w.add_tensor("raw_i8", GgmlType::I8, {7}, raw);
  const std::vector<uint8_t> image = w.to_bytes();
  const GgufFile f = GgufFile::parse(image, "tensors.gguf");
  ASSERT_EQ(f.tensors().size(), 6u);
  for (const Case& c : cases) {
    const GgufTensorInfo* t = f.find_tensor(c.name);
    ASSERT_NE(t, nullptr) << c.name;
    EXPECT_EQ(t->type, c.type);
    EXPECT_EQ(t->ne, (std::vector<int64_t>{96, 3}));
    const std::vector<uint8_t> expected = quantize_rows(c.type, x, 3, 96);
    const std::span<const uint8_t> got = f.tensor_data(*t);
    ASSERT_EQ(got.size(), expected.size()) << c.name;
    EXPECT_EQ(std::memcmp(got.data(), expected.data(), got.size()), 0) << c.name;
  }
  // F32 stays exact through the whole trip.
  const std::span<const uint8_t> f32 = f.tensor_data(*f.find_tensor("f32"));
  EXPECT_EQ(std::memcmp(f32.data(), x.data(), x.size() * 4), 0);
  const std::span<const uint8_t> i8 = f.tensor_data(*f.find_tensor("raw_i8"));
  EXPECT_TRUE(std::equal(i8.begin(), i8.end(), raw.begin(), raw.end()));
  EXPECT_EQ(GgufWriter::copy_of(f).to_bytes(), image);
}

TEST(GgufWriter, LayoutMatchesGgml) {
  GgufWriter w;
  w.add_tensor_f32("a", GgmlType::F32, {3}, std::vector<float>{1, 2, 3});  // 12 bytes -> padded to 32
  w.add_tensor_f32("b", GgmlType::Q8_0, {32, 2}, pseudo_random(64, 1));   // 68 bytes
  const std::vector<uint8_t> image = w.to_bytes();
  const GgufFile f = GgufFile::parse(image);
  // Header: magic, version 3, n_tensors, n_kv.
  const uint8_t header[] = {'G', 'G', 'U', 'F', 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  ASSERT_GE(image.size(), sizeof header);
  EXPECT_EQ(std::memcmp(image.data(), header, sizeof header), 0);
  EXPECT_EQ(f.metadata()[0].first, "general.alignment");
  EXPECT_EQ(f.metadata()[0].second.type, GgufValueType::UINT32);
  EXPECT_EQ(f.data_offset() % 32, 0u);
  EXPECT_EQ(f.tensors()[0].offset, 0u);
  EXPECT_EQ(f.tensors()[1].offset, 32u);
  // Every tensor is padded, the last one too, as ggml writes them.
  EXPECT_EQ(image.size(), f.data_offset() + 32 + 96);
}

TEST(GgufWriter, RewritingLlamaCppFixturesGivesIdenticalBytes) {
  for (const char* name : {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf"}) {
    const std::string path = testing::tokenizer_fixture(name);
    const GgufFile f = GgufFile::open(path);
    if (f.version() != 3) GTEST_SKIP() << name << " is version " << f.version() << "; the writer writes v3";
    const std::vector<uint8_t> original = testing::read_file_bytes(path);
    const std::vector<uint8_t> rewritten = GgufWriter::copy_of(f).to_bytes();
    ASSERT_EQ(rewritten.size(), original.size()) << name;
    EXPECT_TRUE(rewritten == original) << name;
  }
}

TEST(GgufWriter, WriteFileThenReadBack) {
  TempDir dir;
  const GgufWriter w = make_tiny_llama();
  const std::string path = dir.path("model.gguf");
  w.write(path);
  EXPECT_EQ(testing::read_file_bytes(path), w.to_bytes());
  const GgufFile f = GgufFile::open(path);
  EXPECT_EQ(GgufWriter::copy_of(f).to_bytes(), w.to_bytes());
  // Overwriting replaces the file whole.
  GgufWriter small;
  small.set_string("general.architecture", "x");
  small.write(path);
  EXPECT_EQ(GgufFile::open(path).tensors().size(), 0u);
  // Only the target is left: no temporary files.
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.dir())) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST(GgufWriter, FailedWriteLeavesNothing) {
  TempDir dir;
  const GgufWriter w = make_tiny_llama();
  EXPECT_THROW(w.write(dir.path("missing-dir/model.gguf")), GgufError);
  // The target is a directory: the rename fails after the data was written.
  std::filesystem::create_directory(dir.path("occupied"));
  std::filesystem::create_directory(dir.path("occupied/child"));
  EXPECT_THROW(w.write(dir.path("occupied")), GgufError);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.dir())) ++entries;
  EXPECT_EQ(entries, 1u);  // just "occupied"
}

TEST(GgufWriter, RefusesInvalidInput) {
  GgufWriter w;
  const std::vector<uint8_t> bytes(16);
  EXPECT_THROW(w.add_tensor("t", GgmlType::F32, {5}, bytes), GgufError);          // wrong size
  EXPECT_THROW(w.add_tensor("t", GgmlType::Q8_0, {16}, bytes), GgufError);        // not a block multiple
  EXPECT_THROW(w.add_tensor("t", GgmlType::F32, {}, bytes), GgufError);           // no dims
  EXPECT_THROW(w.add_tensor("t", GgmlType::F32, {1, 1, 1, 1, 4}, bytes), GgufError);
  EXPECT_THROW(w.add_tensor("t", GgmlType::F32, {-4}, bytes), GgufError);
  w.add_tensor("t", GgmlType::F32, {4}, bytes);
  EXPECT_THROW(w.add_tensor("t", GgmlType::F32, {4}, bytes), GgufError);          // duplicate name
  ASSERT_FALSE(can_quantize(GgmlType::IQ2_XXS));
  EXPECT_THROW(w.add_tensor_f32("q", GgmlType::IQ2_XXS, {256}, std::vector<float>(256)), GgufError);  // no quantizer
  EXPECT_THROW(w.add_tensor_f32("q", GgmlType::F32, {4}, std::vector<float>(3)), GgufError);
  EXPECT_THROW(w.set_u64("general.alignment", 64), GgufError);  // llama.cpp reads it as a UINT32
  EXPECT_THROW(w.set_u32("general.alignment", 48), GgufError);
  EXPECT_THROW(GgufWriter(0), GgufError);
  EXPECT_THROW(w.set("deep", nested(kGgufMaxArrayDepth + 1)), GgufError);
  w.set("deep", nested(kGgufMaxArrayDepth));
  EXPECT_NO_THROW(GgufFile::parse(w.to_bytes()));
}

TEST(GgufWriter, ReplacingAKeyKeepsItsPlace) {
  GgufWriter w;
  w.set_string("a", "1");
  w.set_u32("b", 2);
  w.set_string("a", "3");
  ASSERT_EQ(w.metadata().size(), 3u);
  EXPECT_EQ(w.metadata()[1].first, "a");
  EXPECT_EQ(w.metadata()[1].second.as_string(), "3");
  w.set_u32("general.alignment", 128);
  w.add_tensor_f32("t", GgmlType::F32, {2}, std::vector<float>{1, 2});
  const GgufFile f = GgufFile::parse(w.to_bytes());
  EXPECT_EQ(f.alignment(), 128u);
  EXPECT_EQ(f.data_offset() % 128, 0u);
  EXPECT_EQ(f.file_size() % 128, 0u);
}

}  // namespace
}  // namespace mrrope
