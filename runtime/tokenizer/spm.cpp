// SentencePiece-style tokenization, a faithful port of llama.cpp's
// llm_tokenizer_spm_session: spaces become U+2581, adjacent symbols merge
// greedily by the score of the merged token, and leftovers fall back to
// <0xXX> byte tokens.
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
  float score;
  size_t size;
};

// Highest score first; on ties the leftmost pair (llama.cpp's comparator, so
// std::priority_queue pops in exactly the same order).
struct BigramLess {
  bool operator()(const Bigram& l, const Bigram& r) const {
    return l.score < r.score || (l.score == r.score && l.left > r.left);
  }
};

class SpmSession {
 public:
  SpmSession(const Vocab& vocab, const Tokenizer& tok) : vocab_(vocab), tok_(tok) {}

  void encode(std::string_view text, std::vector<TokenId>& out, TokenId (*byte_token)(const Tokenizer&, uint8_t)) {
    byte_token_ = byte_token;
    symbols_.clear();
    rev_merge_.clear();
    queue_ = {};
    size_t offs = 0;
    int index = 0;
    while (offs < text.size()) {
      const size_t n = std::min(utf8_len(uint8_t(text[offs])), text.size() - offs);
      Symbol s{index - 1, offs + n == text.size() ? -1 : index + 1, text.data() + offs, n};
      offs += n;
      ++index;
      symbols_.push_back(s);
    }
    for (int i = 1; i < int(symbols_.size()); ++i) try_add_bigram(i - 1, i);

    while (!queue_.empty()) {
      const Bigram b = queue_.top();
      queue_.pop();
      Symbol& l = symbols_[size_t(b.left)];
      Symbol& r = symbols_[size_t(b.right)];
      // Stale entry: one side already merged elsewhere.
      if (l.n == 0 || r.n == 0 || l.n + r.n != b.size) continue;
      l.n += r.n;
      r.n = 0;
      l.next = r.next;
      if (r.next >= 0) symbols_[size_t(r.next)].prev = b.left;
      try_add_bigram(l.prev, b.left);
      try_add_bigram(b.left, l.next);
    }
    if (symbols_.empty()) return;
    for (int i = 0; i != -1; i = symbols_[size_t(i)].next) resegment(symbols_[size_t(i)], out);
  }

 private:
  void try_add_bigram(int left, int right) {
    if (left == -1 || right == -1) return;
    // Symbols are contiguous in the session's text, so the pair is a view of it.
    const std::string_view text(symbols_[size_t(left)].text, symbols_[size_t(left)].n + symbols_[size_t(right)].n);
    const TokenId id = tok_.find_token(text);
    if (id == kNoToken || size_t(id) >= vocab_.size()) return;
    const float score = vocab_.scores.empty() ? 0.0f : vocab_.scores[size_t(id)];
    queue_.push(Bigram{left, right, score, text.size()});
    rev_merge_[text] = {left, right};
  }

  // Emits a symbol as its token, or splits it back along the merge that made
  // it, down to bytes.
  void resegment(const Symbol& s, std::vector<TokenId>& out) {
    const std::string_view text(s.text, s.n);
    const TokenId id = tok_.find_token(text);
    if (id != kNoToken) {
      out.push_back(id);
      return;
    }
    auto it = rev_merge_.find(text);
    if (it == rev_merge_.end()) {
      for (size_t j = 0; j < s.n; ++j) out.push_back(byte_token_(tok_, uint8_t(s.text[j])));
      return;
    }
    const auto [left, right] = it->second;
    resegment(symbols_[size_t(left)], out);
    resegment(symbols_[size_t(right)], out);
  }

  const Vocab& vocab_;
  const Tokenizer& tok_;
  TokenId (*byte_token_)(const Tokenizer&, uint8_t) = nullptr;
  std::vector<Symbol> symbols_;
  std::priority_queue<Bigram, std::vector<Bigram>, BigramLess> queue_;
  // Keys view the session's text, which outlives the session's use of them.
  std::unordered_map<std::string_view, std::pair<int, int>> rev_merge_;
};

}  // namespace

TokenId Tokenizer::spm_byte_token(uint8_t byte) const {
  static const char hex[] = "0123456789ABCDEF";
  const char name[7] = {'<', '0', 'x', hex[byte >> 4], hex[byte & 15], '>', 0};
  TokenId id = find_token(name);
  if (id != kNoToken) return id;
  id = find_token(std::string(1, char(byte)));  // vocabularies without byte tokens
  if (id != kNoToken) return id;
  throw TokenizerError("vocabulary has no token for byte " + std::string(name));
}

void Tokenizer::encode_spm(std::string_view raw, std::vector<TokenId>& out) const {
  // llama_escape_whitespace: ' ' -> U+2581
  std::string text;
  text.reserve(raw.size() + raw.size() / 4);
  for (char c : raw) {
    if (c == ' ') text += "\xE2\x96\x81";
    else text += c;
  }
  SpmSession session(vocab_, *this);
  auto byte_token = [](const Tokenizer& t, uint8_t b) { return t.spm_byte_token(b); };
  if (!spm_split_at_spaces_) {
    session.encode(text, out, byte_token);
    return;
  }
  // No token can span a point where U+2581 follows another character (checked
  // over the whole vocabulary in the constructor), so pairs never merge across
  // such points and each piece can be encoded on its own with the same result.
  // This keeps the merge queue small: one long text is O(n log n) with a
  // cache-hostile heap otherwise.
  static constexpr std::string_view kSpace = "\xE2\x96\x81";
  const std::string_view all(text);
  size_t begin = 0;
  bool prev_is_space = true;  // never split before the first symbol
  // Walk symbol by symbol (as the session does), so splits fall on symbol starts.
  for (size_t offs = 0; offs < all.size();) {
    const size_t n = std::min(utf8_len(uint8_t(all[offs])), all.size() - offs);
    const bool is_space = all.substr(offs, n) == kSpace;
    if (is_space && !prev_is_space) {
      session.encode(all.substr(begin, offs - begin), out, byte_token);
      begin = offs;
    }
    prev_is_space = is_space;
    offs += n;
  }
  session.encode(all.substr(begin), out, byte_token);
}

}  // namespace mrrope::tok
