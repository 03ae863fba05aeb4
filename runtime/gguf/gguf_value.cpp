// GgufValue: typed access to one metadata value and the constructors the
// writer uses. Conversions refuse values that do not fit rather than wrap.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "gguf/gguf_file.h"

namespace mrrope {
namespace {

bool is_unsigned_type(GgufValueType t) {
  return t == GgufValueType::UINT8 || t == GgufValueType::UINT16 || t == GgufValueType::UINT32 ||
         t == GgufValueType::UINT64;
}
bool is_signed_type(GgufValueType t) {
  return t == GgufValueType::INT8 || t == GgufValueType::INT16 || t == GgufValueType::INT32 ||
         t == GgufValueType::INT64;
}

[[noreturn]] void wrong_type(const GgufValue& v, const char* wanted) {
  throw GgufError(std::string("metadata value of type ") + gguf_value_type_name(v.type) + " used as " + wanted);
}

// Largest value of an unsigned type / range of a signed type, by byte width.
uint64_t unsigned_max(GgufValueType t) {
  const size_t bytes = gguf_scalar_size(t);
  return bytes == 8 ? std::numeric_limits<uint64_t>::max() : (uint64_t(1) << (8 * bytes)) - 1;
}
int64_t signed_max(GgufValueType t) {
  const size_t bytes = gguf_scalar_size(t);
  return bytes == 8 ? std::numeric_limits<int64_t>::max() : (int64_t(1) << (8 * bytes - 1)) - 1;
}

}  // namespace

const char* gguf_value_type_name(GgufValueType type) {
  switch (type) {
    case GgufValueType::UINT8: return "UINT8";
    case GgufValueType::INT8: return "INT8";
    case GgufValueType::UINT16: return "UINT16";
    case GgufValueType::INT16: return "INT16";
    case GgufValueType::UINT32: return "UINT32";
    case GgufValueType::INT32: return "INT32";
    case GgufValueType::FLOAT32: return "FLOAT32";
    case GgufValueType::BOOL: return "BOOL";
    case GgufValueType::STRING: return "STRING";
    case GgufValueType::ARRAY: return "ARRAY";
    case GgufValueType::UINT64: return "UINT64";
    case GgufValueType::INT64: return "INT64";
    case GgufValueType::FLOAT64: return "FLOAT64";
  }
  return "?";
}

size_t gguf_scalar_size(GgufValueType type) {
  switch (type) {
    case GgufValueType::UINT8:
    case GgufValueType::INT8:
    case GgufValueType::BOOL: return 1;
    case GgufValueType::UINT16:
    case GgufValueType::INT16: return 2;
    case GgufValueType::UINT32:
    case GgufValueType::INT32:
    case GgufValueType::FLOAT32: return 4;
    case GgufValueType::UINT64:
    case GgufValueType::INT64:
    case GgufValueType::FLOAT64: return 8;
    case GgufValueType::STRING:
    case GgufValueType::ARRAY: return 0;
  }
  return 0;
}

bool GgufValue::is_integer() const { return is_unsigned_type(type) || is_signed_type(type); }
bool GgufValue::is_float() const { return type == GgufValueType::FLOAT32 || type == GgufValueType::FLOAT64; }

int64_t GgufValue::as_int() const {
  if (is_signed_type(type)) return std::get<int64_t>(data);
  if (is_unsigned_type(type)) {
    const uint64_t u = std::get<uint64_t>(data);
    if (u > uint64_t(std::numeric_limits<int64_t>::max()))
      throw GgufError("metadata value " + std::to_string(u) + " does not fit in a signed 64-bit integer");
    return static_cast<int64_t>(u);
  }
  wrong_type(*this, "an integer");
}

uint64_t GgufValue::as_uint() const {
  if (is_unsigned_type(type)) return std::get<uint64_t>(data);
  if (is_signed_type(type)) {
    const int64_t i = std::get<int64_t>(data);
    if (i < 0) throw GgufError("metadata value " + std::to_string(i) + " is negative where an unsigned one is needed");
    return static_cast<uint64_t>(i);
  }
  wrong_type(*this, "an unsigned integer");
}

double GgufValue::as_float() const {
  if (is_float()) return std::get<double>(data);
  // Integers convert: some converters store e.g. rope.freq_base as an integer.
  if (is_signed_type(type)) return static_cast<double>(std::get<int64_t>(data));
  if (is_unsigned_type(type)) return static_cast<double>(std::get<uint64_t>(data));
  wrong_type(*this, "a float");
}

bool GgufValue::as_bool() const {
  if (type != GgufValueType::BOOL) wrong_type(*this, "a bool");
  return std::get<bool>(data);
}

const std::string& GgufValue::as_string() const {
  if (type != GgufValueType::STRING) wrong_type(*this, "a string");
  return std::get<std::string>(data);
}

const GgufArray& GgufValue::as_array() const {
  if (type != GgufValueType::ARRAY) wrong_type(*this, "an array");
  return *std::get<std::shared_ptr<GgufArray>>(data);
}

GgufValue GgufValue::of_uint(GgufValueType t, uint64_t v) {
  if (!is_unsigned_type(t)) throw GgufError(std::string("of_uint: ") + gguf_value_type_name(t) + " is not unsigned");
  if (v > unsigned_max(t))
    throw GgufError(std::to_string(v) + " does not fit in " + gguf_value_type_name(t));
  return GgufValue{t, v};
}

GgufValue GgufValue::of_int(GgufValueType t, int64_t v) {
  if (!is_signed_type(t)) throw GgufError(std::string("of_int: ") + gguf_value_type_name(t) + " is not signed");
  const int64_t max = signed_max(t);
  if (v > max || v < -max - 1) throw GgufError(std::to_string(v) + " does not fit in " + gguf_value_type_name(t));
  return GgufValue{t, v};
}

GgufValue GgufValue::of_float(GgufValueType t, double v) {
  if (t != GgufValueType::FLOAT32 && t != GgufValueType::FLOAT64)
    throw GgufError(std::string("of_float: ") + gguf_value_type_name(t) + " is not a float type");
  // A FLOAT32 value holds exactly what the file will hold.
  return GgufValue{t, t == GgufValueType::FLOAT32 ? static_cast<double>(static_cast<float>(v)) : v};
}

GgufValue GgufValue::of_bool(bool v) { return GgufValue{GgufValueType::BOOL, v}; }
GgufValue GgufValue::of_string(std::string v) {
  if (v.size() > kGgufMaxStringBytes) throw GgufError("string of " + std::to_string(v.size()) + " bytes is too long");
  return GgufValue{GgufValueType::STRING, std::move(v)};
}

GgufValue GgufValue::of_array(GgufValueType elem_type, std::vector<GgufValue> items) {
  int depth = 1;
  for (const GgufValue& item : items) {
    if (item.type != elem_type)
      throw GgufError(std::string("array of ") + gguf_value_type_name(elem_type) + " given an item of type " +
                      gguf_value_type_name(item.type));
  }
  // Depth of the deepest nested array, so writers cannot build what readers refuse.
  std::vector<std::pair<const GgufValue*, int>> stack;
  for (const GgufValue& item : items) stack.push_back({&item, 2});
  while (!stack.empty()) {
    auto [v, d] = stack.back();
    stack.pop_back();
    if (v->type != GgufValueType::ARRAY) continue;
    depth = std::max(depth, d);
    for (const GgufValue& item : v->as_array().items) stack.push_back({&item, d + 1});
  }
  if (depth > kGgufMaxArrayDepth)
    throw GgufError("arrays nested too deep (" + std::to_string(depth) + " levels, limit " +
                    std::to_string(kGgufMaxArrayDepth) + ")");
  return GgufValue{GgufValueType::ARRAY, std::make_shared<GgufArray>(GgufArray{elem_type, std::move(items)})};
}

bool GgufValue::operator==(const GgufValue& other) const {
  if (type != other.type) return false;
  if (type == GgufValueType::ARRAY) {
    const GgufArray& a = as_array();
    const GgufArray& b = other.as_array();
    return a.elem_type == b.elem_type && a.items == b.items;
  }
  if (is_float()) {
    // Bitwise, so NaN payloads round-trip-compare equal.
    const double x = std::get<double>(data), y = std::get<double>(other.data);
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  return data == other.data;
}

}  // namespace mrrope
