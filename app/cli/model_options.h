#pragma once
// Options shared by the commands that run a model: which model and device,
// context size, sampling, the KV cache type and chat template
// (engine/engine_flags.h) and the RoPE flags (rope/rope_cli_options.h).
#include <optional>
#include <string>
#include <vector>

#include "ops/kv_cache_type.h"
#include "options/option_table.h"
#include "rope/rope_schedule.h"
#include "sampling/sampler.h"
#include "tokenizer/chat_template.h"

namespace mrrope::cli {

struct ModelOptions {
  std::string model;        // -m; empty = bundled default
  std::string device;       // --device
  int n_ctx = 0;            // -c; 0 = what the input needs
  int batch = 0;            // -b, prefill chunk (0: from the device memory)
  KvCacheType kv_type = KvCacheType::F16;  // --cache-type-k/-ctk, --cache-type-v/-ctv
  bool kv_rings = true;     // false: --no-kv-rings (full-length K/V for sliding-window layers)
  int n_predict = 128;      // -n
  SamplerParams sampler;    // --temp --top-k --top-p --min-p --repeat-penalty --repeat-last-n --seed
  std::vector<std::string> stop;  // --stop (repeatable)
  RopeParams rope;          // --rope-* and --yarn-* flags
  std::optional<tok::ChatTemplate> chat_template;  // --chat-template; unset = detected from the file
};

// Adds these options to a command's table; they fill `options`, which must
// outlive the parse. The table's checks refuse -c < 0, -n < 0 and bad sampling.
void add_model_options(OptionTable& table, ModelOptions& options);

// Help text for these options (mrrope-cli options).
std::string model_options_usage();

// Reads a whole file; clear error when missing or not valid UTF-8.
std::string read_text_file(const std::string& path);

}  // namespace mrrope::cli
