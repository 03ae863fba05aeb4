// mrrope-cli info FILE: what a GGUF file holds, without loading any weights.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "command.h"
#include "gguf/gguf_file.h"
#include "gguf/model_hparams.h"
#include "model/gpu_model.h"
#include "model/model_config.h"
#include "model/weight_support.h"
#include "options/option_table.h"

namespace mrrope::cli {
namespace {

constexpr size_t kMaxStringShown = 60;
constexpr size_t kMaxItemsShown = 5;

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < kMaxStringShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '"' || c == '\\') out += std::string("\\") + static_cast<char>(c);
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  out += "\"";
  if (s.size() > kMaxStringShown) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::string format_value(const GgufValue& v) {
  switch (v.type) {
    case GgufValueType::STRING: return quote(v.as_string());
    case GgufValueType::BOOL: return v.as_bool() ? "true" : "false";
    case GgufValueType::FLOAT32:
    case GgufValueType::FLOAT64: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.9g", v.as_float());
      return buf;
    }
    case GgufValueType::ARRAY: {
      const GgufArray& a = v.as_array();
      std::string out = std::string("[") + gguf_value_type_name(a.elem_type) + " x " + std::to_string(a.items.size()) +
                        "]";
      if (a.items.empty()) return out;
      out += " ";
      for (size_t i = 0; i < a.items.size() && i < kMaxItemsShown; ++i)
        out += (i ? ", " : "") + format_value(a.items[i]);
      if (a.items.size() > kMaxItemsShown) out += ", ...";
      return out;
    }
    default:
      return v.is_integer() && (v.type == GgufValueType::UINT64 || v.type == GgufValueType::UINT32 ||
                                v.type == GgufValueType::UINT16 || v.type == GgufValueType::UINT8)
                 ? std::to_string(v.as_uint())
                 : std::to_string(v.as_int());
  }
}

std::string format_shape(const std::vector<int64_t>& ne) {
  std::string out = "[";
  for (size_t i = 0; i < ne.size(); ++i) out += (i ? ", " : "") + std::to_string(ne[i]);
  return out + "]";
}

std::string human_bytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double x = static_cast<double>(n);
  int u = 0;
  while (x >= 1024 && u < 4) x /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.2f %s" : "%.0f %s", x, units[u]);
  return buf;
}

std::string human_count(int64_t n) {
  const char* units[] = {"", "K", "M", "B", "T"};
  double x = static_cast<double>(n);
  int u = 0;
  while (x >= 1000 && u < 4) x /= 1000, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.2f%s" : "%.0f%s", x, units[u]);
  return buf;
}

void print_hparams(const GgufFile& file) {
  std::printf("\nhyperparameters:\n");
  ModelHParams hp;
  try {
    hp = ModelHParams::from_gguf(file);
  } catch (const GgufError& e) {
    // The file itself is valid GGUF (a vocabulary-only file, say); say why and go on.
    std::printf("  unavailable: %s\n", e.what());
    return;
  }
  std::printf("  architecture     %s\n", hp.architecture.c_str());
  if (!hp.name.empty()) std::printf("  name             %s\n", hp.name.c_str());
  std::printf("  n_vocab          %" PRId64 "\n", hp.n_vocab);
  std::printf("  n_ctx_train      %" PRId64 "\n", hp.n_ctx_train);
  std::printf("  n_embd           %" PRId64 "\n", hp.n_embd);
  std::printf("  n_layer          %" PRId64 "\n", hp.n_layer);
  std::printf("  n_ff             %" PRId64 "\n", hp.n_ff);
  std::printf("  n_head / kv      %" PRId64 " / %" PRId64 "\n", hp.n_head, hp.n_head_kv);
  std::printf("  head_dim         %" PRId64 "\n", hp.head_dim);
  std::printf("  rms_norm_eps     %g\n", hp.rms_norm_eps);
  std::printf("  rope n_rot       %" PRId64 "\n", hp.rope.n_rot);
  std::printf("  rope freq_base   %g\n", hp.rope.freq_base);
  std::printf("  rope scaling     %s, factor %g, original ctx %" PRId64 ", attn_factor %g\n",
              rope_scaling_name(hp.rope.scaling_type), hp.rope.scaling_factor, hp.rope.original_ctx,
              hp.rope.attn_factor);
  auto show = [](const char* what, const std::optional<double>& v) {
    if (v) std::printf("  %-16s %g\n", what, *v);
  };
  show("yarn_ext_factor", hp.rope.yarn_ext_factor);
  show("yarn_attn_factor", hp.rope.yarn_attn_factor);
  show("yarn_beta_fast", hp.rope.yarn_beta_fast);
  show("yarn_beta_slow", hp.rope.yarn_beta_slow);
  std::printf("  rope_freqs       %s\n", hp.rope.has_rope_freqs ? "yes (rope_freqs.weight)" : "no");
  if (hp.file_type) std::printf("  file_type        %" PRId64 " (%s)\n", *hp.file_type, hp.file_type_name.c_str());
  if (!hp.quantization.empty()) std::printf("  quantization     %s\n", hp.quantization.c_str());
  // Which layers a RoPE method extends (gemma3: global ones only); nothing
  // when the decoder refuses the file (print_support says why).
  try {
    const std::string note = ModelConfig::from_gguf(file).rope_extension_note();
    if (!note.empty()) std::printf("  rope layers      %s\n", note.c_str());
  } catch (const std::exception&) {
  }
}

