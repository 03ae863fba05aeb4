// Every test string of llama.cpp's vocab fixtures must give exactly llama.cpp's
// ids. The .out files come from test-tokenizer-0, which tokenizes with
// add_special = false and parse_special = false.
#include <sstream>

#include "test_tokenizer_common.h"

namespace mrrope::tok {
namespace {

using testing::load_cases;

std::string ids_text(const std::vector<TokenId>& ids) {
  std::ostringstream s;
  for (size_t i = 0; i < ids.size(); ++i) s << (i ? " " : "") << ids[i];
  return s.str();
}

void check_fixture(const Tokenizer& tok, const std::string& name) {
  const auto cases = load_cases(name);
  ASSERT_EQ(cases.size(), 46u) << name;
  size_t passed = 0;
  for (const auto& c : cases) {
    const std::vector<TokenId> got = tok.tokenize(c.text, false, false);
    if (got == c.ids) ++passed;
    else
      ADD_FAILURE() << name << ": mismatch for string [" << c.text << "]\n  expected: " << ids_text(c.ids)
                    << "\n  got:      " << ids_text(got);
  }
  std::printf("[ fixture  ] %s: %zu/%zu strings match llama.cpp\n", name.c_str(), passed, cases.size());
}

TEST(TokFixtures, LlamaSpm) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "llama-spm");
  check_fixture(*tok, "llama-spm");
}

TEST(TokFixtures, Gpt2) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "gpt-2");
  check_fixture(*tok, "gpt-2");
}

TEST(TokFixtures, LlamaBpe) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "llama-bpe");
  check_fixture(*tok, "llama-bpe");
}

TEST(TokFixtures, Qwen2) {
  MRROPE_LOAD_TOKENIZER_OR_SKIP(tok, "qwen2");
  check_fixture(*tok, "qwen2");
}

}  // namespace
}  // namespace mrrope::tok
