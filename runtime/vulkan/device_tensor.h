#pragma once
// A 2D weight tensor (rows x cols, GGML block layout along cols) on the device,
// split by whole rows into slices that each fit one buffer, so tensors larger
// than maxStorageBufferRange (128 MiB on lavapipe) still work. Kernels are
// dispatched once per slice, binding slice.ref().
//
// A tensor can also be a view of consecutive rows of another (rows_view): it
// shares that tensor's buffers, binding them at an offset, so weights stored
// stacked (Q, K and V in one tensor) are still products of their own.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "quant/ggml_type.h"
#include "vulkan/buffer.h"
#include "vulkan/sequence.h"

namespace mrrope::vk {

class Context;

class DeviceTensor {
 public:
  struct Slice {
    std::shared_ptr<Buffer> buffer;  // shared with views
    uint64_t offset = 0;  // bytes into buffer where row_begin starts
    uint32_t row_begin;   // first row, counted in this tensor
    uint32_t row_count;
    uint64_t bytes = 0;   // row_count * row_bytes
    // The binding: the whole buffer, or a view's rows in whole 32-bit words
    // (shaders read words; the buffer is rounded up to them).
    BufferRef ref() const {
      if (offset == 0 && bytes == buffer->size()) return BufferRef(*buffer);
      return BufferRef(*buffer, offset, (bytes + 3) & ~uint64_t{3});
    }
  };

  DeviceTensor() = default;
  DeviceTensor(Context& ctx, GgmlType type, int64_t cols, int64_t rows, std::string name = {});

  // Uploads the whole tensor: rows * row_bytes() bytes in GGML layout.
  void upload(std::span<const uint8_t> data);
  // Uploads whole rows from first_row on (data.size() a multiple of row_bytes()).
  void upload_rows(int64_t first_row, std::span<const uint8_t> data);
  std::vector<uint8_t> download() const;

  // Rows [first, first + count) as a tensor of their own, sharing the buffers.
  // Throws VulkanError when a slice would start at an offset the device cannot
  // bind (can_view_rows says so beforehand).
  DeviceTensor rows_view(int64_t first, int64_t count, std::string name) const;
  bool can_view_rows(int64_t first) const;

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
  uint64_t offset_alignment_ = 1;  // the device's minStorageBufferOffsetAlignment
  std::string name_;
  std::vector<Slice> slices_;
};

}  // namespace mrrope::vk
