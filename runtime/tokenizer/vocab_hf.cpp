// Vocabulary from a Hugging Face tokenizer.json (+ tokenizer_config.json),
// mirroring what llama.cpp's convert_hf_to_gguf.py writes for BPE models.
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "tokenizer/json.h"
#include "tokenizer/vocab.h"

namespace mrrope::tok {

namespace {

// convert_hf_to_gguf.py's does_token_look_special().
bool looks_special(const std::string& t) {
  auto wrapped = [&](std::string_view open, std::string_view close) {
    return t.size() >= open.size() + close.size() && t.compare(0, open.size(), open) == 0 &&
           t.compare(t.size() - close.size(), close.size(), close) == 0;
  };
  return t == "<pad>" || t == "<mask>" || t == "<2mass>" || t == "[@BOS@]" || wrapped("<|", "|>") ||
         wrapped("<｜", "｜>") || wrapped("<unused", ">");
}

// A special token in tokenizer_config.json: "text" or {"content": "text", ...}.
std::optional<std::string> token_text(const JsonValue* v) {
  if (!v) return std::nullopt;
  if (v->is_string()) return v->string;
  if (v->is_object())
    if (const JsonValue* c = v->find("content"); c && c->is_string()) return c->string;
  return std::nullopt;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TokenizerError("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Vocab import_hf_tokenizer(std::string_view tokenizer_json, const std::string& pre,
                          std::string_view tokenizer_config_json) {
  const JsonValue root = parse_json(tokenizer_json);
  const JsonValue* model = root.find("model");
  if (!model || !model->is_object()) throw TokenizerError("tokenizer.json: no \"model\" object");
  const JsonValue* type = model->find("type");
  if (!type || !type->is_string() || type->string != "BPE")
    throw TokenizerError("tokenizer.json: only BPE models can be imported");
  const JsonValue* vocab = model->find("vocab");
  const JsonValue* merges = model->find("merges");
  if (!vocab || !vocab->is_object() || !merges || !merges->is_array())
    throw TokenizerError("tokenizer.json: model needs \"vocab\" and \"merges\"");

  struct Entry {
    std::string text;
    bool added = false, special = false;
    bool present = false;
  };
  std::vector<Entry> entries;
  auto place = [&](double id_num, const std::string& text) -> Entry& {
    if (id_num < 0 || id_num > 16e6) throw TokenizerError("tokenizer.json: token id out of range");
    size_t id = size_t(id_num);
    if (id >= entries.size()) entries.resize(id + 1);
    entries[id].text = text;
    entries[id].present = true;
    return entries[id];
  };
  for (const auto& [text, id] : vocab->object) place(id.number, text);
  if (const JsonValue* added = root.find("added_tokens"); added && added->is_array()) {
    for (const JsonValue& a : added->array) {
      const JsonValue* id = a.find("id");
      const JsonValue* content = a.find("content");
      if (!id || !content || !content->is_string()) throw TokenizerError("tokenizer.json: bad added token");
      Entry& e = place(id->number, content->string);
      e.added = true;
      const JsonValue* special = a.find("special");
      e.special = special && special->boolean;
    }
  }

  std::vector<std::string> tokens;
  std::vector<TokenType> types;
  tokens.reserve(entries.size());
  types.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (!e.present) {
      tokens.push_back("[PAD" + std::to_string(i) + "]");
      types.push_back(TokenType::Unused);
    } else if (e.added) {
      tokens.push_back(e.text);
      types.push_back(e.special || looks_special(e.text) ? TokenType::Control : TokenType::UserDefined);
    } else {
      tokens.push_back(e.text);
      types.push_back(TokenType::Normal);
    }
  }

  std::vector<std::string> merge_list;
  merge_list.reserve(merges->array.size());
  for (const JsonValue& m : merges->array) {
    if (m.is_string()) merge_list.push_back(m.string);
    else if (m.is_array() && m.array.size() == 2) merge_list.push_back(m.array[0].string + " " + m.array[1].string);
    else throw TokenizerError("tokenizer.json: bad merge entry");
  }

  VocabSettings s;
  std::string chat_template;
  if (!tokenizer_config_json.empty()) {
    const JsonValue cfg = parse_json(tokenizer_config_json);
    std::unordered_map<std::string, TokenId> by_text;
    for (size_t i = 0; i < tokens.size(); ++i) by_text.emplace(tokens[i], TokenId(i));
    auto lookup = [&](const char* key) -> std::optional<TokenId> {
      std::optional<std::string> t = token_text(cfg.find(key));
      if (!t) return std::nullopt;
      auto it = by_text.find(*t);
      if (it == by_text.end()) return std::nullopt;
      return it->second;
    };
    s.bos = lookup("bos_token");
    s.eos = lookup("eos_token");
    s.unk = lookup("unk_token");
    s.pad = lookup("pad_token");
    if (const JsonValue* b = cfg.find("add_bos_token"); b && b->kind == JsonValue::Kind::Bool) s.add_bos = b->boolean;
    if (const JsonValue* b = cfg.find("add_eos_token"); b && b->kind == JsonValue::Kind::Bool) s.add_eos = b->boolean;
    if (const JsonValue* t = cfg.find("chat_template")) {
      if (t->is_string()) {
        chat_template = t->string;
      } else if (t->is_array()) {  // [{"name": "default", "template": "..."}, ...]
        for (const JsonValue& named : t->array) {
          const JsonValue* name = named.find("name");
          const JsonValue* body = named.find("template");
          if (name && body && name->string == "default") chat_template = body->string;
        }
      }
    }
  }

  Vocab v = build_vocab("gpt2", pre, std::move(tokens), {}, std::move(types), std::move(merge_list), s);
  v.chat_template = std::move(chat_template);
  return v;
}

Vocab import_hf_tokenizer_file(const std::string& tokenizer_json_path, const std::string& pre,
                               const std::string& tokenizer_config_path) {
  const std::string json = read_file(tokenizer_json_path);
  const std::string config = tokenizer_config_path.empty() ? std::string() : read_file(tokenizer_config_path);
  try {
    return import_hf_tokenizer(json, pre, config);
  } catch (const TokenizerError& e) {
    throw TokenizerError(tokenizer_json_path + ": " + e.what());
  }
}

}  // namespace mrrope::tok
