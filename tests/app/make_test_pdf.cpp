// mrrope-test-pdf OUT.pdf TEXT.txt [--scanned|--encrypted]: a PDF of TEXT's
// lines (long lines wrapped, 40 a page), for the app's conversation test;
// --scanned draws boxes instead of text, --encrypted locks it.
#include <cstdio>
#include <fstream>
#include <string>

#include "support/pdf_writer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: mrrope-test-pdf OUT.pdf TEXT.txt [--scanned|--encrypted]\n");
    return 2;
  }
  const size_t per_page = 40;
  mrrope::testing::PdfOptions options;
  const std::string flag = argc > 3 ? argv[3] : "";
  options.images_only = flag == "--scanned";
  options.encrypted = flag == "--encrypted";
  std::ifstream in(argv[2]);
  if (!in) return std::fprintf(stderr, "cannot read %s\n", argv[2]), 1;
  std::vector<std::vector<std::string>> pages(1);
  std::string line;
  while (std::getline(in, line)) {
    do {  // ~90 characters fit a Letter page line at 12 pt
      size_t cut = line.size() <= 90 ? line.size() : line.rfind(' ', 90);
      if (cut == std::string::npos || cut == 0) cut = std::min<size_t>(90, line.size());
      if (pages.back().size() >= per_page) pages.emplace_back();
      pages.back().push_back(line.substr(0, cut));
      line = cut < line.size() ? line.substr(cut + 1) : "";
    } while (!line.empty());
  }
  std::ofstream(argv[1], std::ios::binary) << mrrope::testing::make_pdf(pages, options);
  std::printf("wrote %s (%zu pages)\n", argv[1], pages.size());
  return 0;
}
