#include "gguf/model_hparams.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mrrope {
namespace {

// Architectures whose decoder we run; their core keys are required here so a
// broken file fails at load with the key's name, not later with garbage shapes.
bool is_checked_arch(const std::string& arch) {
  return arch == "llama" || arch == "qwen2" || arch == "qwen3" || arch == "phi3" || arch == "gemma2" ||
         arch == "gemma3";
}

class KeyReader {
 public:
  KeyReader(const GgufFile& f, const std::string& arch) : f_(f), arch_(arch) {}

  std::string key(const char* suffix) const { return arch_ + "." + suffix; }

  [[noreturn]] void fail(const std::string& what) const { throw GgufError(f_.path() + ": " + what); }

  // Scalar, or the largest element of a per-layer array (some models vary
  // head counts and FFN widths per layer).
  std::optional<int64_t> int_or_max(const char* suffix) const {
    const std::string k = key(suffix);
    const GgufValue* v = f_.find(k);
    if (v && v->type == GgufValueType::ARRAY) {
      const std::vector<int64_t> items = f_.get_int_array(k);
      if (items.empty()) fail("metadata key '" + k + "' is an empty array");
      return *std::max_element(items.begin(), items.end());
    }
    return f_.get_int(k);
  }

  int64_t required_int(const char* suffix, bool required) const {
    const std::optional<int64_t> v = int_or_max(suffix);
    if (!v && required) fail("missing required key '" + key(suffix) + "' for architecture " + arch_);
    if (v && *v < 0) fail("metadata key '" + key(suffix) + "' is negative (" + std::to_string(*v) + ")");
    return v.value_or(0);
  }

  // A float key's value when present; NaN and infinities are refused with the key's name.
  std::optional<double> opt_float(const char* suffix) const {
    const std::optional<double> v = f_.get_float(key(suffix));
    if (v && !std::isfinite(*v)) fail("metadata key '" + key(suffix) + "' is not a finite number (" + std::to_string(*v) + ")");
    return v;
  }

  // For keys whose absence means "use the default": written as 0, the file is broken.
  void refuse_zero(const char* suffix) const {
    const std::optional<int64_t> v = int_or_max(suffix);
    if (v && *v == 0) fail("metadata key '" + key(suffix) + "' is 0; leave it out for the default");
  }

