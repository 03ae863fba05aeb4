// libFuzzer target: any byte string must either parse or throw GgufError;
// a crash, a sanitizer report or any other exception is a bug. Every accessor
// is exercised so the fuzzer also checks what a parsed file hands out.
#include <cstddef>
#include <cstdint>
#include <span>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "gguf/model_hparams.h"

namespace {

using namespace mrrope;

// Walks a value (arrays recursively) through every conversion.
size_t touch(const GgufValue& v) {
  size_t sum = v.is_integer() + v.is_float();
  auto attempt = [&](auto fn) {
    try {
      fn();
    } catch (const GgufError&) {
    }
  };
  attempt([&] { sum += static_cast<size_t>(v.as_int()); });
  attempt([&] { sum += static_cast<size_t>(v.as_uint()); });
  attempt([&] { sum += static_cast<size_t>(v.as_float() != 0); });
  attempt([&] { sum += v.as_bool(); });
  attempt([&] { sum += v.as_string().size(); });
  if (v.type == GgufValueType::ARRAY)
    for (const GgufValue& item : v.as_array().items) sum += touch(item);
  return sum;
}

void exercise(const GgufFile& f) {
  volatile size_t sink = f.version() + f.alignment() + f.data_offset() + f.file_size();
  for (const auto& entry : f.metadata()) {
    const std::string& key = entry.first;
    const GgufValue& value = entry.second;
    sink = sink + touch(value) + (f.find(key) == &value);
    auto attempt = [&](auto fn) {
      try {
        fn();
      } catch (const GgufError&) {
      }
    };
    attempt([&] { sink = sink + f.get_string(key).size(); });
    attempt([&] { sink = sink + static_cast<size_t>(f.get_int(key, 0)); });
    attempt([&] { sink = sink + static_cast<size_t>(f.get_float(key, 0) != 0); });
    attempt([&] { sink = sink + f.get_bool(key, false); });
    attempt([&] { sink = sink + f.get_string_array(key).size(); });
    attempt([&] { sink = sink + f.get_float_array(key).size(); });
    attempt([&] { sink = sink + f.get_int_array(key).size(); });
  }
  for (const GgufTensorInfo& t : f.tensors()) {
    sink = sink + static_cast<size_t>(t.elements() + t.rows()) + (f.find_tensor(t.name) == &t);
    const std::span<const uint8_t> data = f.tensor_data(t);
    // Touch the first and last byte: both must be inside the image.
    if (!data.empty()) sink = sink + data.front() + data.back();
  }
  try {
    const ModelHParams hp = ModelHParams::from_gguf(f);
    sink = sink + hp.n_layer + hp.quantization.size();
  } catch (const GgufError&) {
  }
  (void)sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const GgufFile f = GgufFile::parse(std::span<const uint8_t>(data, size), "fuzz.gguf");
    exercise(f);
    // What parsed must be writable, and the rewrite must parse again.
    const std::vector<uint8_t> rewritten = GgufWriter::copy_of(f).to_bytes();
    const GgufFile again = GgufFile::parse(rewritten, "rewritten.gguf");
    if (again.metadata().size() != f.metadata().size() || again.tensors().size() != f.tensors().size())
      __builtin_trap();
  } catch (const GgufError&) {
  }
  return 0;
}
