// Byte-level BPE, a faithful port of llama.cpp's llm_tokenizer_bpe_session:
// pre-tokenize into words, map each byte to its printable code point, then
// merge adjacent symbols by lowest merge rank (ties: leftmost).
#include <queue>

#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace mrrope::tok {

namespace {

struct Symbol {
  int prev;
  int next;
  const char* text;
  size_t n;
};

struct Bigram {
  int left;
  int right;
  int rank;
  size_t size;
};

// Lowest rank first, then leftmost (llama.cpp's llm_bigram_bpe::comparator).
struct BigramLess {
  bool operator()(const Bigram& l, const Bigram& r) const {
    return l.rank > r.rank || (l.rank == r.rank && l.left > r.left);
  }
};

}  // namespace

int Tokenizer::bpe_rank(std::string_view left, std::string_view right) const {
  thread_local std::string key;
  key.assign(left);
  key += '\xFF';
  key.append(right);
  auto it = bpe_ranks_.find(std::string_view(key));
  return it == bpe_ranks_.end() ? -1 : it->second;
}

void Tokenizer::encode_bpe(std::string_view text, std::vector<TokenId>& out) const {
  const std::vector<uint32_t> cpts = utf8_to_cpts(text);
  const std::vector<size_t> lengths = split_words(cpts, pre_);

  std::vector<Symbol> symbols;
  std::priority_queue<Bigram, std::vector<Bigram>, BigramLess> queue;
  std::string word, utf8;
  size_t at = 0;
  for (size_t len : lengths) {
    // The word's UTF-8 bytes, each replaced by its byte-level code point.
    utf8.clear();
    for (size_t i = at; i < at + len; ++i) append_utf8(utf8, cpts[i]);
    at += len;
    word.clear();
    for (char c : utf8) word += byte_to_unicode(uint8_t(c));

    // Llama 3: a word that is itself a token is not merged from its pieces.
    if (vocab_.ignore_merges) {
      const TokenId id = find_token(word);
      if (id != kNoToken) {
        out.push_back(id);
        continue;
      }
    }

    symbols.clear();
    for (size_t offs = 0; offs < word.size();) {
      const size_t n = std::min(utf8_len(uint8_t(word[offs])), word.size() - offs);
      const int index = int(symbols.size());
      symbols.push_back(Symbol{index - 1, offs + n == word.size() ? -1 : index + 1, word.data() + offs, n});
      offs += n;
    }
    auto add_bigram = [&](int left, int right) {
      if (left == -1 || right == -1) return;
      const Symbol& l = symbols[size_t(left)];
      const Symbol& r = symbols[size_t(right)];
      const int rank = bpe_rank({l.text, l.n}, {r.text, r.n});
      if (rank < 0) return;
      queue.push(Bigram{left, right, rank, l.n + r.n});
    };
    for (int i = 1; i < int(symbols.size()); ++i) add_bigram(i - 1, i);

    while (!queue.empty()) {
      const Bigram b = queue.top();
      queue.pop();
      Symbol& l = symbols[size_t(b.left)];
      Symbol& r = symbols[size_t(b.right)];
      // Outdated entry: the symbols are contiguous in `word`, so the pair is
      // unchanged exactly when both are alive and their lengths add up.
      if (l.n == 0 || r.n == 0 || l.n + r.n != b.size || l.next != b.right) continue;
      l.n += r.n;
      r.n = 0;
      l.next = r.next;
      if (r.next >= 0) symbols[size_t(r.next)].prev = b.left;
      add_bigram(l.prev, b.left);
      add_bigram(b.left, l.next);
    }

    for (const Symbol& s : symbols) {
      if (s.n == 0) continue;
      const std::string_view piece(s.text, s.n);
      const TokenId id = find_token(piece);
      if (id != kNoToken) {
        out.push_back(id);
        continue;
      }
      // No such token (inconsistent merges): llama.cpp emits each byte that
      // happens to be a token by itself and drops the others.
      for (char c : piece) {
        const TokenId b = find_token(std::string_view(&c, 1));
        if (b != kNoToken) out.push_back(b);
      }
    }
  }
}

}  // namespace mrrope::tok