 private:
  const GgufFile& f_;
  const std::string& arch_;
};

RopeScalingType parse_scaling(const GgufFile& f, const std::string& key, const std::string& s) {
  if (s == "none") return RopeScalingType::None;
  if (s == "linear") return RopeScalingType::Linear;
  if (s == "yarn") return RopeScalingType::Yarn;
  if (s == "longrope") return RopeScalingType::LongRope;
  throw GgufError(f.path() + ": metadata key '" + key + "' has unknown rope scaling type '" + s +
                  "' (expected none, linear, yarn or longrope)");
}

void read_rope(const GgufFile& f, const KeyReader& k, ModelHParams& hp) {
  RopeHParams& r = hp.rope;
  r.n_rot = k.required_int("rope.dimension_count", false);
  if (r.n_rot == 0) r.n_rot = hp.head_dim;
  r.freq_base = k.opt_float("rope.freq_base").value_or(10000.0);

  // llama.cpp: factor from rope.scaling.factor, else rope.scale_linear; 0 means none.
  double factor = k.opt_float("rope.scaling.factor").value_or(0.0);
  if (factor == 0.0) factor = k.opt_float("rope.scale_linear").value_or(0.0);
  r.scaling_factor = factor == 0.0 ? 1.0 : factor;
  const std::string type_key = k.key("rope.scaling.type");
  if (f.has(type_key)) {
    r.scaling_type = parse_scaling(f, type_key, f.get_string(type_key));
  } else {
    r.scaling_type = r.scaling_factor != 1.0 ? RopeScalingType::Linear : RopeScalingType::None;
  }
  r.original_ctx = k.required_int("rope.scaling.original_context_length", false);
  if (r.original_ctx == 0) r.original_ctx = hp.n_ctx_train;
  r.attn_factor = k.opt_float("rope.scaling.attn_factor").value_or(1.0);
  r.finetuned = f.get_bool(k.key("rope.scaling.finetuned"), false);
  r.yarn_ext_factor = k.opt_float("rope.scaling.yarn_ext_factor");
  r.yarn_attn_factor = k.opt_float("rope.scaling.yarn_attn_factor");
  r.yarn_beta_fast = k.opt_float("rope.scaling.yarn_beta_fast");
  r.yarn_beta_slow = k.opt_float("rope.scaling.yarn_beta_slow");
  r.has_rope_freqs = f.find_tensor("rope_freqs.weight") != nullptr;

  if (r.freq_base <= 0) k.fail("rope.freq_base must be positive, got " + std::to_string(r.freq_base));
  if (r.scaling_factor < 0) k.fail("rope scaling factor must be positive, got " + std::to_string(r.scaling_factor));
}

void summarize_tensors(const GgufFile& f, ModelHParams& hp) {
  for (const GgufTensorInfo& t : f.tensors()) {
    hp.n_params += t.elements();
    hp.n_bytes += t.bytes;
    const bool is_weight = t.ne.size() >= 2 && t.name.size() > 7 &&
                           t.name.compare(t.name.size() - 7, 7, ".weight") == 0;
    if (is_weight) ++hp.weight_types[t.type];
  }
  // Most tensors of one type; ties go to the type with the larger block (the
  // quantized one), since quantizers keep a few tensors in higher precision.
  int best = 0;
  for (const auto& [type, count] : hp.weight_types) {
    if (count > best || (count == best && ggml_traits(type).block_elems > 1)) {
      best = count;
      hp.quantization = std::string(ggml_type_name(type));
    }
  }
}

void validate_checked_arch(const KeyReader& k, const ModelHParams& hp) {
  if (hp.n_vocab <= 0) k.fail("no vocabulary size: neither tokenizer.ggml.tokens nor '" + k.key("vocab_size") + "'");
  for (auto [value, what] : {std::pair{hp.n_ctx_train, "context_length"}, {hp.n_embd, "embedding_length"},
                             {hp.n_layer, "block_count"}, {hp.n_ff, "feed_forward_length"},
                             {hp.n_head, "attention.head_count"}}) {
    if (value <= 0) k.fail("metadata key '" + k.key(what) + "' must be positive, got " + std::to_string(value));
  }
  // Sizes go on as 32-bit ints: larger values are refused as written, not truncated.
  for (auto [value, what] : {std::pair{hp.n_ctx_train, "context_length"}, {hp.n_embd, "embedding_length"},
                             {hp.n_layer, "block_count"}, {hp.n_ff, "feed_forward_length"},
                             {hp.n_head, "attention.head_count"}, {hp.n_head_kv, "attention.head_count_kv"},
                             {hp.head_dim, "attention.key_length"}, {hp.rope.n_rot, "rope.dimension_count"}}) {
    if (value > std::numeric_limits<int32_t>::max())
      k.fail("metadata key '" + k.key(what) + "' is " + std::to_string(value) + ", above the largest supported " +
             std::to_string(std::numeric_limits<int32_t>::max()));
  }
  if (hp.n_head_kv <= 0 || hp.n_head % hp.n_head_kv != 0)
    k.fail("attention.head_count_kv " + std::to_string(hp.n_head_kv) + " does not divide head_count " +
           std::to_string(hp.n_head));
  if (hp.head_dim <= 0) k.fail("head dimension is not positive");
  if (hp.rope.n_rot <= 0 || hp.rope.n_rot > hp.head_dim || hp.rope.n_rot % 2 != 0)
    k.fail("rope.dimension_count " + std::to_string(hp.rope.n_rot) + " must be even and at most the head dimension " +
           std::to_string(hp.head_dim));
  if (hp.rms_norm_eps <= 0) k.fail("attention.layer_norm_rms_epsilon must be positive");
  k.refuse_zero("attention.head_count_kv");
  k.refuse_zero("rope.dimension_count");
}

}  // namespace

const char* rope_scaling_name(RopeScalingType t) {
  switch (t) {
    case RopeScalingType::None: return "none";
    case RopeScalingType::Linear: return "linear";
    case RopeScalingType::Yarn: return "yarn";
    case RopeScalingType::LongRope: return "longrope";
  }
  return "?";
}

