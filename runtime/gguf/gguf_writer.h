#pragma once
// Writing GGUF v3 files in the layout llama.cpp writes and reads: header,
// key/value pairs, tensor infos, padding to general.alignment, then each
// tensor's data at an aligned offset, zero-padded. Files are written to a
// temporary name in the same folder and renamed, so a failed write never
// leaves a partial file behind.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "gguf/gguf_file.h"

namespace mrrope {

class GgufWriter {
 public:
  // Starts with general.alignment = `alignment` (a nonzero power of two).
  explicit GgufWriter(uint32_t alignment = kGgufDefaultAlignment);
  // A writer holding `file`'s metadata (same order, same types) and tensors (in
  // file order, data borrowed from the mapping: keep `file` alive until written).
  static GgufWriter copy_of(const GgufFile& file);

  // Metadata. Setting an existing key replaces its value in place, so key order
  // is the order of first setting. Setting general.alignment changes the
  // alignment used (it must be an unsigned integer and a power of two).
  void set(const std::string& key, GgufValue value);
  void set_u8(const std::string& key, uint8_t v);
  void set_i8(const std::string& key, int8_t v);
  void set_u16(const std::string& key, uint16_t v);
  void set_i16(const std::string& key, int16_t v);
  void set_u32(const std::string& key, uint32_t v);
  void set_i32(const std::string& key, int32_t v);
  void set_u64(const std::string& key, uint64_t v);
  void set_i64(const std::string& key, int64_t v);
  void set_f32(const std::string& key, float v);
  void set_f64(const std::string& key, double v);
  void set_bool(const std::string& key, bool v);
  void set_string(const std::string& key, std::string v);
  void set_string_array(const std::string& key, const std::vector<std::string>& v);
  void set_i32_array(const std::string& key, const std::vector<int32_t>& v);
  void set_u32_array(const std::string& key, const std::vector<uint32_t>& v);
  void set_i64_array(const std::string& key, const std::vector<int64_t>& v);
  void set_f32_array(const std::string& key, const std::vector<float>& v);
  bool remove(const std::string& key);

  // Tensors, in the order added. `ne[0]` is the contiguous dimension. The data
  // must be exactly the tensor's byte size for `type`.
  void add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> ne, std::span<const uint8_t> data);
  // As add_tensor, but the bytes are not copied: they must outlive write().
  void add_tensor_view(const std::string& name, GgmlType type, std::vector<int64_t> ne,
                       std::span<const uint8_t> data);
  // Quantizes row-major float data (ne[0] per row) to `type` (quant/quantize.h).
  void add_tensor_f32(const std::string& name, GgmlType type, std::vector<int64_t> ne, std::span<const float> data);

  uint64_t alignment() const { return alignment_; }
  const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return metadata_; }
  size_t tensor_count() const { return tensors_.size(); }

  // The complete file image.
  std::vector<uint8_t> to_bytes() const;
  // Writes the image to `path` atomically (temp file + rename).
  void write(const std::string& path) const;

 private:
  struct Tensor {
    GgufTensorInfo info;  // offset is assigned when writing
    std::vector<uint8_t> owned;
    std::span<const uint8_t> borrowed;
    bool is_borrowed = false;
    std::span<const uint8_t> bytes() const { return is_borrowed ? borrowed : std::span<const uint8_t>(owned); }
  };
  GgufTensorInfo make_info(const std::string& name, GgmlType type, std::vector<int64_t> ne, size_t data_size) const;
  template <class Sink>
  void emit(Sink& sink) const;

  uint64_t alignment_ = kGgufDefaultAlignment;
  std::vector<std::pair<std::string, GgufValue>> metadata_;
  std::vector<Tensor> tensors_;
};

}  // namespace mrrope
