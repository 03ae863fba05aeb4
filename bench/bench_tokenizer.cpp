// Tokenizer throughput: 1 MB of English text per vocabulary (llama-spm and
// gpt-2 from the shared GGUF fixtures; llama-bpe and qwen2 from fetched
// tokenizer.json files when present). Prints MB/s and seconds per MB.
//
//   bench-tokenizer [MEGABYTES]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "options/option_table.h"
#include "tokenizer/tokenizer.h"

namespace {

using Clock = std::chrono::steady_clock;

// English prose with the usual mix of punctuation, numbers and line breaks;
// sentences are permuted so BPE sees varied words, deterministically.
std::string english_text(size_t bytes) {
  static const char* const kSentences[] = {
      "The committee met on Tuesday to review the quarterly budget, which had grown by 12.5% since March.",
      "She said, \"We'll need at least 3,000 volunteers before the festival opens on June 21st.\"",
      "In 1969, astronauts landed on the Moon; the mission lasted eight days, three hours and 18 minutes.",
      "Researchers found that long-context models often forget details in the middle of a document.",
      "It's not clear whether the bridge, built in the 1880s, can carry modern trucks safely.",
      "Please send the report to the editor by Friday afternoon, and don't forget the appendix.",
      "The river flooded twice last year, damaging roads, farms and several historic buildings downtown.",
      "According to the survey, 42 percent of respondents preferred trains over planes for short trips.",
      "He opened the old notebook and read: 'Everything we've built here belongs to the next generation.'",
      "Prices rose sharply in the autumn, while wages stayed flat for most workers in the region.",
      "The library's collection includes maps, letters and photographs from the early twentieth century.",
      "After a long debate, the council voted 7-2 to approve the new bicycle lanes on Main Street.",
  };
  constexpr size_t n = sizeof(kSentences) / sizeof(kSentences[0]);
  std::string text;
  text.reserve(bytes + 256);
  uint32_t state = 12345;
  size_t in_paragraph = 0;
  while (text.size() < bytes) {
    state = state * 1664525u + 1013904223u;
    text += kSentences[(state >> 16) % n];
    if (++in_paragraph == 5) {
      text += "\n\n";
      in_paragraph = 0;
    } else {
      text += ' ';
    }
  }
  text.resize(bytes);
  return text;
}

// The repository's copy of llama.cpp's tokenizer test vectors.
std::string fixture_dir() {
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" / "fixtures" / "tokenizer").string();
}

std::string hf_dir() {
  if (const char* d = std::getenv("MRROPE_TOKENIZER_FIXTURES"); d && *d) return d;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.cache/mrrope/tokenizer";
}

void bench(const char* name, const mrrope::tok::Tokenizer& tok, const std::string& text) {
  tok.tokenize("warm up", false, false);
  const auto t0 = Clock::now();
  const auto ids = tok.tokenize(text, false, false);
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  const double mb = double(text.size()) / 1e6;
  std::printf("%-10s %8.3f MB  %9zu tokens  %7.3f s  %7.2f MB/s  %6.3f s/MB\n", name, mb, ids.size(), s, mb / s,
              s / mb);
}

}  // namespace

int main(int argc, char** argv) {
  bool help = false;
  mrrope::OptionTable table("bench-tokenizer --help");
  table.help_option(&help);
  std::vector<std::string> words;
  double mb = 1.0;
  try {
    table.parse({argv + 1, argv + argc}, &words);
    if (words.size() > 1) throw std::invalid_argument("unknown argument '" + words[1] + "' (see bench-tokenizer --help)");
    if (!words.empty()) mb = mrrope::parse_number("MEGABYTES", words[0]);
    if (!(mb > 0)) throw std::invalid_argument("MEGABYTES must be above 0, got " + words[0]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-tokenizer: %s\n", e.what());
    return 2;
  }
  if (help) {
    std::printf("usage: bench-tokenizer [MEGABYTES]   (default 1)\n%s", table.help().c_str());
    return 0;
  }
  const std::string text = english_text(size_t(mb * 1e6));
  const std::string shared = fixture_dir() + "/";
  try {
    for (const char* name : {"llama-spm", "gpt-2"}) {
      const std::string path = shared + "ggml-vocab-" + name + ".gguf";
      if (!std::filesystem::exists(path)) {
        std::printf("%-10s skipped: %s not found\n", name, path.c_str());
        continue;
      }
      const mrrope::tok::Tokenizer tok(mrrope::tok::load_vocab(mrrope::GgufFile::open(path)));
      bench(name, tok, text);
    }
    for (auto [name, package] : {std::pair{"llama-bpe", "llama3"}, std::pair{"qwen2", "qwen3"}}) {
      const std::string path = hf_dir() + "/" + package + "/tokenizer.json";
      if (!std::filesystem::exists(path)) {
        std::printf("%-10s skipped: %s not found (run tools/fetch-tokenizer-fixtures.sh)\n", name, path.c_str());
        continue;
      }
      const mrrope::tok::Tokenizer tok(mrrope::tok::import_hf_tokenizer_file(path, name));
      bench(name, tok, text);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-tokenizer: %s\n", e.what());
    return 1;
  }
  return 0;
}
