// Vocabulary from GGUF metadata, with llama.cpp's key names.
#include <limits>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/vocab.h"

namespace mrrope::tok {

namespace {

// A token id as written: values that no int32 holds are refused, not truncated.
std::optional<TokenId> id_key(const GgufFile& f, const std::string& key) {
  std::optional<int64_t> v = f.get_int(key);
  if (!v) return std::nullopt;
  if (*v < 0 || *v > std::numeric_limits<int32_t>::max())
    throw TokenizerError(key + " = " + std::to_string(*v) + " is not a token id");
  return TokenId(*v);
}

std::optional<bool> bool_key(const GgufFile& f, const std::string& key) {
  if (!f.has(key)) return std::nullopt;
  return f.get_bool(key, false);
}

}  // namespace

Vocab load_vocab(const GgufFile& f) {
  try {
    const std::string model = f.get_string("tokenizer.ggml.model");
    if (model.empty()) throw TokenizerError("no tokenizer.ggml.model key");
    const std::string pre = f.get_string("tokenizer.ggml.pre");
    std::vector<std::string> tokens = f.get_string_array("tokenizer.ggml.tokens");
    std::vector<float> scores = f.get_float_array("tokenizer.ggml.scores");
    std::vector<TokenType> types;
    for (int64_t t : f.get_int_array("tokenizer.ggml.token_type")) types.push_back(TokenType(int32_t(t)));
    std::vector<std::string> merges = f.get_string_array("tokenizer.ggml.merges");

    VocabSettings s;
    s.bos = id_key(f, "tokenizer.ggml.bos_token_id");
    s.eos = id_key(f, "tokenizer.ggml.eos_token_id");
    s.eot = id_key(f, "tokenizer.ggml.eot_token_id");
    s.eom = id_key(f, "tokenizer.ggml.eom_token_id");
    s.unk = id_key(f, "tokenizer.ggml.unknown_token_id");
    s.sep = id_key(f, "tokenizer.ggml.seperator_token_id");  // sic: llama.cpp's spelling
    s.pad = id_key(f, "tokenizer.ggml.padding_token_id");
    s.add_bos = bool_key(f, "tokenizer.ggml.add_bos_token");
    s.add_eos = bool_key(f, "tokenizer.ggml.add_eos_token");
    s.add_space_prefix = bool_key(f, "tokenizer.ggml.add_space_prefix");

    Vocab v = build_vocab(model, pre, std::move(tokens), std::move(scores), std::move(types), std::move(merges), s);
    v.chat_template = f.get_string("tokenizer.chat_template");
    return v;
  } catch (const TokenizerError& e) {
    throw TokenizerError(f.path() + ": " + e.what());
  } catch (const GgufError& e) {
    throw TokenizerError(std::string("tokenizer metadata: ") + e.what());
  }
}

void write_vocab_metadata(GgufWriter& w, const Vocab& v) {
  w.set_string("tokenizer.ggml.model", v.model_name);
  if (!v.pre.empty()) w.set_string("tokenizer.ggml.pre", v.pre);
  w.set_string_array("tokenizer.ggml.tokens", v.tokens);
  if (!v.scores.empty()) w.set_f32_array("tokenizer.ggml.scores", v.scores);
  std::vector<int32_t> types;
  types.reserve(v.types.size());
  for (TokenType t : v.types) types.push_back(int32_t(t));
  w.set_i32_array("tokenizer.ggml.token_type", types);
  if (!v.merges.empty()) w.set_string_array("tokenizer.ggml.merges", v.merges);
  auto set_id = [&](const char* key, TokenId id) {
    if (id != kNoToken) w.set_u32(key, uint32_t(id));
  };
  set_id("tokenizer.ggml.bos_token_id", v.bos_id);
  set_id("tokenizer.ggml.eos_token_id", v.eos_id);
  set_id("tokenizer.ggml.eot_token_id", v.eot_id);
  set_id("tokenizer.ggml.eom_token_id", v.eom_id);
  set_id("tokenizer.ggml.unknown_token_id", v.unk_id);
  set_id("tokenizer.ggml.seperator_token_id", v.sep_id);
  set_id("tokenizer.ggml.padding_token_id", v.pad_id);
  w.set_bool("tokenizer.ggml.add_bos_token", v.add_bos);
  w.set_bool("tokenizer.ggml.add_eos_token", v.add_eos);
  w.set_bool("tokenizer.ggml.add_space_prefix", v.add_space_prefix);
  if (!v.chat_template.empty()) w.set_string("tokenizer.chat_template", v.chat_template);
}

}  // namespace mrrope::tok
