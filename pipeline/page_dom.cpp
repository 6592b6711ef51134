#include "pipeline/page_dom.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "feeds/text.h"

namespace sluice::pipeline {
namespace {

bool starts_with_name(std::string_view text, std::size_t at, std::string_view name) {
  if (at + name.size() > text.size() || !feeds::iequals(text.substr(at, name.size()), name)) return false;
  if (at + name.size() == text.size()) return true;
  const char next = text[at + name.size()];
  return next == '>' || next == '/' || next == ' ' || next == '\t' || next == '\n' || next == '\r' || next == '\f';
}

// Where "</name" next starts at or after `from`, npos when never.
std::size_t find_end_tag(std::string_view text, std::size_t from, std::string_view name) {
  while ((from = text.find("</", from)) != std::string_view::npos) {
    if (starts_with_name(text, from + 2, name)) return from;
    from += 2;
  }
  return std::string_view::npos;
}

bool is_left_out(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_IFRAME: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_SELECT:
    case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED: case GUMBO_TAG_CANVAS: case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_INPUT: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_AUDIO: case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_MAP: case GUMBO_TAG_OPTION: case GUMBO_TAG_DATALIST:
      return true;
    default:
      return false;
  }
}

// Elements that stay open until closed: they make the tree deeper. Void elements and those an
// HTML parser closes by itself when a sibling starts (p, li, td, ...) do not.
bool nests(std::string_view name) {
  static constexpr std::string_view kFlat[] = {
      "p",    "li",    "td",   "th",   "tr",     "dt",    "dd",    "option", "br",  "img",  "input", "meta",
      "link", "hr",    "wbr",  "source", "area", "base",  "col",   "embed",  "param", "track", "keygen", "html",
      "head", "body",  "tbody", "thead", "tfoot", "colgroup", "optgroup", "rt", "rp"};
  return std::find(std::begin(kFlat), std::end(kFlat), name) == std::end(kFlat);
}

}  // namespace

