#include "documents/document_text.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

namespace mrrope::docs {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string megabytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / double(1 << 20));
  return buf;
}

// Length of the valid UTF-8 sequence at s[i], 0 when invalid.
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (n == 3 && c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
  if (n == 4 && c == 0xF0 && b(i + 1) < 0x90) return 0;
  if (n == 4 && c == 0xF4 && b(i + 1) > 0x8F) return 0;  // past U+10FFFF
  return n;
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) out += ch;
    else out += static_cast<char>(0xC0 | (c >> 6)), out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

// Binary data has NUL bytes, or many control characters that text never has.
bool looks_binary(std::string_view s) {
  const std::string_view head = s.substr(0, 64 * 1024);
  if (s.find('\0') != std::string_view::npos) return true;
  size_t control = 0;
  for (char ch : head) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v' && c != 0x1B) ++control;
  }
  return control * 50 > head.size();  // more than 2 %
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

}  // namespace

const char* document_format_name(DocumentFormat f) {
  switch (f) {
    case DocumentFormat::Markdown: return "md";
    case DocumentFormat::Pdf: return "pdf";
    case DocumentFormat::Html: return "html";
    default: return "txt";
  }
}

int ExtractedDocument::page_at(size_t offset) const {
  const auto it = std::upper_bound(page_offsets.begin(), page_offsets.end(), offset);
  return it == page_offsets.begin() ? (page_offsets.empty() ? 0 : 1) : static_cast<int>(it - page_offsets.begin());
}

DocumentFormat detect_format(std::string_view name, std::string_view head) {
  const std::string ext = lower(std::filesystem::path(std::string(name)).extension().string());
  if (ext == ".pdf") return DocumentFormat::Pdf;
  if (ext == ".html" || ext == ".htm" || ext == ".xhtml") return DocumentFormat::Html;
  if (ext == ".md" || ext == ".markdown") return DocumentFormat::Markdown;
  if (ext == ".txt" || ext == ".text") return DocumentFormat::Text;
  if (head.substr(0, 5) == "%PDF-") return DocumentFormat::Pdf;
  const size_t start = head.find_first_not_of(" \t\r\n");
  const std::string opening = lower(head.substr(start == std::string_view::npos ? 0 : start, 15));
  if (opening.rfind("<!doctype html", 0) == 0 || opening.rfind("<html", 0) == 0) return DocumentFormat::Html;
  return DocumentFormat::Text;
}

std::string text_from_plain(std::string_view bytes, const std::string& name, std::string* note) {
  if (bytes.size() >= 2 && ((bytes[0] == '\xFF' && bytes[1] == '\xFE') || (bytes[0] == '\xFE' && bytes[1] == '\xFF')))
    throw DocumentError(name + " is UTF-16 text: save it as UTF-8 and open it again");
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);  // UTF-8 byte order mark
  if (looks_binary(bytes))
    throw DocumentError(name + " looks like a binary file, not text (open a .txt, .md, .pdf or .html document)");
  std::string text;
  if (valid_utf8(bytes)) {
    text.assign(bytes);
  } else {
    text = latin1_to_utf8(bytes);
    if (note) *note = "not valid UTF-8: read as Latin-1";
  }
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());  // CRLF -> LF
  return text;
}

ExtractedDocument extract_document_bytes(const std::string& name, std::string_view bytes, const ExtractLimits& limits) {
  if (bytes.empty()) throw DocumentError(name + " is empty (0 bytes): there is nothing to ask about");
  if (bytes.size() > limits.max_file_bytes)
    throw DocumentError(name + " is " + megabytes(bytes.size()) + "; the app opens files up to " +
                        megabytes(limits.max_file_bytes));
  ExtractedDocument d;
  d.name = name;
  d.format = detect_format(name, bytes.substr(0, 512));
  if (d.format == DocumentFormat::Pdf) {
    ExtractedDocument pdf = text_from_pdf(bytes, name);
    pdf.format = DocumentFormat::Pdf;
    d = std::move(pdf);
  } else if (d.format == DocumentFormat::Html) {
    std::string note;
    d.text = text_from_html(text_from_plain(bytes, name, &note));
    d.note = note;
  } else {
    d.text = text_from_plain(bytes, name, &d.note);
  }
  if (blank(d.text)) {
    if (d.format == DocumentFormat::Html) throw DocumentError(name + " has no visible text (only markup or scripts)");
    throw DocumentError(name + " holds only blank space: there is nothing to ask about");
  }
  if (d.text.size() > limits.max_text_bytes)
    throw DocumentError(name + " is " + megabytes(d.text.size()) + " of text; the app takes up to " +
                        megabytes(limits.max_text_bytes) +
                        " (about 4 million tokens, more than any context it can run). Open a part of it.");
  return d;
}

ExtractedDocument extract_document(const std::string& path, const ExtractLimits& limits) {
  const std::string name = std::filesystem::path(path).filename().string();
  std::error_code ec;
  // A FIFO would block in open(), and a directory reads as empty.
  if (!std::filesystem::exists(path, ec)) throw DocumentError("no such file: " + path);
  if (!std::filesystem::is_regular_file(path, ec)) throw DocumentError(path + " is not a regular file");
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw DocumentError("cannot read " + path + ": " + ec.message());
  if (size > limits.max_file_bytes)
    throw DocumentError(name + " is " + megabytes(size) + "; the app opens files up to " +
                        megabytes(limits.max_file_bytes) + ". Open a part of it.");
  const DocumentFormat format = detect_format(name, "");
  if (format != DocumentFormat::Pdf && size > limits.max_text_bytes)
    throw DocumentError(name + " is " + megabytes(size) + " of text; the app takes up to " +
                        megabytes(limits.max_text_bytes) +
                        " (about 4 million tokens, more than any context it can run). Open a part of it.");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DocumentError("cannot open " + path + " (permission?)");
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return extract_document_bytes(name, bytes, limits);
}

}  // namespace mrrope::docs
