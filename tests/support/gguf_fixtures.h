#pragma once
// Helpers for GGUF tests: a raw byte builder for hand-made (and deliberately
// broken) files, a small valid model made with GgufWriter, and paths to the
// shared fixture files.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gguf/gguf_writer.h"

namespace mrrope::testing {

// Little-endian byte builder.
class Bytes {
 public:
  Bytes& u8(uint8_t v) { return put(&v, 1); }
  Bytes& u32(uint32_t v) { return put(&v, 4); }
  Bytes& u64(uint64_t v) { return put(&v, 8); }
  Bytes& i64(int64_t v) { return put(&v, 8); }
  Bytes& f32(float v) { return put(&v, 4); }
  Bytes& str(const std::string& s) { u64(s.size()); return put(s.data(), s.size()); }
  Bytes& raw(const std::vector<uint8_t>& b) { data.insert(data.end(), b.begin(), b.end()); return *this; }
  Bytes& put(const void* p, size_t n);
  std::vector<uint8_t> data;
};

// One tensor info as written in the file; every field can be made wrong.
struct RawTensor {
  std::string name;
  std::vector<int64_t> ne;
  uint32_t type = 0;  // F32
  uint64_t offset = 0;
  std::optional<uint32_t> n_dims;  // overrides ne.size()
};

// A hand-assembled GGUF image. Key/value entries are pre-encoded (kv_*).
struct RawGguf {
  uint32_t magic = 0x46554747;
  uint32_t version = 3;
  std::optional<uint64_t> n_tensors, n_kv;  // override the real counts
  std::vector<std::vector<uint8_t>> kvs;
  std::vector<RawTensor> tensors;
  uint64_t alignment = 32;   // used for the padding before the data section
  uint64_t data_bytes = 0;   // zero bytes appended as the data section

  std::vector<uint8_t> bytes() const;
};

std::vector<uint8_t> kv_u32(const std::string& key, uint32_t v);
std::vector<uint8_t> kv_string(const std::string& key, const std::string& v);
// A key, a raw type id and the payload bytes that follow it.
std::vector<uint8_t> kv_raw(const std::string& key, uint32_t type, const std::vector<uint8_t>& payload);

// A small llama-shaped model: hparams keys, a tiny vocabulary and tensors in
// F32, F16, Q8_0 and Q4_0, with deterministic pseudo-random weights.
GgufWriter make_tiny_llama();
std::vector<float> pseudo_random(size_t n, uint32_t seed);

// tests/fixtures/tokenizer/NAME (llama.cpp's tokenizer test vectors, copied into the repo).
std::string tokenizer_fixture(const std::string& name);
std::vector<uint8_t> read_file_bytes(const std::string& path);
void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes);

// A fresh temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace mrrope::testing
