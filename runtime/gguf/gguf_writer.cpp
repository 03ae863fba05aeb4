// GgufWriter: serializes metadata and tensors in llama.cpp's layout. The same
// emit() drives both the in-memory image and the file, so they cannot differ.
#include "gguf/gguf_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "quant/quantize.h"

namespace mrrope {
namespace {

uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

class VectorSink {
 public:
  explicit VectorSink(std::vector<uint8_t>& out) : out_(out) {}
  void put(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  void zeros(size_t n) { out_.insert(out_.end(), n, 0); }
  uint64_t pos() const { return out_.size(); }

 private:
  std::vector<uint8_t>& out_;
};

// Buffered writes to a file descriptor; errors become GgufError.
class FdSink {
 public:
  FdSink(int fd, const std::string& path) : fd_(fd), path_(path) { buf_.reserve(kChunk); }
  void put(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    pos_ += n;
    if (buf_.size() + n <= kChunk) {
      buf_.insert(buf_.end(), b, b + n);
      return;
    }
    flush();
    if (n >= kChunk) {
      write_all(b, n);  // large tensor data: straight through
    } else {
      buf_.insert(buf_.end(), b, b + n);
    }
  }
  void zeros(size_t n) {
    static const uint8_t kZeros[256] = {};
    while (n > 0) {
      const size_t k = std::min(n, sizeof kZeros);
      put(kZeros, k);
      n -= k;
    }
  }
  uint64_t pos() const { return pos_; }
  void flush() {
    write_all(buf_.data(), buf_.size());
    buf_.clear();
  }

 private:
  static constexpr size_t kChunk = 1 << 20;
  void write_all(const uint8_t* p, size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) throw GgufError(path_ + ": write failed: " + std::strerror(errno));
      p += w;
      n -= static_cast<size_t>(w);
    }
  }
  int fd_;
  const std::string& path_;
  std::vector<uint8_t> buf_;
  uint64_t pos_ = 0;
};

template <class Sink, class T>
void put_scalar(Sink& s, T v) {
  s.put(&v, sizeof v);
}

template <class Sink>
void put_string(Sink& s, const std::string& str) {
  put_scalar<Sink, uint64_t>(s, str.size());
  s.put(str.data(), str.size());
}

// The value's payload, without its type tag (arrays include elem type and count).
template <class Sink>
void put_value(Sink& s, const GgufValue& v) {
  switch (v.type) {
    case GgufValueType::UINT8: put_scalar(s, static_cast<uint8_t>(std::get<uint64_t>(v.data))); break;
    case GgufValueType::UINT16: put_scalar(s, static_cast<uint16_t>(std::get<uint64_t>(v.data))); break;
    case GgufValueType::UINT32: put_scalar(s, static_cast<uint32_t>(std::get<uint64_t>(v.data))); break;
    case GgufValueType::UINT64: put_scalar(s, std::get<uint64_t>(v.data)); break;
    case GgufValueType::INT8: put_scalar(s, static_cast<int8_t>(std::get<int64_t>(v.data))); break;
    case GgufValueType::INT16: put_scalar(s, static_cast<int16_t>(std::get<int64_t>(v.data))); break;
    case GgufValueType::INT32: put_scalar(s, static_cast<int32_t>(std::get<int64_t>(v.data))); break;
    case GgufValueType::INT64: put_scalar(s, std::get<int64_t>(v.data)); break;
    case GgufValueType::FLOAT32: put_scalar(s, static_cast<float>(std::get<double>(v.data))); break;
    case GgufValueType::FLOAT64: put_scalar(s, std::get<double>(v.data)); break;
    case GgufValueType::BOOL: put_scalar<Sink, uint8_t>(s, std::get<bool>(v.data) ? 1 : 0); break;
    case GgufValueType::STRING: put_string(s, std::get<std::string>(v.data)); break;
    case GgufValueType::ARRAY: {
      const GgufArray& a = v.as_array();
      put_scalar(s, static_cast<uint32_t>(a.elem_type));
      put_scalar<Sink, uint64_t>(s, a.items.size());
      for (const GgufValue& item : a.items) put_value(s, item);
      break;
    }
  }
}

// A value's variant member must match its type tag, or put_value would throw
// std::bad_variant_access halfway through a file.
void check_value(const std::string& key, const GgufValue& v, int depth) {
  bool ok = false;
  switch (v.type) {
    case GgufValueType::UINT8:
    case GgufValueType::UINT16:
    case GgufValueType::UINT32:
    case GgufValueType::UINT64: ok = std::holds_alternative<uint64_t>(v.data); break;
    case GgufValueType::INT8:
    case GgufValueType::INT16:
    case GgufValueType::INT32:
    case GgufValueType::INT64: ok = std::holds_alternative<int64_t>(v.data); break;
    case GgufValueType::FLOAT32:
    case GgufValueType::FLOAT64: ok = std::holds_alternative<double>(v.data); break;
    case GgufValueType::BOOL: ok = std::holds_alternative<bool>(v.data); break;
    case GgufValueType::STRING: ok = std::holds_alternative<std::string>(v.data); break;
    case GgufValueType::ARRAY: ok = std::holds_alternative<std::shared_ptr<GgufArray>>(v.data) &&
                                    std::get<std::shared_ptr<GgufArray>>(v.data) != nullptr;
      break;
  }
  if (!ok) throw GgufError("metadata key '" + key + "': value does not match its type " + gguf_value_type_name(v.type));
  if (v.type == GgufValueType::ARRAY) {
    if (depth >= kGgufMaxArrayDepth) throw GgufError("metadata key '" + key + "': arrays nested too deep");
    for (const GgufValue& item : v.as_array().items) {
      if (item.type != v.as_array().elem_type)
        throw GgufError("metadata key '" + key + "': array item type differs from the element type");
      check_value(key, item, depth + 1);
    }
  }
}

template <class T, class F>
GgufValue array_of(GgufValueType elem, const std::vector<T>& v, F make) {
  std::vector<GgufValue> items;
  items.reserve(v.size());
  for (const T& x : v) items.push_back(make(x));
  return GgufValue::of_array(elem, std::move(items));
}

}  // namespace