// Tensors per weight type, whether the decoder reads each, and whether it
// would take the file at all: what a user needs before waiting on a load.
void print_support(const GgufFile& file) {
  const std::vector<WeightTypeUse> uses = weight_type_uses(file);
  std::printf("\nweight types:\n");
  int unsupported = 0;
  std::string unsupported_names;
  for (const WeightTypeUse& u : uses) {
    std::printf("  %-8s %5d tensor%s %12s  %s", std::string(ggml_type_name(u.type)).c_str(), u.tensors,
                u.tensors == 1 ? " " : "s", human_bytes(u.bytes).c_str(), u.supported ? "supported" : "NOT supported");
    if (!u.supported) {
      std::printf(" (e.g. '%s')", printable(u.first_tensor).c_str());
      unsupported += u.tensors;
      unsupported_names += (unsupported_names.empty() ? "" : ", ") + std::string(ggml_type_name(u.type));
    }
    std::printf("\n");
  }
  if (unsupported == 0) std::printf("every tensor's type is supported\n");
  else
    std::printf("%d tensor%s of type %s, which this decoder does not read yet\n", unsupported,
                unsupported == 1 ? " is" : "s are", unsupported_names.c_str());
  const std::string refusal = decoder_refusal(file);
  if (refusal.empty()) std::printf("decoder: this file loads\n");
  else std::printf("decoder: refused: %s\n", refusal.c_str());
}

// Device memory the decoder would take for this file (model/gpu_model.h's
// estimate_memory, F16 KV cache, the smallest automatic prefill chunk) at the
// training context and at 128K tokens: as every job sizes it, sliding-window
// layers in window-sized rings (GpuModelOptions::window_kv_cache), and, where
// that differs, with full-length K/V for them (--no-kv-rings). Nothing when the
// decoder refuses the file.
void print_memory(const GgufFile& file) {
  ModelConfig c;
  ModelTensors t;
  try {
    c = ModelConfig::from_gguf(file);
    t = ModelTensors::bind(file, c);
  } catch (const std::exception&) {
    return;
  }
  GpuModelOptions o;
  o.max_batch = kMinAutoChunk;
  std::printf("\nmemory estimate (F16 KV cache, prefill chunks of %d):\n", kMinAutoChunk);
  std::printf("  weights          %s\n", human_bytes(estimate_memory(c, t, o).weights).c_str());
  std::vector<int> contexts{c.n_ctx_train};
  if (c.n_ctx_train != 131072) contexts.push_back(131072);
  for (int n_ctx : contexts) {
    if (n_ctx <= 0) continue;
    o.n_ctx = n_ctx;
    o.window_kv_cache = true;
    const MemoryEstimate rings = estimate_memory(c, t, o);
    o.window_kv_cache = false;
    const MemoryEstimate full = estimate_memory(c, t, o);
    std::printf("  %7d tokens   KV cache %s, scratch %s, total %s", n_ctx, human_bytes(rings.kv_cache).c_str(),
                human_bytes(rings.scratch).c_str(), human_bytes(rings.total()).c_str());
    if (rings.kv_cache != full.kv_cache)
      std::printf(" (sliding-window layers in rings of %d rows; --no-kv-rings: KV cache %s, total %s)",
                  std::min(n_ctx, c.swa_window + kMinAutoChunk - 1), human_bytes(full.kv_cache).c_str(),
                  human_bytes(full.total()).c_str());
    std::printf("\n");
  }
}

OptionTable info_options(bool* help) {
  OptionTable table("mrrope-cli help info");
  table.help_option(help);
  return table;
}

std::string info_help() {
  bool unused = false;
  return "mrrope-cli info FILE.gguf\n" + info_options(&unused).help();
}

int run_info(const std::vector<std::string>& args) {
  bool help = false;
  std::vector<std::string> files;
  info_options(&help).parse(args, &files);
  if (help) return print_command_help("info");
  if (files.size() != 1) {
    std::fprintf(stderr, "usage: mrrope-cli info FILE.gguf\n");
    return 2;
  }
  const GgufFile file = GgufFile::open(files[0]);
  std::printf("file: %s\n", file.path().c_str());
  std::printf("GGUF version %u, %s, alignment %" PRIu64 ", data at offset %" PRIu64 "\n", file.version(),
              human_bytes(file.file_size()).c_str(), file.alignment(), file.data_offset());

  std::printf("\nmetadata (%zu keys):\n", file.metadata().size());
  for (const auto& [key, value] : file.metadata())
    std::printf("  %-40s %-8s %s\n", key.c_str(), gguf_value_type_name(value.type), format_value(value).c_str());

  print_hparams(file);

  std::printf("\ntensors (%zu):\n", file.tensors().size());
  int64_t n_params = 0;
  uint64_t n_bytes = 0;
  if (!file.tensors().empty())
    std::printf("  %-40s %-8s %-28s %12s\n", "name", "type", "shape", "bytes");
  for (const GgufTensorInfo& t : file.tensors()) {
    std::printf("  %-40s %-8s %-28s %12" PRIu64 "\n", t.name.c_str(), std::string(ggml_type_name(t.type)).c_str(),
                format_shape(t.ne).c_str(), t.bytes);
    n_params += t.elements();
    n_bytes += t.bytes;
  }
  std::printf("\ntotal: %" PRId64 " parameters (%s), %s of tensor data\n", n_params, human_count(n_params).c_str(),
              human_bytes(n_bytes).c_str());
  print_support(file);
  print_memory(file);
  return 0;
}

}  // namespace

MRROPE_CLI_COMMAND(info, "info", "show a GGUF file's metadata, hyperparameters, tensors and whether their types are supported",
                   info_help, run_info);

}  // namespace mrrope::cli
