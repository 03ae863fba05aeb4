// PDF to text with Poppler's C++ library: the text layer page by page, each
// page under a "[page N]" line so an answer can be traced to its page.
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <memory>
#include <mutex>

#include "documents/document_text.h"

namespace mrrope::docs {
namespace {

// Poppler prints parse errors to stderr; the user gets our message instead.
void quiet(const std::string&, void*) {}

}  // namespace

ExtractedDocument text_from_pdf(std::string_view bytes, const std::string& name) {
  static std::once_flag silenced;
  std::call_once(silenced, [] { poppler::set_debug_error_function(quiet, nullptr); });
  if (bytes.size() > size_t(INT32_MAX)) throw DocumentError(name + " is too large for the PDF reader");
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) {
    // Poppler refuses an encrypted file it cannot open with an empty password the same way as a damaged one.
    if (bytes.find("/Encrypt") != std::string_view::npos)
      throw DocumentError(name + " is an encrypted PDF (password protected): remove the password and open it again");
    throw DocumentError(name + " is not a readable PDF (damaged, or not a PDF)");
  }
  if (doc->is_locked())
    throw DocumentError(name + " is an encrypted PDF (password protected): remove the password and open it again");
  ExtractedDocument d;
  d.name = name;
  d.format = DocumentFormat::Pdf;
  const int pages = doc->pages();
  if (pages <= 0) throw DocumentError(name + " has no pages");
  size_t letters = 0;
  for (int i = 0; i < pages; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!d.text.empty() && d.text.back() != '\n') d.text += '\n';
    if (!d.text.empty()) d.text += '\n';
    d.page_offsets.push_back(d.text.size());
    d.text += "[page " + std::to_string(i + 1) + "]\n";
    if (!page) continue;
    const poppler::byte_array utf8 = page->text().to_utf8();
    std::string text(utf8.begin(), utf8.end());
    for (char& c : text)
      if (c == '\r' || c == '\f') c = '\n';
    for (char c : text)
      if (!std::isspace(static_cast<unsigned char>(c))) ++letters;
    d.text += text;
  }
  if (!d.text.empty() && d.text.back() != '\n') d.text += '\n';
  if (letters == 0)
    throw DocumentError(name + " has no text layer (" + std::to_string(pages) + (pages == 1 ? " page" : " pages") +
                        " of images only: a scanned PDF?). Run OCR on it first (e.g. ocrmypdf) and open the result.");
  return d;
}

}  // namespace mrrope::docs
