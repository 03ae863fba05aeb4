// Document extraction (runtime/documents): txt, md, html and pdf to text, and
// the refusals a user sees for what cannot become text. No GPU.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "documents/document_text.h"
#include "support/pdf_writer.h"

namespace mrrope::docs {
namespace {

namespace fs = std::filesystem;

std::string write_temp(const std::string& name, const std::string& bytes) {
  const fs::path dir = fs::temp_directory_path() / "mrrope-doc-tests";
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p.string();
}

std::string refusal(const std::function<void()>& f) {
  try {
    f();
  } catch (const DocumentError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(Documents, PlainTextAsItIsWithoutBomAndCarriageReturns) {
  const auto d = extract_document(write_temp("a.txt", "\xEF\xBB\xBFline one\r\nline two\r\n"));
  EXPECT_EQ(d.text, "line one\nline two\n");
  EXPECT_EQ(d.format, DocumentFormat::Text);
  EXPECT_EQ(d.pages(), 0);
  EXPECT_TRUE(d.note.empty());
}

TEST(Documents, MarkdownKeptAsWritten) {
  const auto d = extract_document(write_temp("notes.md", "# Title\n\n- item *one*\n"));
  EXPECT_EQ(d.format, DocumentFormat::Markdown);
  EXPECT_EQ(d.text, "# Title\n\n- item *one*\n");
}

TEST(Documents, Latin1IsConvertedWithANote) {
  const auto d = extract_document(write_temp("latin.txt", "caf\xE9 au lait\n"));
  EXPECT_EQ(d.text, "caf\xC3\xA9 au lait\n");
  EXPECT_NE(d.note.find("Latin-1"), std::string::npos);
}

TEST(Documents, HtmlTextWithoutMarkupScriptsOrStyles) {
  const std::string html =
      "<!DOCTYPE html><html><head><title>The Page</title><style>p{color:red}</style>"
      "<script>var x = 1;</script></head><body><h1>Heading</h1><p>First &amp; <b>bold</b>\n   words.</p>"
      "<ul><li>one</li><li>two</li></ul><table><tr><td>a</td><td>b</td></tr></table>"
      "<pre>keep   spaces</pre><noscript>hidden</noscript></body></html>";
  const auto d = extract_document(write_temp("page.html", html));
  EXPECT_EQ(d.format, DocumentFormat::Html);
  EXPECT_EQ(d.text, "The Page\nHeading\nFirst & bold words.\none\ntwo\na b\nkeep   spaces\n");
}

TEST(Documents, HtmlDetectedFromContentWithoutExtension) {
  EXPECT_EQ(detect_format("download", "  <!doctype html><p>x"), DocumentFormat::Html);
  EXPECT_EQ(detect_format("download", "%PDF-1.7"), DocumentFormat::Pdf);
  EXPECT_EQ(detect_format("README", "hello"), DocumentFormat::Text);
}

TEST(Documents, PdfPagesKeepTheirNumbers) {
  const std::string pdf = testing::make_pdf({{"The Preacher was king.", "Second line."}, {"Vanity of vanities."}});
  const auto d = extract_document(write_temp("book.pdf", pdf));
  ASSERT_EQ(d.pages(), 2);
  EXPECT_EQ(d.format, DocumentFormat::Pdf);
  const size_t first = d.text.find("The Preacher was king."), second = d.text.find("Vanity of vanities.");
  ASSERT_NE(first, std::string::npos) << d.text;
  ASSERT_NE(second, std::string::npos) << d.text;
  EXPECT_EQ(d.page_at(first), 1);
  EXPECT_EQ(d.page_at(second), 2);
  EXPECT_EQ(d.text.rfind("[page 1]\n", 0), 0u) << d.text;
  EXPECT_NE(d.text.find("[page 2]\n"), std::string::npos);
}

TEST(Documents, ScannedPdfGetsAClearMessage) {
  testing::PdfOptions o;
  o.images_only = true;
  const std::string why = refusal([&] { extract_document(write_temp("scan.pdf", testing::make_pdf({{}, {}}, o))); });
  EXPECT_NE(why.find("no text layer"), std::string::npos) << why;
  EXPECT_NE(why.find("2 pages"), std::string::npos) << why;
}

TEST(Documents, EncryptedPdfIsRefusedAsEncrypted) {
  testing::PdfOptions o;
  o.encrypted = true;
  const std::string why =
      refusal([&] { extract_document(write_temp("locked.pdf", testing::make_pdf({{"secret"}}, o))); });
  EXPECT_NE(why.find("encrypted"), std::string::npos) << why;
}

TEST(Documents, CorruptPdfIsRefused) {
  std::string pdf = testing::make_pdf({{"some text"}});
  const std::string why = refusal([&] { extract_document(write_temp("broken.pdf", pdf.substr(0, 60))); });
  EXPECT_NE(why.find("not a readable PDF"), std::string::npos) << why;
  const std::string junk = refusal([&] { extract_document(write_temp("junk.pdf", "%PDF-1.4\nnothing here\n")); });
  EXPECT_NE(junk.find("not a readable PDF"), std::string::npos) << junk;
}

TEST(Documents, BinaryEmptyBlankAndMissingFilesAreRefused) {
  std::string elf = "\x7F" "ELF\x02\x01\x01";
  elf += std::string(200, '\0');
  EXPECT_NE(refusal([&] { extract_document(write_temp("program.txt", elf)); }).find("binary"), std::string::npos);
  EXPECT_NE(refusal([&] { extract_document(write_temp("empty.txt", "")); }).find("empty"), std::string::npos);
  EXPECT_NE(refusal([&] { extract_document(write_temp("blank.md", "  \n\n\t")); }).find("blank"), std::string::npos);
  EXPECT_NE(refusal([&] { extract_document(write_temp("x.html", "<script>1</script>")); }).find("no visible text"),
            std::string::npos);
  EXPECT_NE(refusal([] { extract_document("/nonexistent/file.txt"); }).find("no such file"), std::string::npos);
  EXPECT_NE(refusal([] { extract_document(fs::temp_directory_path().string()); }).find("not a regular file"),
            std::string::npos);
  const std::string utf16 = refusal([&] { extract_document(write_temp("u16.txt", std::string("\xFF\xFEh\0i\0", 6))); });
  EXPECT_NE(utf16.find("UTF-16"), std::string::npos) << utf16;
}

TEST(Documents, FiftyMegabyteTextIsRefusedBeforeReading) {
  const fs::path p = fs::temp_directory_path() / "mrrope-doc-tests" / "big.txt";
  fs::create_directories(p.parent_path());
  { std::ofstream(p) << "x"; }
  fs::resize_file(p, 50ull << 20);  // sparse: nothing written, nothing read
  const std::string why = refusal([&] { extract_document(p.string()); });
  EXPECT_NE(why.find("50.0 MiB of text"), std::string::npos) << why;
  fs::remove(p);
}

}  // namespace
}  // namespace mrrope::docs
