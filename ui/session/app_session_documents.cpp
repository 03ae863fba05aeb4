// The session's documents: extracted from files on the worker (a large PDF
// takes a while), joined into the text the model reads, and counted in tokens.
#include <algorithm>
#include <chrono>
#include <filesystem>

#include "documents/document_text.h"
#include "ui/session/app_session.h"

namespace mrrope::ui {
namespace {

std::string first_lines(const std::string& text, int lines, size_t max_chars) {
  std::string out;
  int n = 0;
  for (char c : text) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    out += c;
    if (c == '\n' && ++n >= lines) break;
  }
  return out;
}

// Texts below this are tokenized in one piece; longer ones in paragraph-aligned
// chunks so the worker can report progress and notice a cancel.
constexpr size_t kTokenizeChunk = 256 * 1024;

// One document as it is; several each under a header naming it, so a question
// can say which one it means.
std::string joined_text(const std::vector<DocumentPart>& parts) {
  if (parts.size() == 1) return *parts[0].text;
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += "\n\n";
    out += "Document " + std::to_string(i + 1) + ": " + parts[i].name + "\n\n" + *parts[i].text;
  }
  return out;
}

}  // namespace

void AppSession::set_document(std::string name, std::string text) { add_pasted(std::move(name), std::move(text), true); }

void AppSession::add_document_text(std::string name, std::string text) {
  add_pasted(std::move(name), std::move(text), false);
}

void AppSession::add_pasted(std::string name, std::string text, bool replace) {
  auto shared = std::make_shared<const std::string>(std::move(text));
  enqueue("Tokenizing document", [this, name, shared, replace] {
    DocumentPart p;
    p.name = name;
    p.format = "txt";
    p.text = shared;
    p.bytes = shared->size();
    if (replace) parts_.clear();
    parts_.push_back(p);
    retokenize_documents();
  });
}

void AppSession::add_document_file(const std::string& path) {
  enqueue("Reading document", [this, path] {
    set_progress("Reading " + std::filesystem::path(path).filename().string(), 0, 0);
    docs::ExtractedDocument d;
    try {
      d = docs::extract_document(path);
    } catch (const std::exception& e) {  // DocumentError, or bad_alloc on a huge file
      {
        std::lock_guard lock(mutex_);
        document_message_ = e.what();
      }
      touch();
      return;
    }
    DocumentPart p;
    p.name = d.name;
    p.path = path;
    p.format = docs::document_format_name(d.format);
    p.pages = d.pages();
    p.note = d.note;
    p.bytes = d.text.size();
    p.text = std::make_shared<const std::string>(std::move(d.text));
    const auto same = std::find_if(parts_.begin(), parts_.end(), [&](const DocumentPart& q) { return q.path == path; });
    if (same != parts_.end()) *same = p;
    else parts_.push_back(p);
    {
      std::lock_guard lock(mutex_);
      document_message_ = p.note.empty() ? "" : p.name + ": " + p.note;
    }
    retokenize_documents();
  });
}

void AppSession::remove_document(size_t index) {
  enqueue("Tokenizing document", [this, index] {
    if (index < parts_.size()) parts_.erase(parts_.begin() + std::ptrdiff_t(index));
    retokenize_documents();
  });
}

void AppSession::clear_documents() {
  enqueue("Tokenizing document", [this] {
    parts_.clear();
    retokenize_documents();
  });
}

void AppSession::retokenize_documents() {
  if (parts_.empty()) {
    {
      std::lock_guard lock(mutex_);
      document_.reset();
    }
    touch();
    return;
  }
  DocumentSummary d;
  d.parts = parts_;
  for (const DocumentPart& p : parts_) d.name += (d.name.empty() ? "" : " + ") + p.name;
  auto shared = std::make_shared<const std::string>(joined_text(parts_));
  d.text = shared;
  d.bytes = shared->size();
  d.preview = first_lines(*shared, 6, 600);
  if (!engine_) {
    // Kept; counted once a model is open (the count depends on its vocabulary).
    {
      std::lock_guard lock(mutex_);
      document_ = d;
    }
    touch();
    throw std::runtime_error("open a model first: the token count depends on its vocabulary");
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::string& text = *shared;
  size_t pos = 0;
  while (pos < text.size()) {
    if (cancel_) return;
    size_t end = std::min(text.size(), pos + kTokenizeChunk);
    if (end < text.size()) {
      // Cut at a paragraph (else a line) break so chunks tokenize as the whole would.
      size_t cut = text.rfind("\n\n", end);
      if (cut == std::string::npos || cut <= pos) cut = text.rfind('\n', end);
      if (cut != std::string::npos && cut > pos) end = cut + 1;
    }
    d.tokens += static_cast<int>(
        engine_->tokenizer().tokenize(std::string_view(text).substr(pos, end - pos), false, false).size());
    pos = end;
    set_progress("Tokenizing", static_cast<int>(pos / 1024), static_cast<int>(text.size() / 1024));
  }
  d.tokenize_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  {
    std::lock_guard lock(mutex_);
    document_ = d;
  }
  touch();
}

std::string AppSession::document_message() const {
  std::lock_guard lock(mutex_);
  return document_message_;
}

void AppSession::clear_document_message() {
  std::lock_guard lock(mutex_);
  document_message_.clear();
}

}  // namespace mrrope::ui
