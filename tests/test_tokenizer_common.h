#pragma once
// Shared helpers of the tokenizer tests: llama.cpp's test vectors and the
// vocabularies they need (GGUF files in the shared fixtures; Hugging Face
// tokenizer.json files fetched by tools/fetch-tokenizer-fixtures.sh).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8_stream.h"

namespace mrrope::tok::testing {

inline std::string fixture_dir() { return MRROPE_TOKENIZER_FIXTURE_DIR; }

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TestCase {
  std::string text;
  std::vector<TokenId> ids;
};

// NAME.gguf.inp holds strings separated by "\n__ggml_vocab_test__\n";
// NAME.gguf.out one line of ids per string (llama.cpp's test-tokenizer-0 format).
inline std::vector<TestCase> load_cases(const std::string& name) {
  const std::string inp = read_text(fixture_dir() + "/ggml-vocab-" + name + ".gguf.inp");
  const std::string out = read_text(fixture_dir() + "/ggml-vocab-" + name + ".gguf.out");
  std::vector<TestCase> cases;
  const std::string sep = "\n__ggml_vocab_test__\n";
  for (size_t pos = 0; pos < inp.size();) {
    size_t next = inp.find(sep, pos);
    if (next == std::string::npos) break;
    cases.push_back({inp.substr(pos, next - pos), {}});
    pos = next + sep.size();
  }
  std::istringstream lines(out);
  std::string line;
  for (TestCase& c : cases) {
    if (!std::getline(lines, line)) break;
    std::istringstream ids(line);
    TokenId id;
    while (ids >> id) c.ids.push_back(id);
  }
  return cases;
}

// Where fetched tokenizer.json files live: $MRROPE_TOKENIZER_FIXTURES, else
// ~/.cache/mrrope/tokenizer (the fetch script's default).
inline std::string hf_fixture_dir() {
  if (const char* d = std::getenv("MRROPE_TOKENIZER_FIXTURES"); d && *d) return d;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.cache/mrrope/tokenizer";
}

inline bool fixtures_required() {
  const char* r = std::getenv("MRROPE_REQUIRE_FIXTURES");
  return r && std::string(r) == "1";
}

// One tokenizer per vocabulary, loaded once per test binary run.
// `package` is "llama3" or "qwen3" for tokenizer.json vocabularies.
inline std::shared_ptr<Tokenizer> load_named_tokenizer(const std::string& name, std::string* missing) {
  static std::map<std::string, std::shared_ptr<Tokenizer>> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  std::shared_ptr<Tokenizer> tok;
  if (name == "llama-spm" || name == "gpt-2") {
    GgufFile f = GgufFile::open(fixture_dir() + "/ggml-vocab-" + name + ".gguf");
    tok = std::make_shared<Tokenizer>(load_vocab(f));
  } else {
    const std::string package = name == "llama-bpe" ? "llama3" : "qwen3";
    const std::string path = hf_fixture_dir() + "/" + package + "/tokenizer.json";
    if (!std::filesystem::exists(path)) {
      *missing = path;
      return nullptr;
    }
    const std::string config = hf_fixture_dir() + "/" + package + "/tokenizer_config.json";
    tok = std::make_shared<Tokenizer>(
        import_hf_tokenizer_file(path, name, std::filesystem::exists(config) ? config : ""));
  }
  cache[name] = tok;
  return tok;
}

}  // namespace mrrope::tok::testing

// Loads a tokenizer into `tok`, or skips the test (fails under
// MRROPE_REQUIRE_FIXTURES=1) when its tokenizer.json was not fetched.
#define MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, name)                                                          \
  std::string missing_##tok;                                                                               \
  auto tok = ::mrrope::tok::testing::load_named_tokenizer(name, &missing_##tok);                          \
  if (!tok) {                                                                                              \
    if (::mrrope::tok::testing::fixtures_required())                                                       \
      FAIL() << "missing " << missing_##tok << " (run tools/fetch-tokenizer-fixtures.sh)";                \
    GTEST_SKIP() << "missing " << missing_##tok                                                            \
                 << "; run tools/fetch-tokenizer-fixtures.sh or set MRROPE_TOKENIZER_FIXTURES";            \
  }
