#pragma once
// Reading GGUF files (versions 2 and 3) as llama.cpp does: metadata of every
// value type (nested arrays included), tensor infos, general.alignment, and
// memory-mapped tensor data. Every count, size and offset is checked before it
// is used; a bad file throws GgufError naming the file and what is wrong.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "quant/ggml_type.h"

namespace mrrope {

class GgufError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// GGUF metadata value types (gguf.h: GGUF_TYPE_*).
enum class GgufValueType : uint32_t {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6,
  BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};

struct GgufValue;
struct GgufArray {
  GgufValueType elem_type;
  std::vector<GgufValue> items;
};

// One metadata value. Integers keep their exact width in `type`.
struct GgufValue {
  GgufValueType type;
  std::variant<uint64_t, int64_t, double, bool, std::string, std::shared_ptr<GgufArray>> data;

  bool is_integer() const;
  bool is_float() const;
  // Conversions that throw GgufError when the value is not of a fitting type.
  int64_t as_int() const;
  uint64_t as_uint() const;
  double as_float() const;
  bool as_bool() const;
  const std::string& as_string() const;
  const GgufArray& as_array() const;

  // Constructors for building metadata (the writer, tests). `type` must fit the
  // variant member: of_uint takes UINT8..UINT64, of_int INT8..INT64, of_float
  // FLOAT32/FLOAT64; a value out of the type's range throws GgufError.
  static GgufValue of_uint(GgufValueType type, uint64_t v);
  static GgufValue of_int(GgufValueType type, int64_t v);
  static GgufValue of_float(GgufValueType type, double v);
  static GgufValue of_bool(bool v);
  static GgufValue of_string(std::string v);
  static GgufValue of_array(GgufValueType elem_type, std::vector<GgufValue> items);

  bool operator==(const GgufValue& other) const;  // deep, arrays by content
};

// "UINT8", "STRING", ...; "?" for ids outside the enum.
const char* gguf_value_type_name(GgufValueType type);
// Bytes a scalar of `type` takes in a file; 0 for STRING and ARRAY.
size_t gguf_scalar_size(GgufValueType type);

// Limits the reader enforces (and the writer respects).
constexpr uint64_t kGgufMaxStringBytes = uint64_t(1) << 30;
constexpr int kGgufMaxArrayDepth = 8;
constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
constexpr uint64_t kGgufDefaultAlignment = 32;

struct GgufTensorInfo {
  std::string name;
  GgmlType type;
  std::vector<int64_t> ne;  // ne[0] is the innermost (contiguous) dimension, as in ggml
  uint64_t offset;          // relative to the start of the data section
  uint64_t bytes;           // size of the tensor's data

  int64_t elements() const;
  int64_t rows() const;  // product of ne[1..]
};

class GgufFile {
 public:
  // Opens and validates `path`, memory-mapping the tensor data.
  static GgufFile open(const std::string& path);
  // Parses an in-memory image (tests, fuzzing). The bytes are copied.
  static GgufFile parse(std::span<const uint8_t> bytes, const std::string& name = "<memory>");

  GgufFile(GgufFile&&) noexcept;
  GgufFile& operator=(GgufFile&&) noexcept;
  ~GgufFile();

  const std::string& path() const;
  uint32_t version() const;
  uint64_t alignment() const;
  uint64_t data_offset() const;  // file offset of the tensor data section
  uint64_t file_size() const;

  // Metadata, in file order.
  const std::vector<std::pair<std::string, GgufValue>>& metadata() const;
  const GgufValue* find(const std::string& key) const;
  bool has(const std::string& key) const { return find(key) != nullptr; }
  // Typed getters; `fallback` when absent; GgufError when present with the wrong type.
  std::string get_string(const std::string& key, const std::string& fallback = "") const;
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_float(const std::string& key, double fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  std::optional<int64_t> get_int(const std::string& key) const;
  std::optional<double> get_float(const std::string& key) const;
  // Typed arrays; empty when absent; GgufError on the wrong element type.
  std::vector<std::string> get_string_array(const std::string& key) const;
  std::vector<float> get_float_array(const std::string& key) const;
  std::vector<int64_t> get_int_array(const std::string& key) const;

  const std::vector<GgufTensorInfo>& tensors() const;
  const GgufTensorInfo* find_tensor(const std::string& name) const;
  // The tensor's bytes inside the mapping (valid while this GgufFile lives).
  std::span<const uint8_t> tensor_data(const GgufTensorInfo& info) const;

 private:
  struct Impl;
  explicit GgufFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Text from a file made safe for a message: control bytes (a NUL would cut
// the message, others reach the terminal) and backslashes as \xNN.
std::string printable(std::string_view text);

}  // namespace mrrope
