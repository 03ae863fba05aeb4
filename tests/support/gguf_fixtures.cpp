#include "support/gguf_fixtures.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace mrrope::testing {

Bytes& Bytes::put(const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  data.insert(data.end(), b, b + n);
  return *this;
}

std::vector<uint8_t> RawGguf::bytes() const {
  Bytes b;
  b.u32(magic).u32(version);
  b.u64(n_tensors.value_or(tensors.size())).u64(n_kv.value_or(kvs.size()));
  for (const auto& kv : kvs) b.raw(kv);
  for (const RawTensor& t : tensors) {
    b.str(t.name).u32(t.n_dims.value_or(static_cast<uint32_t>(t.ne.size())));
    for (int64_t d : t.ne) b.i64(d);
    b.u32(t.type).u64(t.offset);
  }
  while (b.data.size() % alignment != 0) b.u8(0);
  b.data.resize(b.data.size() + data_bytes, 0);
  return b.data;
}

std::vector<uint8_t> kv_u32(const std::string& key, uint32_t v) { return Bytes().str(key).u32(4).u32(v).data; }
std::vector<uint8_t> kv_string(const std::string& key, const std::string& v) {
  return Bytes().str(key).u32(8).str(v).data;
}
std::vector<uint8_t> kv_raw(const std::string& key, uint32_t type, const std::vector<uint8_t>& payload) {
  return Bytes().str(key).u32(type).raw(payload).data;
}

std::vector<float> pseudo_random(size_t n, uint32_t seed) {
  std::vector<float> out(n);
  uint32_t s = seed * 2654435761u + 1;
  for (float& x : out) {
    s ^= s << 13, s ^= s >> 17, s ^= s << 5;  // xorshift32
    x = static_cast<float>(s % 20001) / 10000.f - 1.f;
  }
  return out;
}

GgufWriter make_tiny_llama() {
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", "tiny-test-llama");
  w.set_u32("general.file_type", 2);  // MOSTLY_Q4_0
  w.set_u32("llama.context_length", 256);
  w.set_u32("llama.embedding_length", 64);
  w.set_u32("llama.block_count", 1);
  w.set_u32("llama.feed_forward_length", 128);
  w.set_u32("llama.attention.head_count", 4);
  w.set_u32("llama.attention.head_count_kv", 2);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-6f);
  w.set_f32("llama.rope.freq_base", 500000.f);
  w.set_string("tokenizer.ggml.model", "llama");
  std::vector<std::string> tokens;
  for (int i = 0; i < 32; ++i) tokens.push_back("tok" + std::to_string(i));
  w.set_string_array("tokenizer.ggml.tokens", tokens);
  w.set_f32_array("tokenizer.ggml.scores", std::vector<float>(32, -1.f));
  w.set_i32_array("tokenizer.ggml.token_type", std::vector<int32_t>(32, 1));

  w.add_tensor_f32("token_embd.weight", GgmlType::F16, {64, 32}, pseudo_random(64 * 32, 1));
  w.add_tensor_f32("blk.0.attn_norm.weight", GgmlType::F32, {64}, pseudo_random(64, 2));
  w.add_tensor_f32("blk.0.attn_q.weight", GgmlType::Q4_0, {64, 64}, pseudo_random(64 * 64, 3));
  w.add_tensor_f32("blk.0.attn_k.weight", GgmlType::Q4_0, {64, 32}, pseudo_random(64 * 32, 4));
  w.add_tensor_f32("blk.0.attn_v.weight", GgmlType::Q4_0, {64, 32}, pseudo_random(64 * 32, 5));
  w.add_tensor_f32("blk.0.attn_output.weight", GgmlType::Q4_0, {64, 64}, pseudo_random(64 * 64, 6));
  w.add_tensor_f32("blk.0.ffn_norm.weight", GgmlType::F32, {64}, pseudo_random(64, 7));
  w.add_tensor_f32("blk.0.ffn_gate.weight", GgmlType::Q4_0, {64, 128}, pseudo_random(64 * 128, 8));
  w.add_tensor_f32("blk.0.ffn_up.weight", GgmlType::Q4_0, {64, 128}, pseudo_random(64 * 128, 9));
  w.add_tensor_f32("blk.0.ffn_down.weight", GgmlType::Q8_0, {128, 64}, pseudo_random(128 * 64, 10));
  w.add_tensor_f32("output_norm.weight", GgmlType::F32, {64}, pseudo_random(64, 11));
  w.add_tensor_f32("output.weight", GgmlType::Q8_0, {64, 32}, pseudo_random(64 * 32, 12));
  return w;
}

std::string tokenizer_fixture(const std::string& name) {
  return std::string(MRROPE_TOKENIZER_FIXTURE_DIR) + "/" + name;
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "mrrope-gguf-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace mrrope::testing