bool is_block_level(GumboTag tag) {
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

PreparedMarkup prepare_markup(std::string_view html) {
  PreparedMarkup prepared;
  std::string& out = prepared.markup;
  out.reserve(std::min(html.size(), kMaxMarkupBytes));
  int depth = 0;
  bool flattened = false;
  std::size_t at = 0;
  auto finish = [&]() -> PreparedMarkup {
    if (out.size() > kMaxMarkupBytes) {
      // Cut before a tag, so that no character or tag is split.
      const std::size_t cut = out.rfind('<', kMaxMarkupBytes);
      out.resize(cut == std::string::npos ? kMaxMarkupBytes : cut);
      prepared.problem = "page cut at " + std::to_string(kMaxMarkupBytes >> 20) + " MiB of markup";
    }
    if (flattened) {
      if (!prepared.problem.empty()) prepared.problem += "; ";
      prepared.problem += "elements nested deeper than " + std::to_string(kMaxDepth) + " flattened";
    }
    return std::move(prepared);
  };
  while (at < html.size()) {
    if (out.size() > kMaxMarkupBytes) return finish();
    const std::size_t open = html.find('<', at);
    if (open == std::string_view::npos) break;
    out.append(html, at, open - at);
    at = open;
    if (html.compare(open + 1, 3, "!--") == 0) {
      const std::size_t close = html.find("-->", open + 4);
      if (close == std::string_view::npos) return finish();  // an unclosed comment hides the rest
      at = close + 3;
      continue;
    }
    std::string_view raw;
    for (std::string_view candidate : {"script", "style", "svg"})
      if (starts_with_name(html, open + 1, candidate)) raw = candidate;
    if (raw.empty()) {
      // An ordinary tag: count the depth it opens, and drop start tags past the limit.
      const bool closing = open + 1 < html.size() && html[open + 1] == '/';
      const std::size_t name_at = open + 1 + closing;
      std::size_t name_end = name_at;
      while (name_end < html.size() && std::isalnum(static_cast<unsigned char>(html[name_end]))) ++name_end;
      const std::string name = feeds::ascii_lower(html.substr(name_at, name_end - name_at));
      if (!name.empty() && nests(name)) {
        if (closing) {
          depth = std::max(0, depth - 1);
        } else if (depth >= kMaxDepth) {
          flattened = true;
          const std::size_t tag_end = html.find('>', open);
          at = tag_end == std::string_view::npos ? html.size() : tag_end + 1;
          continue;
        } else {
          ++depth;
        }
      }
      out += '<';
      ++at;
      continue;
    }
    const std::size_t tag_end = html.find('>', open);
    const std::size_t close = tag_end == std::string_view::npos ? tag_end : find_end_tag(html, tag_end, raw);
    if (close == std::string_view::npos) return finish();  // raw text runs to the end of the page
    if (raw == "script") {
      const std::string open_tag = feeds::ascii_lower(html.substr(open, tag_end - open));
      if (open_tag.find("ld+json") != std::string::npos)
        prepared.json_ld.emplace_back(html.substr(tag_end + 1, close - tag_end - 1));
    }
    const std::size_t close_end = html.find('>', close);
    at = close_end == std::string_view::npos ? html.size() : close_end + 1;
    out += ' ';
  }
  if (at < html.size()) out.append(html, at);
  return finish();
}

PageDom::PageDom(std::string_view html) : PageDom(prepare_markup(html)) {}

PageDom::PageDom(PreparedMarkup prepared)
    : json_ld_(std::move(prepared.json_ld)),
      markup_(std::move(prepared.markup)),
      problem_(std::move(prepared.problem)),
      document_(markup_) {
  nodes_.reserve(markup_.size() / 40);
  struct Frame {
    const GumboNode* node;
    int index;
    unsigned next_child;
  };
  std::vector<Frame> stack;
  auto enter = [&](const GumboNode* node, int parent) {
    PageNode laid;
    laid.source = node;
    laid.parent = parent;
    if (node->type == GUMBO_NODE_ELEMENT) {
      laid.tag = node->v.element.tag;
    } else {
      laid.is_text = true;
      laid.text = node->v.text.text;
    }
    nodes_.push_back(laid);
    const int index = static_cast<int>(nodes_.size()) - 1;
    if (laid.is_text) {
      nodes_.back().end = index + 1;
      return;
    }
    if (laid.tag == GUMBO_TAG_HTML) html_ = index;
    if (laid.tag == GUMBO_TAG_HEAD && head_ < 0) head_ = index;
    if (laid.tag == GUMBO_TAG_BODY && body_ < 0) body_ = index;
    stack.push_back({node, index, 0});
  };
  enter(document_.root(), -1);
  while (!stack.empty()) {
    Frame& frame = stack.back();
    const GumboVector& children = frame.node->v.element.children;
    if (frame.next_child == children.length) {
      nodes_[static_cast<std::size_t>(frame.index)].end = static_cast<int>(nodes_.size());
      stack.pop_back();
      continue;
    }
    const auto* child = static_cast<const GumboNode*>(children.data[frame.next_child++]);
    const int parent = frame.index;
    switch (child->type) {
      case GUMBO_NODE_ELEMENT:
        if (!is_left_out(child->v.element.tag)) enter(child, parent);
        break;
      case GUMBO_NODE_TEXT: case GUMBO_NODE_CDATA: case GUMBO_NODE_WHITESPACE:
        enter(child, parent);
        break;
      default:
        break;
    }
  }
}

void append_collapsed(std::string& out, std::string_view text, bool& space) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool no_break_space = c == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0';
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || no_break_space) {
      if (no_break_space) ++i;
      space = true;
      continue;
    }
    if (space && !out.empty() && out.back() != '\n') out += ' ';
    space = false;
    out += c;
  }
}

std::string PageDom::text_of(int index) const {
  std::string out;
  bool space = false;
  for (int i = index; i < (*this)[index].end; ++i)
    if ((*this)[i].is_text) append_collapsed(out, (*this)[i].text, space);
  return out;
}

bool PageDom::has_attribute(int index, const char* name) const noexcept {
  const PageNode& node = (*this)[index];
  return !node.is_text && gumbo_get_attribute(&node.source->v.element.attributes, name) != nullptr;
}

std::string_view PageDom::attribute(int index, const char* name) const noexcept {
  const PageNode& node = (*this)[index];
  if (node.is_text) return {};
  const GumboAttribute* attribute = gumbo_get_attribute(&node.source->v.element.attributes, name);
  return attribute ? std::string_view(attribute->value) : std::string_view();
}

}  // namespace sluice::pipeline
