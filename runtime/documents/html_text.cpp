// HTML to text with Gumbo (an HTML5 parser: any tag soup parses). Scripts,
// styles and other invisible parts are skipped; block elements end a line so
// paragraphs, list items and table rows stay apart.
#include <gumbo.h>

#include <set>
#include <string>

#include "documents/document_text.h"

namespace mrrope::docs {
namespace {

bool invisible(GumboTag t) {
  return t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE || t == GUMBO_TAG_NOSCRIPT || t == GUMBO_TAG_TEMPLATE ||
         t == GUMBO_TAG_HEAD || t == GUMBO_TAG_SVG || t == GUMBO_TAG_IFRAME || t == GUMBO_TAG_OBJECT;
}

bool block(GumboTag t) {
  static const std::set<GumboTag> tags = {
      GUMBO_TAG_P,       GUMBO_TAG_DIV,     GUMBO_TAG_BR,      GUMBO_TAG_LI,         GUMBO_TAG_TR,
      GUMBO_TAG_H1,      GUMBO_TAG_H2,      GUMBO_TAG_H3,      GUMBO_TAG_H4,         GUMBO_TAG_H5,
      GUMBO_TAG_H6,      GUMBO_TAG_PRE,     GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_SECTION, GUMBO_TAG_ARTICLE,
      GUMBO_TAG_HEADER,  GUMBO_TAG_FOOTER,  GUMBO_TAG_UL,      GUMBO_TAG_OL,         GUMBO_TAG_TABLE,
      GUMBO_TAG_DT,      GUMBO_TAG_DD,      GUMBO_TAG_HR,      GUMBO_TAG_FIGCAPTION, GUMBO_TAG_MAIN,
      GUMBO_TAG_NAV,     GUMBO_TAG_ASIDE,   GUMBO_TAG_ADDRESS, GUMBO_TAG_TITLE};
  return tags.count(t) > 0;
}

struct Writer {
  std::string out;
  bool space_pending = false;
  void text(const char* s, bool preformatted) {
    for (const char* p = s; *p; ++p) {
      const char c = *p;
      if (!preformatted && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')) {
        space_pending = true;
        continue;
      }
      if (space_pending && !out.empty() && out.back() != '\n') out += ' ';
      space_pending = false;
      out += c;
    }
  }
  void end_block() {
    space_pending = false;
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.empty()) return;
    if (out.back() != '\n') out += '\n';
  }
  void cell() { space_pending = true; }  // td/th: keep cells apart on one line
};

void walk(const GumboNode* node, Writer& w, bool pre) {
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA) {
    w.text(node->v.text.text, pre);
    return;
  }
  if (node->type == GUMBO_NODE_WHITESPACE) {
    if (pre) w.text(node->v.text.text, true);
    else w.space_pending = true;
    return;
  }
  if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_DOCUMENT) return;
  const GumboVector* children = nullptr;
  GumboTag tag = GUMBO_TAG_UNKNOWN;
  if (node->type == GUMBO_NODE_DOCUMENT) {
    children = &node->v.document.children;
  } else {
    tag = node->v.element.tag;
    children = &node->v.element.children;
    if (tag == GUMBO_TAG_HEAD) {
      // Only the title, as the first line.
      for (unsigned i = 0; i < children->length; ++i) {
        const auto* child = static_cast<const GumboNode*>(children->data[i]);
        if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_TITLE) walk(child, w, false);
      }
      return;
    }
    if (invisible(tag)) return;
    if (block(tag)) w.end_block();
    if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) w.cell();
    if (tag == GUMBO_TAG_PRE) pre = true;
  }
  for (unsigned i = 0; i < children->length; ++i) walk(static_cast<const GumboNode*>(children->data[i]), w, pre);
  if (block(tag)) w.end_block();
}

}  // namespace

std::string text_from_html(std::string_view html) {
  GumboOutput* output = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  if (!output) throw DocumentError("the HTML parser failed");
  Writer w;
  walk(output->document, w, false);
  gumbo_destroy_output(&kGumboDefaultOptions, output);
  w.end_block();
  return w.out;
}

}  // namespace mrrope::docs
