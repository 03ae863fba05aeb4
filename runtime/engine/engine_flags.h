#pragma once
// llama.cpp's flags for two of the engine's choices, shared by mrrope-cli and
// bench-decoder: the KV cache type (--cache-type-k/-ctk, --cache-type-v/-ctv)
// and the chat template (--chat-template); and --no-kv-rings. Each adds its
// options to a command's table (options/option_table.h).
#include <optional>
#include <string>
#include <vector>

#include "ops/kv_cache_type.h"
#include "tokenizer/chat_template.h"

namespace mrrope {

class OptionTable;

// -ctk/-ctv, values f16|q8_0, into `type` (which keeps its value when neither
// is given). K and V must have the same type: the table's check refuses a mix.
void add_kv_cache_options(OptionTable& table, KvCacheType& type);
// --no-kv-rings clears `rings`: sliding-window layers keep full-length K/V
// instead of window-sized rings (DecoderRequest::window_kv_cache, issue 14).
void add_kv_ring_option(OptionTable& table, bool& rings);
// --chat-template NAME into `chosen` (unset: detected from the file).
void add_chat_template_option(OptionTable& table, std::optional<tok::ChatTemplate>& chosen);

// The same flags taken out of `args`, the rest kept in order. Throw
// std::invalid_argument naming the flag on a missing or unknown value.
KvCacheType parse_kv_cache_flags(std::vector<std::string>& args, KvCacheType defaults = KvCacheType::F16);
std::optional<tok::ChatTemplate> parse_chat_template_flag(std::vector<std::string>& args);

}  // namespace mrrope
