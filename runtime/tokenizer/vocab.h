#pragma once
// A tokenizer vocabulary as llama.cpp holds it: tokens, scores, token types,
// BPE merges, special token ids and flags. Loaded from GGUF metadata
// (tokenizer.ggml.*) or imported from a Hugging Face tokenizer.json; both paths
// apply llama.cpp's defaults so that the same model tokenizes identically.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mrrope {
class GgufFile;
class GgufWriter;
}

namespace mrrope::tok {

class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using TokenId = int32_t;
constexpr TokenId kNoToken = -1;

// GGUF tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : int32_t {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
};

enum class VocabModel {
  Spm,  // tokenizer.ggml.model = "llama": SentencePiece with byte fallback
  Bpe,  // tokenizer.ggml.model = "gpt2": byte-level BPE
};

struct Vocab {
  VocabModel model = VocabModel::Spm;
  std::string model_name;  // "llama" or "gpt2", as in the file
  std::string pre;         // tokenizer.ggml.pre (BPE pre-tokenizer), e.g. "llama-bpe"

  std::vector<std::string> tokens;
  std::vector<float> scores;     // empty or one per token
  std::vector<TokenType> types;  // one per token
  std::vector<std::string> merges;  // BPE: "left right", in rank order

  TokenId bos_id = kNoToken;
  TokenId eos_id = kNoToken;
  TokenId eot_id = kNoToken;  // end of turn (<|eot_id|>, <|im_end|>, ...)
  TokenId eom_id = kNoToken;
  TokenId unk_id = kNoToken;
  TokenId sep_id = kNoToken;
  TokenId pad_id = kNoToken;

  bool add_bos = false;
  bool add_eos = false;
  bool add_space_prefix = false;  // SPM: prepend a space to the text
  bool ignore_merges = false;     // BPE (Llama 3): whole words that are tokens skip merging
  bool clean_spaces = false;      // detokenize: remove spaces before punctuation (" ," -> ",")

  std::string chat_template;  // tokenizer.chat_template, may be empty

  size_t size() const { return tokens.size(); }
  TokenType type(TokenId id) const { return types[size_t(id)]; }
  bool valid(TokenId id) const { return id >= 0 && size_t(id) < tokens.size(); }
  // End-of-generation tokens (eos, eot, eom), without duplicates.
  std::vector<TokenId> eog_ids() const;
};

// Values a file states explicitly; unset ones take llama.cpp's defaults.
struct VocabSettings {
  std::optional<TokenId> bos, eos, eot, eom, unk, sep, pad;
  std::optional<bool> add_bos, add_eos, add_space_prefix;
};

// Builds a vocabulary the way llama.cpp's llama_vocab::load does: defaults per
// model ("llama": bos 1, eos 2, unk 0, add_bos, space prefix; "gpt2": bos = eos
// = 11, and per pre-tokenizer flags), then the settings, then end-of-turn
// detection by token text. Throws TokenizerError on inconsistent input.
Vocab build_vocab(const std::string& model_name, const std::string& pre, std::vector<std::string> tokens,
                  std::vector<float> scores, std::vector<TokenType> types, std::vector<std::string> merges,
                  const VocabSettings& settings);

// From a GGUF file's metadata (llama.cpp keys tokenizer.ggml.*).
Vocab load_vocab(const GgufFile& file);

// Writes the vocabulary as tokenizer.* metadata with llama.cpp's keys and
// types, so that load_vocab (and llama.cpp) read the same vocabulary back.
// Special ids are written only when set; flags always.
void write_vocab_metadata(GgufWriter& writer, const Vocab& vocab);

// From a Hugging Face tokenizer.json (BPE models only), with the pre-tokenizer
// name chosen by the caller ("llama-bpe", "qwen2", "gpt-2"). Added tokens become
// CONTROL when marked special (or look like <|...|>), else USER_DEFINED, as
// llama.cpp's convert_hf_to_gguf.py does; ids without a token become "[PADn]"
// (UNUSED). `tokenizer_config_json`, when given, supplies bos/eos tokens,
// add_bos_token/add_eos_token and the chat template.
Vocab import_hf_tokenizer(std::string_view tokenizer_json, const std::string& pre,
                          std::string_view tokenizer_config_json = {});
Vocab import_hf_tokenizer_file(const std::string& tokenizer_json_path, const std::string& pre,
                               const std::string& tokenizer_config_path = "");

}  // namespace mrrope::tok
