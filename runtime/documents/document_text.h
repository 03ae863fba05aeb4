#pragma once
// Plain text out of the documents a user brings: .txt and .md as they are,
// .pdf through Poppler (one block per page, page numbers kept), .html through
// Gumbo (text without markup). Every refusal is a DocumentError whose message
// can be shown to the user as it is.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mrrope::docs {

struct DocumentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class DocumentFormat { Text, Markdown, Pdf, Html };
const char* document_format_name(DocumentFormat f);  // "txt", "md", "pdf", "html"

struct ExtractedDocument {
  std::string name;  // file name, for headers and messages
  DocumentFormat format = DocumentFormat::Text;
  std::string text;  // UTF-8; PDF pages are preceded by a "[page N]" line
  // Byte offset in `text` where page i+1 starts (PDF only; empty otherwise).
  std::vector<size_t> page_offsets;
  std::string note;  // something the user should know (e.g. "read as Latin-1"), else empty
  int pages() const { return static_cast<int>(page_offsets.size()); }
  // The page (1-based) holding byte `offset`; 0 when the document has no pages.
  int page_at(size_t offset) const;
};

struct ExtractLimits {
  uint64_t max_file_bytes = 64ull << 20;  // a PDF carries images; refuse beyond this before reading
  uint64_t max_text_bytes = 16ull << 20;  // ~4M tokens: far past any context the app can run
};

// The format from the extension (.txt .text .md .markdown .pdf .html .htm),
// else from the first bytes (%PDF-, <html / <!doctype html), else text.
DocumentFormat detect_format(std::string_view name, std::string_view head);

// Reads and converts a file. Throws DocumentError for what cannot become text:
// a missing or unreadable file, an empty one, a binary file, a damaged or
// encrypted PDF, a PDF without a text layer (scanned), a file too large.
ExtractedDocument extract_document(const std::string& path, const ExtractLimits& limits = {});
// The same from bytes already in memory (`name` picks the format and names the document).
ExtractedDocument extract_document_bytes(const std::string& name, std::string_view bytes,
                                         const ExtractLimits& limits = {});

// Pieces, callable on their own (tests, pastes).
std::string text_from_plain(std::string_view bytes, const std::string& name, std::string* note);
std::string text_from_html(std::string_view html);
ExtractedDocument text_from_pdf(std::string_view bytes, const std::string& name);

}  // namespace mrrope::docs
