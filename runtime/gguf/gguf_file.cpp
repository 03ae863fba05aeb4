// GgufFile: owns the file image (a read-only private mapping, or a copy for
// parse()) and answers metadata and tensor queries on the parsed result.
#include "gguf/gguf_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "gguf/gguf_parse.h"

namespace mrrope {

int64_t GgufTensorInfo::elements() const {
  int64_t n = 1;
  for (int64_t d : ne) n *= d;  // the reader has checked this cannot overflow
  return n;
}

int64_t GgufTensorInfo::rows() const { return ne.empty() ? 0 : elements() / ne[0]; }

struct GgufFile::Impl {
  std::string path;
  gguf_detail::ParsedGguf parsed;
  std::unordered_map<std::string, size_t> key_index;
  std::unordered_map<std::string, size_t> tensor_index;
  uint64_t file_size = 0;
  const uint8_t* bytes = nullptr;  // the whole file image
  std::vector<uint8_t> owned;      // parse(): the copied image
  void* mapping = nullptr;         // open(): the mapping
  size_t mapping_len = 0;

  ~Impl() {
    if (mapping) munmap(mapping, mapping_len);
  }

  void index() {
    parsed = gguf_detail::parse_gguf(bytes, file_size, path);
    for (size_t i = 0; i < parsed.metadata.size(); ++i) key_index.emplace(parsed.metadata[i].first, i);
    for (size_t i = 0; i < parsed.tensors.size(); ++i) tensor_index.emplace(parsed.tensors[i].name, i);
  }

  [[noreturn]] void fail_key(const std::string& key, const GgufValue& v, const char* wanted) const {
    throw GgufError(path + ": metadata key '" + printable(key) + "' has type " + gguf_value_type_name(v.type) + ", expected " +
                    wanted);
  }
};

GgufFile::GgufFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GgufFile::GgufFile(GgufFile&&) noexcept = default;
GgufFile& GgufFile::operator=(GgufFile&&) noexcept = default;
GgufFile::~GgufFile() = default;

GgufFile GgufFile::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
  // forever; the file type is checked right after.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw GgufError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int err = errno;
    ::close(fd);
    throw GgufError(path + ": not a regular file" + (err ? std::string(" (") + std::strerror(err) + ")" : ""));
  }
  impl->file_size = static_cast<uint64_t>(st.st_size);
  if (impl->file_size > 0) {
    void* m = mmap(nullptr, impl->file_size, PROT_READ, MAP_PRIVATE, fd, 0);
    const int err = errno;
    ::close(fd);
    if (m == MAP_FAILED) throw GgufError(path + ": cannot map the file: " + std::strerror(err));
    impl->mapping = m;
    impl->mapping_len = impl->file_size;
    impl->bytes = static_cast<const uint8_t*>(m);
  } else {
    ::close(fd);
    static const uint8_t kEmpty = 0;
    impl->bytes = &kEmpty;  // the parser reports the file as truncated
  }
  impl->index();
  return GgufFile(std::move(impl));
}

GgufFile GgufFile::parse(std::span<const uint8_t> bytes, const std::string& name) {
  auto impl = std::make_unique<Impl>();
  impl->path = name;
  impl->owned.assign(bytes.begin(), bytes.end());
  impl->owned.reserve(1);  // a valid pointer even for an empty image
  impl->bytes = impl->owned.data();
  impl->file_size = impl->owned.size();
  impl->index();
  return GgufFile(std::move(impl));
}

const std::string& GgufFile::path() const { return impl_->path; }
uint32_t GgufFile::version() const { return impl_->parsed.version; }
uint64_t GgufFile::alignment() const { return impl_->parsed.alignment; }
uint64_t GgufFile::data_offset() const { return impl_->parsed.data_offset; }
uint64_t GgufFile::file_size() const { return impl_->file_size; }

const std::vector<std::pair<std::string, GgufValue>>& GgufFile::metadata() const { return impl_->parsed.metadata; }

const GgufValue* GgufFile::find(const std::string& key) const {
  auto it = impl_->key_index.find(key);
  return it == impl_->key_index.end() ? nullptr : &impl_->parsed.metadata[it->second].second;
}

std::string GgufFile::get_string(const std::string& key, const std::string& fallback) const {
  const GgufValue* v = find(key);
  if (!v) return fallback;
  if (v->type != GgufValueType::STRING) impl_->fail_key(key, *v, "STRING");
  return v->as_string();
}

