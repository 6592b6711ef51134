#include "feeds/html/gumbo_document.h"

#include <algorithm>
#include <cctype>
#include <new>
#include <utility>

#include "feeds/html/invisible_elements.h"
#include "feeds/text.h"

namespace sluice::feeds {
namespace {

bool starts_with_name(std::string_view text, std::size_t at, std::string_view name) {
  if (at + name.size() > text.size() || !iequals(text.substr(at, name.size()), name)) return false;
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
    for (const InvisibleElement& element : kInvisibleElements)
      if (element.dropped_before_parse && starts_with_name(html, open + 1, element.name)) raw = element.name;
    if (raw.empty()) {
      // An ordinary tag: count the depth it opens, and drop start tags past the limit.
      const bool closing = open + 1 < html.size() && html[open + 1] == '/';
      const std::size_t name_at = open + 1 + closing;
      std::size_t name_end = name_at;
      while (name_end < html.size() && std::isalnum(static_cast<unsigned char>(html[name_end]))) ++name_end;
      const std::string name = ascii_lower(html.substr(name_at, name_end - name_at));
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
      const std::string open_tag = ascii_lower(html.substr(open, tag_end - open));
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

GumboDocument::GumboDocument(std::string_view html) : GumboDocument(prepare_markup(html)) {}

GumboDocument::GumboDocument(PreparedMarkup prepared)
    : prepared_(std::move(prepared)),
      output_(gumbo_parse_with_options(&kGumboDefaultOptions, prepared_.markup.data(), prepared_.markup.size())) {
  if (!output_) throw std::bad_alloc();
}

GumboDocument::~GumboDocument() { gumbo_destroy_output(&kGumboDefaultOptions, output_); }

}  // namespace sluice::feeds
