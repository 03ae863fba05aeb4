#include "vulkan/device_tensor.h"

#include <algorithm>
#include <limits>

#include "vulkan/context.h"

namespace mrrope::vk {

DeviceTensor::DeviceTensor(Context& ctx, GgmlType type, int64_t cols, int64_t rows, std::string name)
    : type_(type), cols_(cols), rows_(rows), name_(std::move(name)) {
  if (cols <= 0 || rows <= 0) throw VulkanError("tensor " + name_ + " has an empty shape");
  if (rows > std::numeric_limits<uint32_t>::max() || cols > std::numeric_limits<uint32_t>::max())
    throw VulkanError("tensor " + name_ + " has more than 2^32 rows or columns");
  row_bytes_ = ggml_row_bytes(type, static_cast<uint64_t>(cols));
  const uint64_t rows_per_slice = ctx.max_buffer_bytes() / row_bytes_;
  if (rows_per_slice == 0)
    throw VulkanError("tensor " + name_ + ": one row of " + format_bytes(row_bytes_) + " exceeds the buffer limit");
  for (int64_t r = 0; r < rows; r += static_cast<int64_t>(rows_per_slice)) {
    const auto n = static_cast<uint32_t>(std::min<int64_t>(rows_per_slice, rows - r));
    slices_.push_back({Buffer(ctx, n * row_bytes_, MemoryUsage::Device), static_cast<uint32_t>(r), n});
  }
}

void DeviceTensor::upload(std::span<const uint8_t> data) {
  if (data.size() != bytes())
    throw VulkanError("tensor " + name_ + ": upload of " + std::to_string(data.size()) + " bytes, expected " +
                      std::to_string(bytes()));
  for (Slice& s : slices_) s.buffer.write(data.data() + s.row_begin * row_bytes_, s.row_count * row_bytes_);
}

std::vector<uint8_t> DeviceTensor::download() const {
  std::vector<uint8_t> out(bytes());
  for (const Slice& s : slices_) s.buffer.read(out.data() + s.row_begin * row_bytes_, s.row_count * row_bytes_);
  return out;
}

}  // namespace mrrope::vk