std::optional<int64_t> GgufFile::get_int(const std::string& key) const {
  const GgufValue* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_integer()) impl_->fail_key(key, *v, "an integer");
  try {
    return v->as_int();
  } catch (const GgufError& e) {
    throw GgufError(impl_->path + ": metadata key '" + key + "': " + e.what());
  }
}

int64_t GgufFile::get_int(const std::string& key, int64_t fallback) const { return get_int(key).value_or(fallback); }

std::optional<double> GgufFile::get_float(const std::string& key) const {
  const GgufValue* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_float() && !v->is_integer()) impl_->fail_key(key, *v, "a number");
  return v->as_float();
}

double GgufFile::get_float(const std::string& key, double fallback) const {
  return get_float(key).value_or(fallback);
}

bool GgufFile::get_bool(const std::string& key, bool fallback) const {
  const GgufValue* v = find(key);
  if (!v) return fallback;
  if (v->type != GgufValueType::BOOL) impl_->fail_key(key, *v, "BOOL");
  return v->as_bool();
}

namespace {

// The array under `key`, or null when absent; GgufError when not an array.
const GgufArray* find_array(const GgufFile& f, const std::string& key) {
  const GgufValue* v = f.find(key);
  if (!v) return nullptr;
  if (v->type != GgufValueType::ARRAY)
    throw GgufError(f.path() + ": metadata key '" + key + "' has type " + gguf_value_type_name(v->type) +
                    ", expected an array");
  return &v->as_array();
}

[[noreturn]] void wrong_elements(const GgufFile& f, const std::string& key, const GgufArray& a, const char* wanted) {
  throw GgufError(f.path() + ": metadata key '" + key + "' is an array of " + gguf_value_type_name(a.elem_type) +
                  ", expected an array of " + wanted);
}

}  // namespace

std::vector<std::string> GgufFile::get_string_array(const std::string& key) const {
  std::vector<std::string> out;
  const GgufArray* a = find_array(*this, key);
  if (!a) return out;
  if (a->elem_type != GgufValueType::STRING) wrong_elements(*this, key, *a, "STRING");
  out.reserve(a->items.size());
  for (const GgufValue& v : a->items) out.push_back(v.as_string());
  return out;
}

std::vector<float> GgufFile::get_float_array(const std::string& key) const {
  std::vector<float> out;
  const GgufArray* a = find_array(*this, key);
  if (!a) return out;
  const GgufValue probe{a->elem_type, uint64_t(0)};
  const bool numeric = a->elem_type == GgufValueType::FLOAT32 || a->elem_type == GgufValueType::FLOAT64 ||
                       probe.is_integer();
  if (!numeric) wrong_elements(*this, key, *a, "numbers");
  out.reserve(a->items.size());
  for (const GgufValue& v : a->items) out.push_back(static_cast<float>(v.as_float()));
  return out;
}

std::vector<int64_t> GgufFile::get_int_array(const std::string& key) const {
  std::vector<int64_t> out;
  const GgufArray* a = find_array(*this, key);
  if (!a) return out;
  const GgufValue probe{a->elem_type, uint64_t(0)};
  if (!probe.is_integer()) wrong_elements(*this, key, *a, "integers");
  out.reserve(a->items.size());
  try {
    for (const GgufValue& v : a->items) out.push_back(v.as_int());
  } catch (const GgufError& e) {
    throw GgufError(path() + ": metadata key '" + key + "': " + e.what());
  }
  return out;
}

const std::vector<GgufTensorInfo>& GgufFile::tensors() const { return impl_->parsed.tensors; }

const GgufTensorInfo* GgufFile::find_tensor(const std::string& name) const {
  auto it = impl_->tensor_index.find(name);
  return it == impl_->tensor_index.end() ? nullptr : &impl_->parsed.tensors[it->second];
}

std::span<const uint8_t> GgufFile::tensor_data(const GgufTensorInfo& info) const {
  // Checked again here: `info` may be a caller-made copy, not one of ours.
  const uint64_t start = impl_->parsed.data_offset;
  const uint64_t avail = impl_->file_size - start;
  if (info.offset > avail || info.bytes > avail - info.offset)
    throw GgufError(impl_->path + ": tensor '" + info.name + "' lies outside the data section");
  return {impl_->bytes + start + info.offset, static_cast<size_t>(info.bytes)};
}

std::string printable(std::string_view text) {
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '\\') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace mrrope
