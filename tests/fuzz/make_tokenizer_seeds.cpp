// Writes small valid GGUF files with tokenizer metadata (llama-spm, gpt2 with
// the gpt-2 / llama-bpe / gpt-4o pre-tokenizers, qwen2, and a few odd but loadable
// variants) into a folder, to seed fuzz_tokenizer's corpus. Each file also
// holds "fuzz.texts", strings that fuzz_tokenizer tokenizes.
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "gguf/gguf_writer.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab.h"

using namespace mrrope;
using namespace mrrope::tok;

namespace {

const std::vector<std::string> kTexts = {"Hello world", "  hello\n\nworld 123 it's", "\xff\xc3 bad utf8",
                                         "<|im_start|>user hi<|im_end|>", "HelloWORLD DON'T a!!\n/b 1234"};

struct VocabBuilder {
  std::vector<std::string> tokens;
  std::vector<float> scores;
  std::vector<int32_t> types;
  void add(const std::string& text, TokenType type = TokenType::Normal, float score = 0.f) {
    tokens.push_back(text);
    types.push_back(int32_t(type));
    scores.push_back(score);
  }
};

GgufWriter llama_spm(bool byte_tokens) {
  VocabBuilder b;
  b.add("<unk>", TokenType::Unknown);
  b.add("<s>", TokenType::Control);
  b.add("</s>", TokenType::Control);
  if (byte_tokens) {
    static const char hex[] = "0123456789ABCDEF";
    for (int i = 0; i < 256; ++i) b.add(std::string("<0x") + hex[i >> 4] + hex[i & 15] + ">", TokenType::Byte);
  }
  const char* pieces[] = {"\xE2\x96\x81", "\xE2\x96\x81H", "\xE2\x96\x81w", "H", "e", "l", "o", "w", "r", "d",
                          "ll", "He", "ell", "orld", "\xE2\x96\x81Hello", "\xE2\x96\x81world", "1", "2", "3", "'",
                          "s", "t", "i", "\xE2\x96\x81\xE2\x96\x81", "\xe4\xbd\xa0"};
  float score = -1.f;
  for (const char* p : pieces) b.add(p, TokenType::Normal, score -= 0.5f);
  b.add("<|im_start|>", TokenType::UserDefined);
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_string_array("tokenizer.ggml.tokens", b.tokens);
  w.set_f32_array("tokenizer.ggml.scores", b.scores);
  w.set_i32_array("tokenizer.ggml.token_type", b.types);
  w.set_u32("tokenizer.ggml.bos_token_id", 1);
  w.set_u32("tokenizer.ggml.eos_token_id", 2);
  w.set_u32("tokenizer.ggml.unknown_token_id", 0);
  w.set_bool("tokenizer.ggml.add_bos_token", true);
  w.set_bool("tokenizer.ggml.add_eos_token", false);
  w.set_bool("tokenizer.ggml.add_space_prefix", true);
  w.set_string_array("fuzz.texts", kTexts);
  return w;
}

// Byte-level BPE: the 256 byte symbols, merges building a few words, and the
// special tokens of the model family.
GgufWriter gpt2(const std::string& pre, const std::vector<std::string>& specials, uint32_t bos, uint32_t eos) {
  VocabBuilder b;
  for (int i = 0; i < 256; ++i) b.add(byte_to_unicode(uint8_t(i)));
  const std::vector<std::string> merges = {"\xC4\xA0 w", "h e", "l l", "o r", "\xC4\xA0 t", "e l", "He l",
                                           "Hel l", "Hell o", "\xC4\xA0w or", "\xC4\xA0wor l", "\xC4\xA0worl d",
                                           "1 2", "12 3", "' s", "i t", "\xC4\xA0 \xC4\xA0", "\xC4\x8A \xC4\x8A"};
  for (const std::string& m : merges) {
    const size_t sp = m.find(' ');
    b.add(m.substr(0, sp) + m.substr(sp + 1));
  }
  for (const std::string& s : specials) b.add(s, TokenType::Control);
  GgufWriter w;
  w.set_string("general.architecture", pre == "qwen2" ? "qwen2" : pre == "gpt-4o" ? "phi3" : "llama");
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", pre);
  w.set_string_array("tokenizer.ggml.tokens", b.tokens);
  w.set_i32_array("tokenizer.ggml.token_type", b.types);
  w.set_string_array("tokenizer.ggml.merges", merges);
  const uint32_t first_special = uint32_t(b.tokens.size() - specials.size());
  w.set_u32("tokenizer.ggml.bos_token_id", first_special + bos);
  w.set_u32("tokenizer.ggml.eos_token_id", first_special + eos);
  w.set_string_array("fuzz.texts", kTexts);
  return w;
}

std::vector<std::pair<std::string, GgufWriter>> seeds() {
  std::vector<std::pair<std::string, GgufWriter>> out;
  out.emplace_back("llama-spm", llama_spm(true));
  out.emplace_back("llama-spm-no-bytes", llama_spm(false));
  out.emplace_back("gpt-2", gpt2("gpt-2", {"<|endoftext|>"}, 0, 0));
  out.emplace_back("llama-bpe", gpt2("llama-bpe", {"<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"}, 0, 1));
  out.emplace_back("qwen2", gpt2("qwen2", {"<|endoftext|>", "<|im_start|>", "<|im_end|>"}, 0, 0));
  out.emplace_back("gpt-4o", gpt2("gpt-4o", {"<|endoftext|>", "<|user|>", "<|assistant|>", "<|end|>"}, 0, 0));
  {
    GgufWriter w = gpt2("qwen2", {"<|endoftext|>", "<|im_start|>", "<|im_end|>"}, 0, 0);
    w.set_u32("tokenizer.ggml.eot_token_id", 258);
    w.set_u32("tokenizer.ggml.padding_token_id", 0);
    w.set_bool("tokenizer.ggml.add_bos_token", false);
    w.set_string("tokenizer.chat_template", "{% for m in messages %}{{ m.content }}{% endfor %}");
    out.emplace_back("qwen2-ids", std::move(w));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_tokenizer_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  try {
    for (auto& [name, w] : seeds()) w.write(dir + "/seed-vocab-" + name + ".gguf");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_tokenizer_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
