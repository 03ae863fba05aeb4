#include "tokenizer/vocab.h"

#include <algorithm>
#include <stdexcept>

#include "tokenizer/pretokenize.h"

namespace mrrope::tok {

std::vector<TokenId> Vocab::eog_ids() const {
  std::vector<TokenId> ids;
  for (TokenId id : {eos_id, eot_id, eom_id})
    if (id != kNoToken && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  return ids;
}

namespace {

bool is_llama3_pre(const std::string& p) {
  return p == "llama3" || p == "llama-v3" || p == "llama-bpe" || p == "falcon3" || p == "pixtral";
}
bool is_qwen2_pre(const std::string& p) { return p == "qwen2" || p == "deepseek-r1-qwen"; }

}  // namespace

Vocab build_vocab(const std::string& model_name, const std::string& pre, std::vector<std::string> tokens,
                  std::vector<float> scores, std::vector<TokenType> types, std::vector<std::string> merges,
                  const VocabSettings& s) {
  Vocab v;
  v.model_name = model_name;
  v.pre = pre;
  if (model_name == "llama") {
    v.model = VocabModel::Spm;
    v.bos_id = 1;
    v.eos_id = 2;
    v.unk_id = 0;
    v.add_bos = true;
    v.add_space_prefix = true;
  } else if (model_name == "gpt2") {
    v.model = VocabModel::Bpe;
    v.bos_id = 11;
    v.eos_id = 11;
    v.clean_spaces = true;
    // An unknown pre-tokenizer is refused here, with the file's name, rather
    // than when the tokenizer is built (llama.cpp refuses it too).
    try {
      (void)pre_tokenizer_from_name(pre);
    } catch (const std::invalid_argument& e) {
      throw TokenizerError(e.what());
    }
    if (is_llama3_pre(pre)) {
      v.ignore_merges = true;
      v.add_bos = true;
    } else if (is_qwen2_pre(pre) || is_gpt4o_pre_name(pre)) {
      v.clean_spaces = false;
    }
  } else {
    throw TokenizerError("unsupported tokenizer model '" + model_name + "' (supported: llama, gpt2)");
  }
  if (tokens.empty()) throw TokenizerError("vocabulary has no tokens");
  if (std::all_of(tokens.begin(), tokens.end(), [](const std::string& t) { return t.empty(); }))
    throw TokenizerError("vocabulary: all " + std::to_string(tokens.size()) + " tokens are empty strings");
  if (!scores.empty() && scores.size() != tokens.size())
    throw TokenizerError("vocabulary has " + std::to_string(scores.size()) + " scores for " +
                         std::to_string(tokens.size()) + " tokens");
  if (types.empty()) types.assign(tokens.size(), TokenType::Normal);  // llama.cpp's default
  if (types.size() != tokens.size())
    throw TokenizerError("vocabulary has " + std::to_string(types.size()) + " token types for " +
                         std::to_string(tokens.size()) + " tokens");
  for (TokenType& t : types)
    if (int32_t(t) < 0 || int32_t(t) > 6) t = TokenType::Undefined;
  if (v.model == VocabModel::Bpe && merges.empty()) throw TokenizerError("BPE vocabulary has no merges");
  v.tokens = std::move(tokens);
  v.scores = std::move(scores);
  v.types = std::move(types);
  v.merges = std::move(merges);

  if (s.add_space_prefix) v.add_space_prefix = *s.add_space_prefix;
  // BOS and EOS outside the vocabulary are refused (llama.cpp warns and keeps
  // its default, which silently turns them into another token); the other
  // special ids keep the default, as there.
  auto set_id = [&](TokenId& dst, const std::optional<TokenId>& src) {
    if (src && v.valid(*src)) dst = *src;
  };
  auto require_in_vocab = [&](const char* what, const std::optional<TokenId>& id) {
    if (id && !v.valid(*id))
      throw TokenizerError(std::string(what) + " token id " + std::to_string(*id) + " is outside the vocabulary of " +
                           std::to_string(v.tokens.size()) + " tokens");
  };
  require_in_vocab("BOS", s.bos);
  require_in_vocab("EOS", s.eos);
  set_id(v.bos_id, s.bos);
  set_id(v.eos_id, s.eos);
  set_id(v.eot_id, s.eot);
  set_id(v.eom_id, s.eom);
  set_id(v.unk_id, s.unk);
  set_id(v.sep_id, s.sep);
  set_id(v.pad_id, s.pad);
  if (s.add_bos) v.add_bos = *s.add_bos;
  if (s.add_eos) v.add_eos = *s.add_eos;
  if (v.add_bos && !v.valid(v.bos_id)) throw TokenizerError("vocabulary adds BOS but has no valid BOS token");
  if (v.add_eos && !v.valid(v.eos_id)) throw TokenizerError("vocabulary adds EOS but has no valid EOS token");

  // llama.cpp finds the end-of-turn token by its text when the file names none,
  // and treats it as a control token even when the file says otherwise.
  if (v.eot_id == kNoToken) {
    static const char* const kEotTexts[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
                                            "<|endoftext|>", "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>"};
    for (const char* text : kEotTexts) {
      auto it = std::find(v.tokens.begin(), v.tokens.end(), text);
      if (it != v.tokens.end()) {
        v.eot_id = TokenId(it - v.tokens.begin());
        break;
      }
    }
  }
  if (v.eot_id != kNoToken && v.types[size_t(v.eot_id)] != TokenType::Control)
    v.types[size_t(v.eot_id)] = TokenType::Control;
  return v;
}

}  // namespace mrrope::tok
