// Malformed GGUF files: each is refused with a GgufError that names the file
// and says what is wrong, and nothing is read out of bounds (run under
// MRROPE_SANITIZE to check the latter).
#include <gtest/gtest.h>

#include <limits>

#include <sys/stat.h>

#include "gguf/gguf_file.h"
#include "support/gguf_fixtures.h"

namespace mrrope {
namespace {

using testing::Bytes;
using testing::kv_raw;
using testing::kv_string;
using testing::kv_u32;
using testing::RawGguf;
using testing::RawTensor;

constexpr const char* kName = "bad-model.gguf";

// Parses `image` and expects a GgufError mentioning the file name and `phrase`.
void expect_refused(const std::vector<uint8_t>& image, const std::string& phrase) {
  try {
    GgufFile::parse(image, kName);
    ADD_FAILURE() << "accepted a file that should fail with '" << phrase << "'";
  } catch (const GgufError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(kName), std::string::npos) << msg;
    EXPECT_NE(msg.find(phrase), std::string::npos) << "expected '" << phrase << "' in: " << msg;
  }
}

// A valid file with one key and one F32 tensor of 8 elements.
RawGguf valid() {
  RawGguf g;
  g.kvs.push_back(kv_string("general.architecture", "llama"));
  g.tensors.push_back(RawTensor{"w", {8}, 0, 0, {}});
  g.data_bytes = 32;
  return g;
}

TEST(GgufMalformed, BaselineIsValid) {
  const GgufFile f = GgufFile::parse(valid().bytes(), kName);
  EXPECT_EQ(f.tensors().size(), 1u);
}

TEST(GgufMalformed, EmptyAndTinyFiles) {
  expect_refused({}, "truncated");
  expect_refused({'G', 'G'}, "truncated");
  expect_refused({'G', 'G', 'U', 'F', 3, 0}, "truncated");
}

TEST(GgufMalformed, EveryTruncationIsRefused) {
  // A small file with every kind of section: scalars, strings, nested arrays,
  // several tensors of block types. (Every byte: keep it small.)
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_f64("f64", 1.5);
  w.set_bool("flag", true);
  w.set_string_array("strings", {"a", "bc", ""});
  w.set("nested", GgufValue::of_array(GgufValueType::ARRAY,
                                      {GgufValue::of_array(GgufValueType::UINT16, {GgufValue::of_uint(
                                                                                     GgufValueType::UINT16, 9)})}));
  w.add_tensor_f32("a", GgmlType::F32, {3}, std::vector<float>{1, 2, 3});
  w.add_tensor_f32("b", GgmlType::Q8_0, {32, 2}, testing::pseudo_random(64, 1));
  w.add_tensor_f32("c", GgmlType::Q4_0, {32}, testing::pseudo_random(32, 2));
  const std::vector<uint8_t> image = w.to_bytes();
  ASSERT_NO_THROW(GgufFile::parse(image, kName));
  for (size_t n = 0; n < image.size(); ++n) {
    const std::vector<uint8_t> cut(image.begin(), image.begin() + static_cast<std::ptrdiff_t>(n));
    try {
      GgufFile::parse(cut, kName);
      ADD_FAILURE() << "accepted the file truncated to " << n << " bytes";
    } catch (const GgufError& e) {
      ASSERT_NE(std::string(e.what()).find(kName), std::string::npos) << e.what();
    }
  }
}

TEST(GgufMalformed, TruncatedTinyModel) {
  const std::vector<uint8_t> image = testing::make_tiny_llama().to_bytes();
  for (size_t n = 0; n < image.size(); n += 61) {
    const std::vector<uint8_t> cut(image.begin(), image.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_THROW(GgufFile::parse(cut, kName), GgufError) << n;
  }
}

TEST(GgufMalformed, TruncatedFixtureFile) {
  // The real llama.cpp file, cut at a spread of points (every byte would take long).
  const std::vector<uint8_t> image = testing::read_file_bytes(testing::tokenizer_fixture("ggml-vocab-gpt-2.gguf"));
  const size_t step = image.size() / 24 + 1;
  for (size_t n = 0; n < image.size(); n += step) {
    const std::vector<uint8_t> cut(image.begin(), image.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_THROW(GgufFile::parse(cut, kName), GgufError) << n;
  }
}

TEST(GgufMalformed, TruncatedFileOnDisk) {
  testing::TempDir dir;
  std::vector<uint8_t> image = testing::make_tiny_llama().to_bytes();
  image.resize(image.size() / 2);
  const std::string path = dir.path("half.gguf");
  testing::write_file_bytes(path, image);
  try {
    GgufFile::open(path);
    FAIL();
  } catch (const GgufError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  testing::write_file_bytes(dir.path("empty.gguf"), {});
  EXPECT_THROW(GgufFile::open(dir.path("empty.gguf")), GgufError);
}

// A FIFO (or a directory) given as the model is refused at once, not waited on.
TEST(GgufMalformed, FifoAndDirectoryAreRefusedWithoutBlocking) {
  testing::TempDir dir;
  const std::string fifo = dir.path("model.gguf");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {fifo, dir.path("")}) {
    try {
      GgufFile::open(path);
      FAIL() << path;
    } catch (const GgufError& e) {
      EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
    }
  }
}

TEST(GgufMalformed, WrongMagic) {
  RawGguf g = valid();
  g.magic = 0x4c4d4747;  // "GGML"
  expect_refused(g.bytes(), "bad magic 'GGML'");
  g.magic = 0;
  expect_refused(g.bytes(), "not a GGUF file");
}

TEST(GgufMalformed, UnsupportedVersions) {
  RawGguf g = valid();
  g.version = 1;
  expect_refused(g.bytes(), "unsupported GGUF version 1");
  g.version = 4;
  expect_refused(g.bytes(), "unsupported GGUF version 4");
  g.version = 0x03000000;
  expect_refused(g.bytes(), "big-endian");
}

TEST(GgufMalformed, VersionTwoIsRead) {
  RawGguf g = valid();
  g.version = 2;
  EXPECT_EQ(GgufFile::parse(g.bytes(), kName).version(), 2u);
}

TEST(GgufMalformed, ImpossibleCounts) {
  RawGguf g = valid();
  g.n_tensors = 1000;
  expect_refused(g.bytes(), "impossible tensor count 1000");
  g.n_tensors = std::numeric_limits<uint64_t>::max();
  expect_refused(g.bytes(), "impossible tensor count");
  g = valid();
  g.n_kv = 1000;
  expect_refused(g.bytes(), "impossible metadata count 1000");
  g.n_kv = std::numeric_limits<uint64_t>::max();
  expect_refused(g.bytes(), "impossible metadata count");
}

TEST(GgufMalformed, StringLengths) {
  RawGguf g = valid();
  g.kvs = {Bytes().u64(1000).raw({'a', 'b'}).data};  // key longer than the file
  expect_refused(g.bytes(), "string length 1000");
  g.kvs = {Bytes().u64(uint64_t(2) << 30).data};  // over the 1 GiB limit
  expect_refused(g.bytes(), "too long");
  g.kvs = {kv_raw("k", 8, Bytes().u64(std::numeric_limits<uint64_t>::max()).data)};
  expect_refused(g.bytes(), "string length");
  g = valid();
  g.tensors[0].name = "w";
  std::vector<uint8_t> image = g.bytes();
  // Corrupt the tensor name length (right after the kv section).
  const size_t name_at = 24 + kv_string("general.architecture", "llama").size();
  image[name_at + 7] = 0x7f;
  expect_refused(image, "string length");
}

TEST(GgufMalformed, ImpossibleArrayLengths) {
  RawGguf g = valid();
  g.kvs.push_back(kv_raw("arr", 9, Bytes().u32(6).u64(1000000).data));  // 1e6 FLOAT32 in a tiny file
  expect_refused(g.bytes(), "array length 1000000 of key 'arr'");
  g.kvs.back() = kv_raw("arr", 9, Bytes().u32(8).u64(std::numeric_limits<uint64_t>::max()).data);
  expect_refused(g.bytes(), "array length");
  g.kvs.back() = kv_raw("arr", 9, Bytes().u32(9).u64(uint64_t(1) << 40).data);
  expect_refused(g.bytes(), "array length");
}

TEST(GgufMalformed, ArraysNestedTooDeep) {
  Bytes payload;
  for (int i = 0; i < 20; ++i) payload.u32(9).u64(1);  // array of one array of ...
  payload.u32(4).u64(0);
  RawGguf g = valid();
  g.kvs.push_back(kv_raw("deep", 9, payload.data));
  expect_refused(g.bytes(), "nested too deep");
}

TEST(GgufMalformed, NestedArraysAtTheLimitAreRead) {
  Bytes payload;
  for (int i = 0; i < kGgufMaxArrayDepth - 1; ++i) payload.u32(9).u64(1);
  payload.u32(4).u64(1).u32(77);
  RawGguf g = valid();
  g.kvs.push_back(kv_raw("deep", 9, payload.data));
  const GgufFile f = GgufFile::parse(g.bytes(), kName);
  const GgufValue* v = f.find("deep");
  for (int i = 0; i < kGgufMaxArrayDepth - 1; ++i) v = &v->as_array().items.at(0);
  EXPECT_EQ(v->as_array().items.at(0).as_uint(), 77u);
}

TEST(GgufMalformed, UnknownValueTypes) {
  RawGguf g = valid();
  g.kvs.push_back(kv_raw("odd", 13, Bytes().u32(0).data));
  expect_refused(g.bytes(), "unknown value type 13 for key 'odd'");
  g.kvs.back() = kv_raw("odd_array", 9, Bytes().u32(0xffffffff).u64(0).data);
  expect_refused(g.bytes(), "unknown value type 4294967295 for key 'odd_array'");
}

TEST(GgufMalformed, InvalidBool) {
  RawGguf g = valid();
  g.kvs.push_back(kv_raw("flag", 7, {2}));
  expect_refused(g.bytes(), "invalid bool 2");
}

TEST(GgufMalformed, DuplicateKeys) {
  RawGguf g = valid();
  g.kvs.push_back(kv_u32("general.architecture", 1));
  expect_refused(g.bytes(), "duplicate key 'general.architecture'");
}

TEST(GgufMalformed, BadAlignment) {
  for (uint32_t a : {0u, 3u, 48u}) {
    RawGguf g = valid();
    g.kvs.push_back(kv_u32("general.alignment", a));
    expect_refused(g.bytes(), "general.alignment " + std::to_string(a) + " is not a nonzero power of two");
  }
  RawGguf g = valid();
  g.kvs.push_back(kv_string("general.alignment", "32"));
  expect_refused(g.bytes(), "general.alignment has type STRING");
  g.kvs.back() = kv_raw("general.alignment", 5, Bytes().u32(uint32_t(-64)).data);  // INT32 -64
  expect_refused(g.bytes(), "general.alignment -64");
}

TEST(GgufMalformed, CustomAlignmentIsUsed) {
  RawGguf g = valid();
  g.kvs.push_back(kv_u32("general.alignment", 64));
  g.alignment = 64;
  g.tensors.push_back(RawTensor{"x", {4}, 0, 64, {}});
  g.data_bytes = 128;
  const GgufFile f = GgufFile::parse(g.bytes(), kName);
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.data_offset() % 64, 0u);
  g.tensors.back().offset = 32;  // aligned to 32 but not 64
  expect_refused(g.bytes(), "data offset 32 is not aligned to 64");
}

TEST(GgufMalformed, UnknownTensorType) {
  RawGguf g = valid();
  g.tensors[0].type = 4;  // removed Q4_2
  expect_refused(g.bytes(), "tensor 'w' has unknown tensor type 4");
  g.tensors[0].type = 1000;
  expect_refused(g.bytes(), "unknown tensor type 1000");
}

TEST(GgufMalformed, DimensionCounts) {
  RawGguf g = valid();
  g.tensors[0].n_dims = 0;
  expect_refused(g.bytes(), "dimension count 0");
  g.tensors[0].n_dims = 5;
  g.tensors[0].ne = {8, 1, 1, 1, 1};
  expect_refused(g.bytes(), "dimension count 5");
  g.tensors[0].n_dims = 0xffffffff;
  expect_refused(g.bytes(), "dimension count 4294967295");
}

TEST(GgufMalformed, NegativeAndZeroDimensions) {
  RawGguf g = valid();
  g.tensors[0].ne = {8, -1};
  expect_refused(g.bytes(), "invalid dimension ne[1] = -1");
  g.tensors[0].ne = {0};
  expect_refused(g.bytes(), "invalid dimension ne[0] = 0");
  g.tensors[0].ne = {std::numeric_limits<int64_t>::min()};
  expect_refused(g.bytes(), "invalid dimension");
}

TEST(GgufMalformed, ElementCountOverflow) {
  RawGguf g = valid();
  g.tensors[0].ne = {int64_t(1) << 32, int64_t(1) << 32};
  expect_refused(g.bytes(), "element count of tensor 'w' overflows");
  g.tensors[0].ne = {3, 5, 7, std::numeric_limits<int64_t>::max() / 4};
  expect_refused(g.bytes(), "overflows");
  g.tensors[0].ne = {int64_t(1) << 61};  // fits in elements, not in bytes as F64
  g.tensors[0].type = 28;
  expect_refused(g.bytes(), "byte size of tensor 'w' overflows");
}

TEST(GgufMalformed, RowNotAMultipleOfTheBlockSize) {
  RawGguf g = valid();
  g.tensors[0].type = 8;  // Q8_0, 32 per block
  g.tensors[0].ne = {16, 2};
  expect_refused(g.bytes(), "ne[0] = 16 is not a multiple of the block size 32 of Q8_0");
}

TEST(GgufMalformed, UnalignedOffset) {
  RawGguf g = valid();
  g.tensors[0].offset = 4;
  expect_refused(g.bytes(), "tensor 'w' data offset 4 is not aligned to 32");
}

TEST(GgufMalformed, DataPastTheEnd) {
  RawGguf g = valid();
  g.data_bytes = 16;  // the tensor needs 32
  expect_refused(g.bytes(), "past the end of the file");
  g = valid();
  g.tensors[0].offset = std::numeric_limits<uint64_t>::max() - 31;  // offset + size wraps
  expect_refused(g.bytes(), "past the end of the file");
  g = valid();
  g.tensors[0].ne = {int64_t(1) << 40};
  expect_refused(g.bytes(), "past the end of the file");
}

TEST(GgufMalformed, OverlappingTensors) {
  RawGguf g = valid();
  g.tensors.push_back(RawTensor{"v", {16}, 0, 0, {}});  // 64 bytes at 0, over 'w'
  g.data_bytes = 64;
  expect_refused(g.bytes(), "overlaps");
  g.tensors.back().offset = 32;  // now 'w' [0,32) and 'v' [32,96) do not overlap
  g.data_bytes = 96;
  EXPECT_NO_THROW(GgufFile::parse(g.bytes(), kName));
}

TEST(GgufMalformed, DuplicateTensorNames) {
  RawGguf g = valid();
  g.tensors.push_back(RawTensor{"w", {8}, 0, 32, {}});
  g.data_bytes = 64;
  expect_refused(g.bytes(), "duplicate tensor name 'w'");
}

TEST(GgufMalformed, MissingPaddingBeforeData) {
  // With tensors, a file that ends before the padded data section starts is cut.
  RawGguf g = valid();
  g.alignment = 1;  // RawGguf then writes no padding
  g.data_bytes = 0;
  const std::vector<uint8_t> image = g.bytes();
  ASSERT_NE(image.size() % 32, 0u);
  expect_refused(image, "truncated: the data section should start");
}

TEST(GgufMalformed, VocabularyOnlyFileMayEndUnpadded) {
  // llama.cpp's converter writes vocabulary-only files without the final
  // padding, and llama.cpp reads them; so do we.
  RawGguf g;
  g.kvs.push_back(kv_string("general.architecture", "llama"));
  g.alignment = 1;  // no padding
  std::vector<uint8_t> image = g.bytes();
  ASSERT_NE(image.size() % 32, 0u);
  const GgufFile f = GgufFile::parse(image, kName);
  EXPECT_EQ(f.data_offset(), image.size());
  EXPECT_TRUE(f.tensors().empty());
}

}  // namespace
}  // namespace mrrope
