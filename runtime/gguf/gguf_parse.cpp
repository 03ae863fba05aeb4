// The GGUF parser. Layout (gguf.h): magic "GGUF", u32 version, u64 n_tensors,
// u64 n_kv, n_kv key/value pairs, n_tensors tensor infos, padding to the
// alignment, then the data section. Every count is checked against the bytes
// left before anything is allocated, so a hostile header cannot make us
// reserve gigabytes or read past the end.
#include "gguf/gguf_parse.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <numeric>
#include <string_view>
#include <unordered_set>

namespace mrrope::gguf_detail {
namespace {

static_assert(std::endian::native == std::endian::little, "GGUF reading assumes a little-endian host");

// Smallest encodings, used to bound counts by the bytes that remain.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;                // empty key, type, 1-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // empty name, n_dims, one dim, type, offset
constexpr uint32_t kMaxDims = 4;                           // GGML_MAX_DIMS
constexpr uint64_t kMaxAlignment = uint64_t(1) << 30;

class Reader {
 public:
  Reader(const uint8_t* data, uint64_t size, const std::string& name) : data_(data), size_(size), name_(name) {}

  [[noreturn]] void fail(const std::string& what) const { throw GgufError(name_ + ": " + what); }

  uint64_t pos() const { return pos_; }
  uint64_t size() const { return size_; }
  uint64_t remaining() const { return size_ - pos_; }

  void need(uint64_t n, std::string_view what) const {
    if (n > remaining())
      fail("truncated: " + std::string(what) + " at offset " + std::to_string(pos_) + " needs " + std::to_string(n) +
           " bytes but the file ends after " + std::to_string(remaining()));
  }

