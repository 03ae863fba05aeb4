#include "engine/engine_flags.h"

#include <memory>
#include <stdexcept>

#include "options/option_table.h"

namespace mrrope {

void add_kv_cache_options(OptionTable& table, KvCacheType& type) {
  struct Given {
    std::optional<KvCacheType> k, v;
  };
  auto given = std::make_shared<Given>();
  auto parse = [](const std::string& flag, const std::string& value) {
    try {
      return parse_kv_cache_type(value);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(flag + ": " + e.what());
    }
  };
  table.value({"-ctk", "--cache-type-k"}, "T", "KV cache type for K: f16 (default) or q8_0 (about half the memory)",
              [given, parse](const std::string& flag, const std::string& v) { given->k = parse(flag, v); });
  table.value({"-ctv", "--cache-type-v"}, "T", "the same for V; K and V must have the same type",
              [given, parse](const std::string& flag, const std::string& v) { given->v = parse(flag, v); });
  table.after([given, &type] {
    const KvCacheType k = given->k.value_or(type), v = given->v.value_or(type);
    // Mixed types would need a kernel per pair; llama.cpp users set both anyway.
    if (k != v)
      throw std::invalid_argument(std::string("--cache-type-k is ") + kv_cache_type_name(k) +
                                  " but --cache-type-v is " + kv_cache_type_name(v) +
                                  ": K and V must have the same type (give both flags the same value)");
    type = k;
  });
}

void add_kv_ring_option(OptionTable& table, bool& rings) {
  table.flag({"--no-kv-rings"},
             "full-length K/V for sliding-window layers (gemma2/gemma3's local ones) instead of rings of window + "
             "chunk - 1 rows (more memory; the rings give the same results)",
             [&rings] { rings = false; });
}

void add_chat_template_option(OptionTable& table, std::optional<tok::ChatTemplate>& chosen) {
  table.value({"--chat-template"}, "NAME",
              std::string(tok::chat_template_names()) + " (default: detected from tokenizer.chat_template)",
              [&chosen](const std::string& flag, const std::string& v) {
                try {
                  chosen = tok::parse_chat_template_name(v);
                } catch (const std::invalid_argument& e) {
                  throw std::invalid_argument(flag + ": " + e.what());
                }
              });
}

KvCacheType parse_kv_cache_flags(std::vector<std::string>& args, KvCacheType defaults) {
  KvCacheType type = defaults;
  OptionTable table;
  add_kv_cache_options(table, type);
  table.take(args);
  return type;
}

std::optional<tok::ChatTemplate> parse_chat_template_flag(std::vector<std::string>& args) {
  std::optional<tok::ChatTemplate> chosen;
  OptionTable table;
  add_chat_template_option(table, chosen);
  table.take(args);
  return chosen;
}

}  // namespace mrrope
