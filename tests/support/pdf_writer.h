#pragma once
// A tiny PDF writer for tests: pages of Helvetica text lines, pages with only a
// drawn shape (as a scan without a text layer), and an "encrypted" file (a
// Standard security handler whose empty user password does not open it).
// Header-only so the unit tests and the app test's helper share it.
#include <string>
#include <vector>

namespace mrrope::testing {

struct PdfOptions {
  bool images_only = false;  // draw a filled box instead of text on every page
  bool encrypted = false;
};

inline std::string pdf_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// pages[i] holds the lines of page i+1.
inline std::string make_pdf(const std::vector<std::vector<std::string>>& pages, const PdfOptions& o = {}) {
  std::vector<std::string> objects;  // object i+1
  const int n = static_cast<int>(pages.size());
  // 1 catalog, 2 pages, 3 font, then per page: page object, content stream.
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (int i = 0; i < n; ++i) kids += std::to_string(4 + 2 * i) + " 0 R ";
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n) + " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  for (int i = 0; i < n; ++i) {
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                      "/Contents " + std::to_string(5 + 2 * i) + " 0 R >>");
    std::string content;
    if (o.images_only) {
      content = "0.2 0.2 0.2 rg 72 400 468 300 re f\n";
    } else {
      content = "BT /F1 12 Tf 14 TL 72 720 Td\n";
      for (const std::string& line : pages[size_t(i)]) content += "(" + pdf_escape(line) + ") Tj T*\n";
      content += "ET\n";
    }
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream");
  }
  if (o.encrypted)  // RC4 40-bit, O and U that no password matches
    objects.push_back("<< /Filter /Standard /V 1 /R 2 /P -44 /O <" + std::string(64, 'a') + "> /U <" +
                      std::string(64, 'b') + "> >>");
  std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R";
  if (o.encrypted)
    out += " /Encrypt " + std::to_string(objects.size()) + " 0 R /ID [<0123456789abcdef0123456789abcdef> "
           "<0123456789abcdef0123456789abcdef>]";
  out += " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

}  // namespace mrrope::testing
