#pragma once
// A 2D weight tensor (rows x cols, GGML block layout along cols) on the device,
// split by whole rows into slices that each fit one buffer, so tensors larger
// than maxStorageBufferRange (128 MiB on lavapipe) still work. Kernels are
// dispatched once per slice.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "quant/ggml_type.h"
#include "vulkan/buffer.h"

namespace mrrope::vk {

class Context;

class DeviceTensor {
 public:
  struct Slice {
    Buffer buffer;
    uint32_t row_begin;
    uint32_t row_count;
  };

  DeviceTensor() = default;
  DeviceTensor(Context& ctx, GgmlType type, int64_t cols, int64_t rows, std::string name = {});

  // Uploads the whole tensor: rows * row_bytes() bytes in GGML layout.
  void upload(std::span<const uint8_t> data);
  std::vector<uint8_t> download() const;

  GgmlType type() const { return type_; }
  int64_t cols() const { return cols_; }
  int64_t rows() const { return rows_; }
  uint64_t row_bytes() const { return row_bytes_; }
  uint64_t bytes() const { return row_bytes_ * rows_; }
  const std::string& name() const { return name_; }
  const std::vector<Slice>& slices() const { return slices_; }

 private:
  GgmlType type_ = GgmlType::F32;
  int64_t cols_ = 0, rows_ = 0;
  uint64_t row_bytes_ = 0;
  std::string name_;
  std::vector<Slice> slices_;
};

}  // namespace mrrope::vk