  template <class T>
  T read(std::string_view what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  std::string read_string(std::string_view what) {
    const uint64_t at = pos_;
    const uint64_t len = read<uint64_t>(what);
    if (len > kGgufMaxStringBytes)
      fail("string length " + std::to_string(len) + " of " + std::string(what) + " at offset " + std::to_string(at) +
           " is too long (limit " + std::to_string(kGgufMaxStringBytes) + ")");
    if (len > remaining())
      fail("string length " + std::to_string(len) + " of " + std::string(what) + " at offset " + std::to_string(at) +
           " exceeds the " + std::to_string(remaining()) + " bytes left in the file (truncated or corrupt)");
    std::string s(reinterpret_cast<const char*>(data_ + pos_), len);
    pos_ += len;
    return s;
  }

 private:
  const uint8_t* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
  const std::string& name_;
};

GgufValueType read_value_type(Reader& r, const std::string& key, std::string_view what) {
  const uint64_t at = r.pos();
  const uint32_t raw = r.read<uint32_t>(what);
  if (raw > static_cast<uint32_t>(GgufValueType::FLOAT64))
    r.fail("unknown value type " + std::to_string(raw) + " for key '" + printable(key) + "' at offset " + std::to_string(at));
  return static_cast<GgufValueType>(raw);
}

// Smallest file encoding of one value of `type` (strings: just the length).
uint64_t min_encoded_size(GgufValueType type) {
  if (type == GgufValueType::STRING) return 8;
  if (type == GgufValueType::ARRAY) return 4 + 8;
  return gguf_scalar_size(type);
}

GgufValue read_value(Reader& r, GgufValueType type, const std::string& key, int depth) {
  const std::string what = "value of '" + printable(key) + "'";
  switch (type) {
    case GgufValueType::UINT8: return GgufValue{type, uint64_t(r.read<uint8_t>(what))};
    case GgufValueType::UINT16: return GgufValue{type, uint64_t(r.read<uint16_t>(what))};
    case GgufValueType::UINT32: return GgufValue{type, uint64_t(r.read<uint32_t>(what))};
    case GgufValueType::UINT64: return GgufValue{type, r.read<uint64_t>(what)};
    case GgufValueType::INT8: return GgufValue{type, int64_t(r.read<int8_t>(what))};
    case GgufValueType::INT16: return GgufValue{type, int64_t(r.read<int16_t>(what))};
    case GgufValueType::INT32: return GgufValue{type, int64_t(r.read<int32_t>(what))};
    case GgufValueType::INT64: return GgufValue{type, r.read<int64_t>(what)};
    case GgufValueType::FLOAT32: return GgufValue{type, double(r.read<float>(what))};
    case GgufValueType::FLOAT64: return GgufValue{type, r.read<double>(what)};
    case GgufValueType::BOOL: {
      const uint64_t at = r.pos();
      const uint8_t b = r.read<uint8_t>(what);
      // Only 0 and 1 are written by ggml; anything else would not round-trip.
      if (b > 1) r.fail("invalid bool " + std::to_string(b) + " for key '" + printable(key) + "' at offset " + std::to_string(at));
      return GgufValue{type, b == 1};
    }
    case GgufValueType::STRING: return GgufValue{type, r.read_string(what)};
    case GgufValueType::ARRAY: {
      if (depth >= kGgufMaxArrayDepth)
        r.fail("arrays nested too deep for key '" + printable(key) + "' (limit " + std::to_string(kGgufMaxArrayDepth) + ")");
      const GgufValueType elem = read_value_type(r, key, "array element type of '" + printable(key) + "'");
      const uint64_t at = r.pos();
      const uint64_t n = r.read<uint64_t>("array length of '" + printable(key) + "'");
      if (n > r.remaining() / min_encoded_size(elem))
        r.fail("array length " + std::to_string(n) + " of key '" + printable(key) + "' at offset " + std::to_string(at) +
               " is impossible: only " + std::to_string(r.remaining()) + " bytes are left for " +
               gguf_value_type_name(elem) + " items");
      auto array = std::make_shared<GgufArray>();
      array->elem_type = elem;
      array->items.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        if (elem == GgufValueType::ARRAY) {
          // Nested arrays carry their own element type and length per item.
          array->items.push_back(read_value(r, GgufValueType::ARRAY, key, depth + 1));
        } else {
          array->items.push_back(read_value(r, elem, key, depth + 1));
        }
      }
      return GgufValue{type, std::move(array)};
    }
  }
  r.fail("unknown value type for key '" + printable(key) + "'");
}

uint64_t checked_mul(Reader& r, uint64_t a, uint64_t b, const std::string& what) {
  uint64_t out;
  if (__builtin_mul_overflow(a, b, &out)) r.fail(what);
  return out;
}

void read_alignment(Reader& r, ParsedGguf& out) {
  for (const auto& [key, value] : out.metadata) {
    if (key != "general.alignment") continue;
    if (!value.is_integer()) r.fail(std::string("general.alignment has type ") + gguf_value_type_name(value.type) +
                                    ", expected an unsigned integer");
    const bool negative = value.type == GgufValueType::INT8 || value.type == GgufValueType::INT16 ||
                          value.type == GgufValueType::INT32 || value.type == GgufValueType::INT64
                              ? std::get<int64_t>(value.data) < 0
                              : false;
    const uint64_t a = negative ? 0 : value.as_uint();
    if (negative || a == 0 || !std::has_single_bit(a) || a > kMaxAlignment)
      r.fail("general.alignment " +
             (negative ? std::to_string(std::get<int64_t>(value.data)) : std::to_string(a)) +
             " is not a nonzero power of two (up to " + std::to_string(kMaxAlignment) + ")");
    out.alignment = a;
  }
}

GgufTensorInfo read_tensor_info(Reader& r, uint64_t index, uint64_t alignment) {
  GgufTensorInfo t;
  t.name = r.read_string("name of tensor " + std::to_string(index));
  const std::string tname = "tensor '" + printable(t.name) + "'";
  const uint32_t n_dims = r.read<uint32_t>("dimension count of " + tname);
  if (n_dims == 0 || n_dims > kMaxDims)
    r.fail(tname + " has dimension count " + std::to_string(n_dims) + " (must be 1 to " + std::to_string(kMaxDims) +
           ")");
  r.need(uint64_t(n_dims) * 8 + 4 + 8, "shape, type and offset of " + tname);
  t.ne.resize(n_dims);
  for (uint32_t i = 0; i < n_dims; ++i) {
    t.ne[i] = r.read<int64_t>("shape of " + tname);
    if (t.ne[i] <= 0)
      r.fail(tname + " has invalid dimension ne[" + std::to_string(i) + "] = " + std::to_string(t.ne[i]) +
             " (must be positive)");
  }
  int64_t elements = 1;
  for (int64_t d : t.ne)
    if (__builtin_mul_overflow(elements, d, &elements)) r.fail("element count of " + tname + " overflows");

  const uint32_t raw_type = r.read<uint32_t>("type of " + tname);
  const std::optional<GgmlTypeTraits> traits = ggml_type_traits(raw_type);
  if (!traits) r.fail(tname + " has unknown tensor type " + std::to_string(raw_type));
  t.type = static_cast<GgmlType>(raw_type);
  if (uint64_t(t.ne[0]) % traits->block_elems != 0)
    r.fail(tname + ": ne[0] = " + std::to_string(t.ne[0]) + " is not a multiple of the block size " +
           std::to_string(traits->block_elems) + " of " + std::string(traits->name));
  const std::string overflow = "byte size of " + tname + " overflows";
  const uint64_t row_bytes = checked_mul(r, uint64_t(t.ne[0]) / traits->block_elems, traits->block_bytes, overflow);
  t.bytes = checked_mul(r, row_bytes, uint64_t(elements / t.ne[0]), overflow);

  t.offset = r.read<uint64_t>("data offset of " + tname);
  if (t.offset % alignment != 0)
    r.fail(tname + " data offset " + std::to_string(t.offset) + " is not aligned to " + std::to_string(alignment));
  return t;
}

// Tensors must lie inside the data section and must not share bytes.
void check_tensor_extents(Reader& r, const ParsedGguf& out) {
  const uint64_t data_size = r.size() - out.data_offset;
  for (const GgufTensorInfo& t : out.tensors) {
    // Each tensor is followed by zero padding up to the alignment; ggml reads
    // the padded size, so a file missing it is cut short.
    const uint64_t padded = t.bytes + (out.alignment - t.bytes % out.alignment) % out.alignment;
    if (t.offset > data_size || padded < t.bytes || padded > data_size - t.offset)
      r.fail("data of tensor '" + printable(t.name) + "' (offset " + std::to_string(t.offset) + ", " + std::to_string(t.bytes) +
             " bytes, padded to " + std::to_string(out.alignment) +
             ") extends past the end of the file (data section holds " + std::to_string(data_size) + " bytes)");
  }
  std::vector<size_t> order(out.tensors.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return out.tensors[a].offset < out.tensors[b].offset; });
  for (size_t i = 1; i < order.size(); ++i) {
    const GgufTensorInfo& prev = out.tensors[order[i - 1]];
    const GgufTensorInfo& cur = out.tensors[order[i]];
    if (cur.offset < prev.offset + prev.bytes)
      r.fail("data of tensor '" + printable(cur.name) + "' overlaps tensor '" + printable(prev.name) + "'");
  }
}

}  // namespace

