// Checks a PNG the app wrote: the PNG signature, the IHDR size (at least
// MIN_W x MIN_H), that it decodes to that size, and that it is not blank (no
// single colour covers nearly all of it).
//   mrrope-png-check FILE.png MIN_W MIN_H
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>

#include <stb_image.h>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: mrrope-png-check FILE.png MIN_W MIN_H\n");
    return 2;
  }
  const std::string path = argv[1];
  const int min_w = std::atoi(argv[2]), min_h = std::atoi(argv[3]);
  auto fail = [&](const std::string& why) {
    std::printf("FAIL %s: %s\n", path.c_str(), why.c_str());
    return 1;
  };
  std::ifstream in(path, std::ios::binary);
  unsigned char head[24] = {};
  if (!in || !in.read(reinterpret_cast<char*>(head), sizeof head)) return fail("missing or shorter than a PNG header");
  static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (std::memcmp(head, kSignature, 8) != 0) return fail("no PNG signature");
  if (std::memcmp(head + 12, "IHDR", 4) != 0) return fail("the first chunk is not IHDR");
  auto be32 = [](const unsigned char* p) { return int((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]); };
  const int w = be32(head + 16), h = be32(head + 20);
  if (w < min_w || h < min_h)
    return fail("IHDR says " + std::to_string(w) + "x" + std::to_string(h) + ", expected at least " +
                std::to_string(min_w) + "x" + std::to_string(min_h));
  int dw = 0, dh = 0, channels = 0;
  unsigned char* rgb = stbi_load(path.c_str(), &dw, &dh, &channels, 3);
  if (!rgb) return fail(std::string("does not decode: ") + stbi_failure_reason());
  if (dw != w || dh != h) return stbi_image_free(rgb), fail("decodes to another size than IHDR says");
  std::map<unsigned, long> colours;
  for (long i = 0; i < long(w) * h; ++i) ++colours[(rgb[3 * i] << 16) | (rgb[3 * i + 1] << 8) | rgb[3 * i + 2]];
  stbi_image_free(rgb);
  long top = 0;
  for (const auto& [c, n] : colours) top = std::max(top, n);
  const double share = double(top) / (double(w) * h);
  if (colours.size() < 4 || share > 0.98)
    return fail("blank: " + std::to_string(colours.size()) + " colours, the commonest covers " +
                std::to_string(int(share * 100)) + "%");
  std::printf("ok   %s: %dx%d, %zu colours\n", path.c_str(), w, h, colours.size());
  return 0;
}