GgufWriter::GgufWriter(uint32_t alignment) { set_u32("general.alignment", alignment); }

GgufWriter GgufWriter::copy_of(const GgufFile& file) {
  GgufWriter w;
  w.metadata_.clear();
  w.alignment_ = kGgufDefaultAlignment;
  for (const auto& [key, value] : file.metadata()) w.set(key, value);
  for (const GgufTensorInfo& t : file.tensors()) w.add_tensor_view(t.name, t.type, t.ne, file.tensor_data(t));
  return w;
}

void GgufWriter::set(const std::string& key, GgufValue value) {
  check_value(key, value, 0);
  if (key == "general.alignment") {
    if (value.type != GgufValueType::UINT32)
      throw GgufError("general.alignment must be a UINT32 (llama.cpp reads it as one)");
    const uint64_t a = value.as_uint();
    if (a == 0 || !std::has_single_bit(a)) throw GgufError("general.alignment " + std::to_string(a) +
                                                           " is not a nonzero power of two");
    alignment_ = a;
  }
  for (auto& [k, v] : metadata_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  metadata_.emplace_back(key, std::move(value));
}

bool GgufWriter::remove(const std::string& key) {
  for (auto it = metadata_.begin(); it != metadata_.end(); ++it) {
    if (it->first == key) {
      metadata_.erase(it);
      if (key == "general.alignment") alignment_ = kGgufDefaultAlignment;
      return true;
    }
  }
  return false;
}

void GgufWriter::set_u8(const std::string& k, uint8_t v) { set(k, GgufValue::of_uint(GgufValueType::UINT8, v)); }
void GgufWriter::set_i8(const std::string& k, int8_t v) { set(k, GgufValue::of_int(GgufValueType::INT8, v)); }
void GgufWriter::set_u16(const std::string& k, uint16_t v) { set(k, GgufValue::of_uint(GgufValueType::UINT16, v)); }
void GgufWriter::set_i16(const std::string& k, int16_t v) { set(k, GgufValue::of_int(GgufValueType::INT16, v)); }
void GgufWriter::set_u32(const std::string& k, uint32_t v) { set(k, GgufValue::of_uint(GgufValueType::UINT32, v)); }
void GgufWriter::set_i32(const std::string& k, int32_t v) { set(k, GgufValue::of_int(GgufValueType::INT32, v)); }
void GgufWriter::set_u64(const std::string& k, uint64_t v) { set(k, GgufValue::of_uint(GgufValueType::UINT64, v)); }
void GgufWriter::set_i64(const std::string& k, int64_t v) { set(k, GgufValue::of_int(GgufValueType::INT64, v)); }
void GgufWriter::set_f32(const std::string& k, float v) { set(k, GgufValue::of_float(GgufValueType::FLOAT32, v)); }
void GgufWriter::set_f64(const std::string& k, double v) { set(k, GgufValue::of_float(GgufValueType::FLOAT64, v)); }
void GgufWriter::set_bool(const std::string& k, bool v) { set(k, GgufValue::of_bool(v)); }
void GgufWriter::set_string(const std::string& k, std::string v) { set(k, GgufValue::of_string(std::move(v))); }

void GgufWriter::set_string_array(const std::string& k, const std::vector<std::string>& v) {
  set(k, array_of(GgufValueType::STRING, v, [](const std::string& s) { return GgufValue::of_string(s); }));
}
void GgufWriter::set_i32_array(const std::string& k, const std::vector<int32_t>& v) {
  set(k, array_of(GgufValueType::INT32, v, [](int32_t x) { return GgufValue::of_int(GgufValueType::INT32, x); }));
}
void GgufWriter::set_u32_array(const std::string& k, const std::vector<uint32_t>& v) {
  set(k, array_of(GgufValueType::UINT32, v, [](uint32_t x) { return GgufValue::of_uint(GgufValueType::UINT32, x); }));
}
void GgufWriter::set_i64_array(const std::string& k, const std::vector<int64_t>& v) {
  set(k, array_of(GgufValueType::INT64, v, [](int64_t x) { return GgufValue::of_int(GgufValueType::INT64, x); }));
}
void GgufWriter::set_f32_array(const std::string& k, const std::vector<float>& v) {
  set(k, array_of(GgufValueType::FLOAT32, v, [](float x) { return GgufValue::of_float(GgufValueType::FLOAT32, x); }));
}

GgufTensorInfo GgufWriter::make_info(const std::string& name, GgmlType type, std::vector<int64_t> ne,
                                     size_t data_size) const {
  for (const Tensor& t : tensors_)
    if (t.info.name == name) throw GgufError("duplicate tensor name '" + name + "'");
  if (ne.empty() || ne.size() > 4)
    throw GgufError("tensor '" + name + "' has " + std::to_string(ne.size()) + " dimensions (must be 1 to 4)");
  const GgmlTypeTraits& traits = ggml_traits(type);
  int64_t elements = 1;
  for (int64_t d : ne) {
    if (d <= 0) throw GgufError("tensor '" + name + "' has invalid dimension " + std::to_string(d));
    if (__builtin_mul_overflow(elements, d, &elements))
      throw GgufError("element count of tensor '" + name + "' overflows");
  }
  if (ne[0] % traits.block_elems != 0)
    throw GgufError("tensor '" + name + "': ne[0] = " + std::to_string(ne[0]) +
                    " is not a multiple of the block size " + std::to_string(traits.block_elems) + " of " +
                    std::string(traits.name));
  uint64_t row_bytes, bytes;
  if (__builtin_mul_overflow(uint64_t(ne[0]) / traits.block_elems, uint64_t(traits.block_bytes), &row_bytes) ||
      __builtin_mul_overflow(row_bytes, uint64_t(elements / ne[0]), &bytes))
    throw GgufError("byte size of tensor '" + name + "' overflows");
  if (bytes != data_size)
    throw GgufError("tensor '" + name + "' of type " + std::string(traits.name) + " needs " + std::to_string(bytes) +
                    " bytes, got " + std::to_string(data_size));
  return GgufTensorInfo{name, type, std::move(ne), 0, bytes};
}

void GgufWriter::add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> ne,
                            std::span<const uint8_t> data) {
  Tensor t;
  t.info = make_info(name, type, std::move(ne), data.size());
  t.owned.assign(data.begin(), data.end());
  tensors_.push_back(std::move(t));
}