ParsedGguf parse_gguf(const uint8_t* data, uint64_t size, const std::string& name) {
  Reader r(data, size, name);
  ParsedGguf out;

  const uint32_t magic = r.read<uint32_t>("magic");
  if (magic != kGgufMagic) {
    char shown[5] = {};
    std::memcpy(shown, &magic, 4);
    for (char& c : shown)
      if (c != 0 && (c < 0x20 || c > 0x7e)) c = '?';
    r.fail("bad magic '" + std::string(shown) + "': not a GGUF file");
  }
  out.version = r.read<uint32_t>("version");
  if (out.version == 1) r.fail("unsupported GGUF version 1 (only versions 2 and 3 can be read; reconvert the model)");
  if ((out.version & 0xffff) == 0 && out.version != 0)
    r.fail("unsupported GGUF version " + std::to_string(out.version) + " (this looks like a big-endian file)");
  if (out.version != 2 && out.version != 3) r.fail("unsupported GGUF version " + std::to_string(out.version));

  const uint64_t n_tensors = r.read<uint64_t>("tensor count");
  const uint64_t n_kv = r.read<uint64_t>("metadata count");
  if (n_tensors > r.remaining() / kMinTensorInfoBytes)
    r.fail("impossible tensor count " + std::to_string(n_tensors) + ": the file has only " +
           std::to_string(r.remaining()) + " bytes left");
  if (n_kv > (r.remaining() - n_tensors * kMinTensorInfoBytes) / kMinKvBytes)
    r.fail("impossible metadata count " + std::to_string(n_kv) + ": the file has only " +
           std::to_string(r.remaining()) + " bytes left");

  out.metadata.reserve(n_kv);
  std::unordered_set<std::string> keys;
  for (uint64_t i = 0; i < n_kv; ++i) {
    std::string key = r.read_string("key of metadata entry " + std::to_string(i));
    if (!keys.insert(key).second) r.fail("duplicate key '" + printable(key) + "'");
    const GgufValueType type = read_value_type(r, key, "value type of '" + printable(key) + "'");
    GgufValue value = read_value(r, type, key, 0);
    out.metadata.emplace_back(std::move(key), std::move(value));
  }
  read_alignment(r, out);

  out.tensors.reserve(n_tensors);
  std::unordered_set<std::string> names;
  for (uint64_t i = 0; i < n_tensors; ++i) {
    GgufTensorInfo t = read_tensor_info(r, i, out.alignment);
    if (!names.insert(t.name).second) r.fail("duplicate tensor name '" + printable(t.name) + "'");
    out.tensors.push_back(std::move(t));
  }

  // The data section starts at the next multiple of the alignment. Files
  // without tensors (vocabulary-only ones from llama.cpp's converter) may end
  // before that padding; llama.cpp reads them, so do we.
  uint64_t pad = (out.alignment - r.pos() % out.alignment) % out.alignment;
  if (pad > r.remaining()) {
    if (!out.tensors.empty())
      r.fail("truncated: the data section should start at offset " + std::to_string(r.pos() + pad) +
             " but the file has only " + std::to_string(r.size()) + " bytes");
    pad = r.remaining();
  }
  out.data_offset = r.pos() + pad;
  check_tensor_extents(r, out);
  return out;
}

}  // namespace mrrope::gguf_detail
