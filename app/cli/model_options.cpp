#include "model_options.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/engine_flags.h"
#include "rope/rope_cli_options.h"
#include "tokenizer/unicode.h"

namespace mrrope::cli {

void add_model_options(OptionTable& table, ModelOptions& o) {
  using Value = const std::string&;
  auto to_float = [](Value flag, Value v) { return static_cast<float>(parse_number(flag, v)); };
  table.section("model options");
  table.store({"-m", "--model"}, "FILE", "GGUF model (default: the bundled model in assets/)", &o.model);
  table.store({"--device"}, "INDEX|NAME", "Vulkan device (default: MRROPE_DEVICE, else the most capable)", &o.device);
  table.store({"-c", "--ctx-size"}, "N", "context (KV cache) size; default: what the input needs", &o.n_ctx);
  table.store({"-b", "--batch-size"}, "N",
              "prefill chunk (default: 512 on a CPU device, up to 4096 on a GPU with the memory)", &o.batch);
  add_kv_cache_options(table, o.kv_type);
  add_kv_ring_option(table, o.kv_rings);
  table.store({"-n", "--n-predict"}, "N", "tokens to generate (default 128)", &o.n_predict);
  table.section("sampling");
  table.value({"--temp"}, "T", "temperature (default 0.8; 0 = greedy)",
              [&o, to_float](Value flag, Value v) { o.sampler.temperature = to_float(flag, v); });
  table.store({"--top-k"}, "K", "keep the K most likely tokens (default 40; 0 = off)", &o.sampler.top_k);
  table.value({"--top-p"}, "P", "keep the most likely tokens up to probability P (default 0.95; 1 = off)",
              [&o, to_float](Value flag, Value v) { o.sampler.top_p = to_float(flag, v); });
  table.value({"--min-p"}, "P", "drop tokens below P x the top probability (default 0.05; 0 = off)",
              [&o, to_float](Value flag, Value v) { o.sampler.min_p = to_float(flag, v); });
  table.value({"--repeat-penalty"}, "R", "penalty on recent tokens (default 1 = off)",
              [&o, to_float](Value flag, Value v) { o.sampler.repeat_penalty = to_float(flag, v); });
  table.store({"--repeat-last-n"}, "N", "tokens the penalty looks back at (default 64; 0 = off, -1 = all)",
              &o.sampler.repeat_last_n);
  table.value({"--seed"}, "S", "the sampler's seed (default: a random one)",
              [&o](Value flag, Value v) { o.sampler.seed = static_cast<uint64_t>(parse_integer(flag, v, 0, INT64_MAX)); });
  table.value({"--stop"}, "TEXT", "stop when TEXT is generated (repeatable)", [&o](Value, Value v) { o.stop.push_back(v); });
  add_chat_template_option(table, o.chat_template);
  add_rope_options(table, o.rope);
  table.after([&o] {
    if (o.n_ctx < 0) throw std::invalid_argument("-c must be positive");
    if (o.n_predict < 0) throw std::invalid_argument("-n must be zero or more");
    validate(o.sampler);
  });
}

std::string model_options_usage() {
  ModelOptions unused;
  OptionTable table;
  add_model_options(table, unused);
  return table.help();
}

std::string read_text_file(const std::string& path) {
  // stat first: opening a FIFO would wait for a writer, and a directory reads as empty.
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot open '" + path + "': " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw std::runtime_error("'" + path + "' is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (!tok::is_valid_utf8(text)) throw std::runtime_error("'" + path + "' is not valid UTF-8 text");
  return text;
}

}  // namespace mrrope::cli