void GgufWriter::add_tensor_view(const std::string& name, GgmlType type, std::vector<int64_t> ne,
                                 std::span<const uint8_t> data) {
  Tensor t;
  t.info = make_info(name, type, std::move(ne), data.size());
  t.borrowed = data;
  t.is_borrowed = true;
  tensors_.push_back(std::move(t));
}

void GgufWriter::add_tensor_f32(const std::string& name, GgmlType type, std::vector<int64_t> ne,
                                std::span<const float> data) {
  if (ne.empty()) throw GgufError("tensor '" + name + "' has no dimensions");
  int64_t elements = 1;
  for (int64_t d : ne) {
    if (d <= 0 || __builtin_mul_overflow(elements, d, &elements))
      throw GgufError("tensor '" + name + "' has an invalid shape");
  }
  if (static_cast<int64_t>(data.size()) != elements)
    throw GgufError("tensor '" + name + "' has " + std::to_string(elements) + " elements, got " +
                    std::to_string(data.size()) + " floats");
  std::vector<uint8_t> q;
  try {
    q = quantize_rows(type, data, elements / ne[0], ne[0]);
  } catch (const std::invalid_argument& e) {
    throw GgufError("tensor '" + name + "': " + e.what());
  }
  Tensor t;
  t.info = make_info(name, type, std::move(ne), q.size());
  t.owned = std::move(q);
  tensors_.push_back(std::move(t));
}

