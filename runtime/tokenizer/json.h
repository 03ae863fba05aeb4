#pragma once
// Minimal JSON reader for tokenizer.json / tokenizer_config.json: a DOM with
// objects kept in file order. Throws TokenizerError with the byte offset on
// malformed input.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mrrope::tok {

struct JsonValue {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;

  bool is_null() const { return kind == Kind::Null; }
  bool is_string() const { return kind == Kind::String; }
  bool is_array() const { return kind == Kind::Array; }
  bool is_object() const { return kind == Kind::Object; }
  // Member lookup (linear; objects here are small except the vocab, which is iterated).
  const JsonValue* find(std::string_view key) const;
};

JsonValue parse_json(std::string_view text);

}  // namespace mrrope::tok
