#include "feeds/html/html_text.h"

#include <cctype>

#include "feeds/html/gumbo_document.h"
#include "feeds/html/invisible_elements.h"

namespace sluice::feeds {
namespace {

// What turns into no text at all: the invisible elements, and the document's head.
bool is_skipped(GumboTag tag) { return tag == GUMBO_TAG_HEAD || is_invisible(tag); }

// Collects text into paragraphs: a block boundary or two consecutive <br> end a paragraph.
class ParagraphCollector {
 public:
  void text(std::string_view chunk) {
    for (char c : chunk) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        space_ = !current_.empty();
        continue;
      }
      if (breaks_ >= 2) flush();
      if ((space_ || breaks_ == 1) && !current_.empty()) current_ += ' ';
      space_ = false;
      breaks_ = 0;
      current_ += c;
    }
  }
  void line_break() { ++breaks_; }
  void inline_gap() { space_ = !current_.empty(); }
  void flush() {
    if (!current_.empty()) paragraphs_.push_back(std::move(current_));
    current_.clear();
    space_ = false;
    breaks_ = 0;
  }
  std::vector<std::string> take() {
    flush();
    return std::move(paragraphs_);
  }

 private:
  std::vector<std::string> paragraphs_;
  std::string current_;
  bool space_ = false;
  int breaks_ = 0;
};

void walk(const GumboNode* node, ParagraphCollector& out) {
  switch (node->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_CDATA:
    case GUMBO_NODE_WHITESPACE:
      out.text(node->v.text.text);
      return;
    case GUMBO_NODE_DOCUMENT:
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
      break;
    default:
      return;
  }
  const GumboVector* children = nullptr;
  GumboTag tag = GUMBO_TAG_UNKNOWN;
  if (node->type == GUMBO_NODE_DOCUMENT) {
    children = &node->v.document.children;
  } else {
    tag = node->v.element.tag;
    if (is_skipped(tag)) return;
    if (tag == GUMBO_TAG_BR) return out.line_break();
    children = &node->v.element.children;
  }
  const bool block = is_block_element(tag);
  if (block) out.flush();
  if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) out.inline_gap();
  for (unsigned i = 0; i < children->length; ++i)
    walk(static_cast<const GumboNode*>(children->data[i]), out);
  if (block) out.flush();
}

std::string collapse(std::string_view text) {
  ParagraphCollector collector;
  collector.text(text);
  auto paragraphs = collector.take();
  return paragraphs.empty() ? std::string() : std::move(paragraphs.front());
}

}  // namespace

std::vector<std::string> html_paragraphs(std::string_view html) {
  if (html.empty()) return {};
  const GumboDocument document(html);
  ParagraphCollector collector;
  walk(document.root(), collector);
  return collector.take();
}

std::string html_to_text(std::string_view html) {
  if (html.find_first_of("<&") == std::string_view::npos) return collapse(html);
  std::string out;
  for (const std::string& paragraph : html_paragraphs(html)) {
    if (!out.empty()) out += ' ';
    out += paragraph;
  }
  return out;
}

bool is_block_element(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_CENTER: case GUMBO_TAG_DD: case GUMBO_TAG_DETAILS: case GUMBO_TAG_DIV: case GUMBO_TAG_DL:
    case GUMBO_TAG_DT: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER: case GUMBO_TAG_FORM: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_HEADER: case GUMBO_TAG_HR:
    case GUMBO_TAG_LI: case GUMBO_TAG_MAIN: case GUMBO_TAG_NAV: case GUMBO_TAG_OL: case GUMBO_TAG_P:
    case GUMBO_TAG_PRE: case GUMBO_TAG_SECTION: case GUMBO_TAG_TABLE: case GUMBO_TAG_TR: case GUMBO_TAG_UL:
    case GUMBO_TAG_CAPTION: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TFOOT: case GUMBO_TAG_BODY: case GUMBO_TAG_HTML:
      return true;
    default:
      return false;
  }
}

namespace {

// Runs without a character to escape are copied in one go.
void append_escaped_runs(std::string& out, std::string_view text, bool quote) {
  const auto special = [quote](char c) { return c == '&' || c == '<' || c == '>' || (quote && c == '"'); };
  for (std::size_t at = 0; at < text.size();) {
    std::size_t next = at;
    while (next < text.size() && !special(text[next])) ++next;
    out.append(text.substr(at, next - at));
    if (next == text.size()) break;
    switch (text[next]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += "&quot;"; break;
    }
    at = next + 1;
  }
}

}  // namespace

void append_escaped_html(std::string& out, std::string_view text) { append_escaped_runs(out, text, true); }

void append_escaped_html_text(std::string& out, std::string_view text) { append_escaped_runs(out, text, false); }

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped_html(out, text);
  return out;
}

}  // namespace sluice::feeds
