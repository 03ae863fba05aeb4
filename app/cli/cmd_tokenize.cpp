// mrrope-cli tokenize FILE TEXT: token ids and pieces, exactly as llama.cpp
// would produce them (llama-tokenize). FILE is a GGUF model or vocabulary, or
// a Hugging Face tokenizer.json with --pre NAME.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "command.h"
#include "gguf/gguf_file.h"
#include "options/option_table.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace mrrope::cli {
namespace {

struct TokenizeArgs {
  std::string text_path, pre;
  bool add_special = true, parse_special = false, ids_only = false, help = false;
};

OptionTable tokenize_options(TokenizeArgs& a) {
  OptionTable table("mrrope-cli help tokenize");
  table.store({"--file"}, "PATH", "read the text from PATH instead of the command line", &a.text_path);
  table.store({"--pre"}, "NAME", "pre-tokenizer of a tokenizer.json: llama-bpe, qwen2, gpt-4o or gpt-2", &a.pre);
  table.flag({"--no-bos"}, "do not add BOS/EOS even when the vocabulary asks for them", [&a] { a.add_special = false; });
  table.store_true({"--parse-special"}, "turn the text of control tokens (e.g. <|eot_id|>) into those tokens",
                   &a.parse_special);
  table.store_true({"--ids-only"}, "print only the id list", &a.ids_only);
  table.help_option(&a.help);
  return table;
}

std::string tokenize_help() {
  TokenizeArgs unused;
  return "mrrope-cli tokenize FILE (TEXT | --file PATH) [options]\n"
         "  FILE  GGUF model/vocabulary, or tokenizer.json (then --pre)\n" + tokenize_options(unused).help();
}

// Printable form of a piece: escapes control bytes and invalid UTF-8.
std::string escape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t bad = 0;
    bool truncated = false;
    const size_t n = tok::utf8_check_sequence(s, i, bad, truncated);
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (n == 1 && c == '\n') out += "\\n";
    else if (n == 1 && c == '\t') out += "\\t";
    else if (n == 1 && c == '\r') out += "\\r";
    else if (n == 1 && c == '\'') out += "\\'";
    else if (n == 1 && c == '\\') out += "\\\\";
    else if (n > 1 || (n == 1 && c >= 0x20 && c != 0x7f)) out.append(s, i, n);
    else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      i += 1;
      continue;
    }
    i += n;
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int run_tokenize(const std::vector<std::string>& args) {
  TokenizeArgs a;
  std::vector<std::string> positional;
  tokenize_options(a).parse(args, &positional);
  if (a.help) return print_command_help("tokenize");
  const std::string &text_path = a.text_path, &pre = a.pre;
  if (positional.empty() || positional.size() > 2 || (positional.size() == 2) == !text_path.empty()) {
    std::fprintf(stderr, "usage: %s", tokenize_help().c_str());
    return 2;
  }
  const std::string model_path = positional[0];
  const std::string text = text_path.empty() ? positional[1] : read_file(text_path);
  size_t bad_at = 0;
  if (!tok::is_valid_utf8(text, &bad_at)) {
    std::fprintf(stderr, "mrrope-cli tokenize: error: the text is not valid UTF-8 (byte offset %zu)\n", bad_at);
    return 1;
  }

  tok::Vocab vocab;
  if (ends_with(model_path, ".json")) {
    if (pre.empty()) {
      std::fprintf(stderr, "mrrope-cli tokenize: a tokenizer.json needs --pre (llama-bpe, qwen2, gpt-4o or gpt-2)\n");
      return 2;
    }
    // BOS/EOS and add_bos_token live in tokenizer_config.json beside it.
    const std::string dir = model_path.find('/') == std::string::npos ? "." : model_path.substr(0, model_path.rfind('/'));
    const std::string config = dir + "/tokenizer_config.json";
    vocab = tok::import_hf_tokenizer_file(model_path, pre, std::ifstream(config).good() ? config : "");
  } else {
    vocab = tok::load_vocab(GgufFile::open(model_path));
  }
  const tok::Tokenizer tokenizer(std::move(vocab));
  const std::vector<tok::TokenId> ids = tokenizer.tokenize(text, a.add_special, a.parse_special);

  std::string list = "[";
  for (size_t i = 0; i < ids.size(); ++i) list += (i ? ", " : "") + std::to_string(ids[i]);
  std::printf("%s]\n", list.c_str());
  if (a.ids_only) return 0;
  for (tok::TokenId id : ids)
    std::printf("%6d -> '%s'\n", id, escape(tokenizer.token_to_piece(id, true)).c_str());
  std::printf("%zu tokens, %zu bytes\n", ids.size(), text.size());
  return 0;
}

}  // namespace

MRROPE_CLI_COMMAND(tokenize, "tokenize", "print the token ids and pieces of a text (as llama.cpp would)",
                   tokenize_help, run_tokenize);

}  // namespace mrrope::cli