std::string llama_ftype_name(int64_t ftype) {
  // llama.h enum llama_ftype; ids 4-6 and 33-35 were removed upstream.
  static const std::map<int64_t, const char*> kNames = {
      {0, "ALL_F32"},        {1, "MOSTLY_F16"},     {2, "MOSTLY_Q4_0"},    {3, "MOSTLY_Q4_1"},
      {7, "MOSTLY_Q8_0"},    {8, "MOSTLY_Q5_0"},    {9, "MOSTLY_Q5_1"},    {10, "MOSTLY_Q2_K"},
      {11, "MOSTLY_Q3_K_S"}, {12, "MOSTLY_Q3_K_M"}, {13, "MOSTLY_Q3_K_L"}, {14, "MOSTLY_Q4_K_S"},
      {15, "MOSTLY_Q4_K_M"}, {16, "MOSTLY_Q5_K_S"}, {17, "MOSTLY_Q5_K_M"}, {18, "MOSTLY_Q6_K"},
      {19, "MOSTLY_IQ2_XXS"}, {20, "MOSTLY_IQ2_XS"}, {21, "MOSTLY_Q2_K_S"}, {22, "MOSTLY_IQ3_XS"},
      {23, "MOSTLY_IQ3_XXS"}, {24, "MOSTLY_IQ1_S"}, {25, "MOSTLY_IQ4_NL"}, {26, "MOSTLY_IQ3_S"},
      {27, "MOSTLY_IQ3_M"},  {28, "MOSTLY_IQ2_S"},  {29, "MOSTLY_IQ2_M"},  {30, "MOSTLY_IQ4_XS"},
      {31, "MOSTLY_IQ1_M"},  {32, "MOSTLY_BF16"},   {36, "MOSTLY_TQ1_0"},  {37, "MOSTLY_TQ2_0"},
  };
  // Converters may OR in 1024 (LLAMA_FTYPE_GUESSED).
  const int64_t base = ftype & ~int64_t(1024);
  auto it = kNames.find(base);
  if (it == kNames.end()) return "unknown (" + std::to_string(ftype) + ")";
  return std::string(it->second) + (base != ftype ? " (guessed)" : "");
}

ModelHParams ModelHParams::from_gguf(const GgufFile& f) {
  ModelHParams hp;
  hp.architecture = f.get_string("general.architecture");
  if (hp.architecture.empty()) throw GgufError(f.path() + ": missing required key 'general.architecture'");
  hp.name = f.get_string("general.name");
  const KeyReader k(f, hp.architecture);
  const bool required = is_checked_arch(hp.architecture);

  if (const GgufValue* tokens = f.find("tokenizer.ggml.tokens")) {
    if (tokens->type != GgufValueType::ARRAY)
      k.fail("metadata key 'tokenizer.ggml.tokens' has type " + std::string(gguf_value_type_name(tokens->type)) +
             ", expected an array");
    hp.n_vocab = static_cast<int64_t>(tokens->as_array().items.size());
  } else {
    hp.n_vocab = k.required_int("vocab_size", false);
  }
  hp.n_ctx_train = k.required_int("context_length", required);
  hp.n_embd = k.required_int("embedding_length", required);
  hp.n_layer = k.required_int("block_count", required);
  hp.n_ff = k.required_int("feed_forward_length", required);
  hp.n_head = k.required_int("attention.head_count", required);
  hp.n_head_kv = k.required_int("attention.head_count_kv", false);
  if (hp.n_head_kv == 0) hp.n_head_kv = hp.n_head;
  hp.head_dim = k.required_int("attention.key_length", false);
  if (hp.head_dim == 0 && hp.n_head > 0) {
    if (required && hp.n_embd % hp.n_head != 0)
      k.fail("embedding_length " + std::to_string(hp.n_embd) + " is not a multiple of head_count " +
             std::to_string(hp.n_head));
    hp.head_dim = hp.n_embd / hp.n_head;
  }
  hp.head_dim_v = k.required_int("attention.value_length", false);
  if (hp.head_dim_v == 0) hp.head_dim_v = hp.head_dim;
  hp.rms_norm_eps = k.opt_float("attention.layer_norm_rms_epsilon").value_or(1e-5);
  read_rope(f, k, hp);

  hp.file_type = f.get_int("general.file_type");
  if (hp.file_type) hp.file_type_name = llama_ftype_name(*hp.file_type);
  summarize_tensors(f, hp);

  if (required) validate_checked_arch(k, hp);
  return hp;
}

}  // namespace mrrope
