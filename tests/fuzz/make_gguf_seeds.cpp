// Writes small valid GGUF files (every value type, nested arrays, tensors of
// several types, another alignment) into a folder, to seed the fuzz corpus.
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "gguf/gguf_writer.h"

using namespace mrrope;

namespace {

std::vector<float> ramp(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i % 17) / 8.f - 1.f;
  return v;
}

GgufWriter every_type() {
  GgufWriter w;
  w.set_u8("u8", 1);
  w.set_i8("i8", -1);
  w.set_u16("u16", 2);
  w.set_i16("i16", -2);
  w.set_u32("u32", 3);
  w.set_i32("i32", -3);
  w.set_u64("u64", 4);
  w.set_i64("i64", -4);
  w.set_f32("f32", 0.5f);
  w.set_f64("f64", 0.25);
  w.set_bool("bool", true);
  w.set_string("str", "hello");
  w.set_string_array("strs", {"a", "b"});
  w.set_f32_array("f32s", {1.f, 2.f});
  w.set("nested", GgufValue::of_array(GgufValueType::ARRAY,
                                      {GgufValue::of_array(GgufValueType::INT8, {GgufValue::of_int(
                                                                                    GgufValueType::INT8, 5)})}));
  return w;
}

GgufWriter tiny_llama(uint32_t alignment) {
  GgufWriter w(alignment);
  w.set_string("general.architecture", "llama");
  w.set_u32("llama.context_length", 64);
  w.set_u32("llama.embedding_length", 32);
  w.set_u32("llama.block_count", 1);
  w.set_u32("llama.feed_forward_length", 64);
  w.set_u32("llama.attention.head_count", 2);
  w.set_string("llama.rope.scaling.type", "yarn");
  w.set_f32("llama.rope.scaling.factor", 4.f);
  w.set_string_array("tokenizer.ggml.tokens", {"<s>", "</s>", "a", "b"});
  w.add_tensor_f32("token_embd.weight", GgmlType::F16, {32, 4}, ramp(128));
  w.add_tensor_f32("blk.0.attn_q.weight", GgmlType::Q4_0, {32, 32}, ramp(1024));
  w.add_tensor_f32("blk.0.ffn_down.weight", GgmlType::Q8_0, {64, 32}, ramp(2048));
  w.add_tensor_f32("output_norm.weight", GgmlType::F32, {32}, ramp(32));
  return w;
}

// The semantic mutations a skeptical user tried (issue 15): values that parse
// but must be refused with the key's name. Seeds, so the fuzzer starts near them.
std::vector<std::pair<std::string, GgufWriter>> semantic_mutations() {
  std::vector<std::pair<std::string, GgufWriter>> out;
  auto add = [&](const std::string& name, auto edit) {
    GgufWriter w = tiny_llama(32);
    edit(w);
    out.emplace_back(name, std::move(w));
  };
  add("kv-heads-zero", [](GgufWriter& w) { w.set_u32("llama.attention.head_count_kv", 0); });
  add("rope-dims-zero", [](GgufWriter& w) { w.set_u32("llama.rope.dimension_count", 0); });
  add("eps-inf", [](GgufWriter& w) {
    w.set_f32("llama.attention.layer_norm_rms_epsilon", std::numeric_limits<float>::infinity());
  });
  add("factor-nan",
      [](GgufWriter& w) { w.set_f32("llama.rope.scaling.factor", std::numeric_limits<float>::quiet_NaN()); });
  add("context-u32-max", [](GgufWriter& w) { w.set_u32("llama.context_length", 4294967295u); });
  add("blocks-u64", [](GgufWriter& w) { w.set_u64("llama.block_count", 1ull << 40); });
  add("bos-outside-vocab", [](GgufWriter& w) { w.set_u32("tokenizer.ggml.bos_token_id", 70000); });
  add("empty-vocab-strings", [](GgufWriter& w) { w.set_string_array("tokenizer.ggml.tokens", {"", "", "", ""}); });
  add("control-bytes-in-key", [](GgufWriter& w) { w.set_string("bad\x1b[31mkey\x01", "x"); });
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_gguf_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  try {
    every_type().write(dir + "/seed-every-type.gguf");
    tiny_llama(32).write(dir + "/seed-tiny-llama.gguf");
    tiny_llama(64).write(dir + "/seed-tiny-llama-align64.gguf");
    GgufWriter empty;
    empty.write(dir + "/seed-empty.gguf");
    for (auto& [name, w] : semantic_mutations()) w.write(dir + "/seed-" + name + ".gguf");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_gguf_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
