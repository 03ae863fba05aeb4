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
  offset_alignment_ = ctx.info().min_storage_buffer_offset_alignment;
  const uint64_t rows_per_slice = ctx.max_buffer_bytes() / row_bytes_;
  if (rows_per_slice == 0)
    throw VulkanError("tensor " + name_ + ": one row of " + format_bytes(row_bytes_) + " exceeds the buffer limit");
  for (int64_t r = 0; r < rows; r += static_cast<int64_t>(rows_per_slice)) {
    const auto n = static_cast<uint32_t>(std::min<int64_t>(rows_per_slice, rows - r));
    slices_.push_back({std::make_shared<Buffer>(ctx, n * row_bytes_, MemoryUsage::Device), 0,
                       static_cast<uint32_t>(r), n, n * row_bytes_});
  }
}

void DeviceTensor::upload(std::span<const uint8_t> data) {
  if (data.size() != bytes())
    throw VulkanError("tensor " + name_ + ": upload of " + std::to_string(data.size()) + " bytes, expected " +
                      std::to_string(bytes()));
  upload_rows(0, data);
}

void DeviceTensor::upload_rows(int64_t first_row, std::span<const uint8_t> data) {
  const uint64_t n_rows = data.size() / row_bytes_;
  if (data.size() % row_bytes_ != 0 || first_row < 0 || first_row + static_cast<int64_t>(n_rows) > rows_)
    throw VulkanError("tensor " + name_ + ": upload of " + std::to_string(data.size()) + " bytes at row " +
                      std::to_string(first_row) + " is not whole rows inside its " + std::to_string(rows_));
  const auto end_row = static_cast<uint64_t>(first_row) + n_rows;
  for (const Slice& s : slices_) {
    const uint64_t r0 = std::max<uint64_t>(s.row_begin, first_row), r1 = std::min<uint64_t>(s.row_begin + s.row_count, end_row);
    if (r0 >= r1) continue;
    s.buffer->write(data.data() + (r0 - first_row) * row_bytes_, (r1 - r0) * row_bytes_,
                 s.offset + (r0 - s.row_begin) * row_bytes_);
  }
}

std::vector<uint8_t> DeviceTensor::download() const {
  std::vector<uint8_t> out(bytes());
  for (const Slice& s : slices_) s.buffer->read(out.data() + s.row_begin * row_bytes_, s.bytes, s.offset);
  return out;
}

bool DeviceTensor::can_view_rows(int64_t first) const {
  for (const Slice& s : slices_) {
    if (first < s.row_begin || first >= s.row_begin + static_cast<int64_t>(s.row_count)) continue;
    return (s.offset + (first - s.row_begin) * row_bytes_) % offset_alignment_ == 0;
  }
  return false;
}

DeviceTensor DeviceTensor::rows_view(int64_t first, int64_t count, std::string name) const {
  if (first < 0 || count <= 0 || first + count > rows_)
    throw VulkanError("tensor " + name_ + ": rows " + std::to_string(first) + "+" + std::to_string(count) +
                      " are outside its " + std::to_string(rows_));
  if (!can_view_rows(first))
    throw VulkanError("tensor " + name_ + ": row " + std::to_string(first) + " starts at an offset the device cannot bind");
  DeviceTensor v = *this;
  v.rows_ = count;
  v.name_ = std::move(name);
  v.slices_.clear();
  for (const Slice& s : slices_) {
    const int64_t r0 = std::max<int64_t>(s.row_begin, first), r1 = std::min<int64_t>(s.row_begin + s.row_count, first + count);
    if (r0 >= r1) continue;
    const auto n = static_cast<uint32_t>(r1 - r0);
    v.slices_.push_back({s.buffer, s.offset + (r0 - s.row_begin) * row_bytes_, static_cast<uint32_t>(r0 - first), n,
                         n * row_bytes_});
  }
  return v;
}

}  // namespace mrrope::vk
