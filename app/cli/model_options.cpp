#include "model_options.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "rope/rope_cli_options.h"
#include "tokenizer/unicode.h"

namespace mrrope::cli {
namespace {

double number(const std::string& flag, const std::string& v) {
  size_t used = 0;
  double d = 0;
  try {
    d = std::stod(v, &used);
  } catch (...) {
    used = 0;
  }
  if (used != v.size()) throw std::invalid_argument(flag + " expects a number, got '" + v + "'");
  return d;
}

}  // namespace

int integer(const std::string& flag, const std::string& v) {
  const double d = number(flag, v);
  if (d != std::floor(d)) throw std::invalid_argument(flag + " expects an integer, got '" + v + "'");
  if (d < std::numeric_limits<int>::min() || d > std::numeric_limits<int>::max())
    throw std::invalid_argument(flag + " is out of range: " + v + " (at most " +
                                std::to_string(std::numeric_limits<int>::max()) + ")");
  return static_cast<int>(d);
}

ModelOptions parse_model_options(std::vector<std::string>& args) {
  ModelOptions o;
  o.rope = parse_rope_cli_options(args);
  o.kv_type = parse_kv_cache_flags(args);
  o.chat_template = tok::parse_chat_template_flag(args);
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw std::invalid_argument(a + " needs a value");
      return args[++i];
    };
    if (a == "-m" || a == "--model") o.model = value();
    else if (a == "--device") o.device = value();
    else if (a == "-c" || a == "--ctx-size") o.n_ctx = integer(a, value());
    else if (a == "-b" || a == "--batch-size") {
      o.batch = integer(a, value());
        }
    else if (a == "-n" || a == "--n-predict") o.n_predict = integer(a, value());
    else if (a == "--temp") o.sampler.temperature = static_cast<float>(number(a, value()));
    else if (a == "--top-k") o.sampler.top_k = integer(a, value());
    else if (a == "--top-p") o.sampler.top_p = static_cast<float>(number(a, value()));
    else if (a == "--min-p") o.sampler.min_p = static_cast<float>(number(a, value()));
    else if (a == "--repeat-penalty") o.sampler.repeat_penalty = static_cast<float>(number(a, value()));
    else if (a == "--repeat-last-n") o.sampler.repeat_last_n = integer(a, value());
    else if (a == "--seed") o.sampler.seed = static_cast<uint64_t>(number(a, value()));
    else if (a == "--stop") o.stop.push_back(value());
    else rest.push_back(a);
  }
  if (o.n_ctx < 0) throw std::invalid_argument("-c must be positive");
  if (o.n_predict < 0) throw std::invalid_argument("-n must be zero or more");
  validate(o.sampler);
  args = rest;
  return o;
}

const char* model_options_usage() {
  static const std::string text = std::string(
      "model options:\n"
      "  -m, --model FILE        GGUF model (default: the bundled model in assets/)\n"
      "  --device INDEX|NAME     Vulkan device (default: MRROPE_DEVICE, else the most capable)\n"
      "  -c, --ctx-size N        context (KV cache) size; default: what the input needs\n"
      "  -b, --batch-size N      prefill chunk (default: 512 on a CPU device, up to 4096 on a GPU with the memory)\n") + kv_cache_flags_usage() + std::string(
      "  -n, --n-predict N       tokens to generate (default 128)\n"
      "sampling:\n"
      "  --temp T (0 = greedy) --top-k K --top-p P --min-p P --repeat-penalty R --repeat-last-n N --seed S\n"
      "  --stop TEXT             stop when TEXT is generated (repeatable)\n"
      "  --chat-template NAME    none|llama2|llama3|chatml (default: detected from tokenizer.chat_template)\n") + rope_cli_usage();
  return text.c_str();
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