template <class Sink>
void GgufWriter::emit(Sink& s) const {
  put_scalar<Sink, uint32_t>(s, kGgufMagic);
  put_scalar<Sink, uint32_t>(s, 3);
  put_scalar<Sink, uint64_t>(s, tensors_.size());
  put_scalar<Sink, uint64_t>(s, metadata_.size());
  for (const auto& [key, value] : metadata_) {
    put_string(s, key);
    put_scalar(s, static_cast<uint32_t>(value.type));
    put_value(s, value);
  }
  // Offsets: each tensor starts aligned and is padded to the alignment, as ggml does.
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    put_string(s, t.info.name);
    put_scalar<Sink, uint32_t>(s, static_cast<uint32_t>(t.info.ne.size()));
    for (int64_t d : t.info.ne) put_scalar<Sink, int64_t>(s, d);
    put_scalar(s, static_cast<uint32_t>(t.info.type));
    put_scalar<Sink, uint64_t>(s, offset);
    offset += align_up(t.info.bytes, alignment_);
  }
  // No padding without tensors, as llama.cpp's converter writes vocabulary-only files.
  if (!tensors_.empty()) s.zeros(align_up(s.pos(), alignment_) - s.pos());
  for (const Tensor& t : tensors_) {
    const std::span<const uint8_t> bytes = t.bytes();
    s.put(bytes.data(), bytes.size());
    s.zeros(align_up(bytes.size(), alignment_) - bytes.size());
  }
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
  std::vector<uint8_t> out;
  VectorSink sink(out);
  emit(sink);
  return out;
}

void GgufWriter::write(const std::string& path) const {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  // Same folder as the target, so the rename is atomic.
  std::string tmp = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) throw GgufError(path + ": cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno));
  try {
    FdSink sink(fd, path);
    emit(sink);
    sink.flush();
    if (fsync(fd) != 0) throw GgufError(path + ": fsync failed: " + std::strerror(errno));
    fchmod(fd, 0644);  // mkstemp makes 0600; model files are normally shared
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw GgufError(path + ": close failed: " + std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw GgufError(path + ": cannot rename the temporary file into place: " + std::strerror(err));
  }
}

}  // namespace mrrope
