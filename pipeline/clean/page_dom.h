// A flat, read-only view of an HTML page for the cleaning stage.
//
// The markup is first prepared (feeds::prepare_markup: what a reader never sees dropped, size and
// depth bounded). Markup as simple as most feed items are is then laid out directly
// (simple_markup.h); anything else is parsed by gumbo as an HTML5 browser would, to the same
// tree. The tree is laid out in document order: each node knows its parent and where its
// subtree ends, so the stage walks it without recursion and marks nodes instead of editing the
// tree. Subtrees a reader never sees as text (forms controls, embeds, media, head scripts) are
// left out of the layout.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/html/gumbo_document.h"

namespace sluice::pipeline {

struct PageNode {
  GumboTag tag = GUMBO_TAG_UNKNOWN;  // GUMBO_TAG_UNKNOWN for text and unknown elements alike
  bool is_text = false;
  int parent = -1;
  int end = 0;  // one past the last node of the subtree
  // A text node's text; an unknown element's name as written (gumbo has no tag for it).
  std::string_view text;
  std::uint32_t attributes_begin = 0;  // the element's attributes in PageLayout::attributes
  std::uint32_t attributes_end = 0;
};

// An attribute: the name lower-cased, the value with character references decoded.
struct PageAttribute {
  std::string_view name;
  std::string_view value;
};

// The nodes of a page in document order, and what they point into.
struct PageLayout {
  std::vector<PageNode> nodes;
  std::vector<PageAttribute> attributes;
  std::string text;  // decoded text and values, where the simple layout keeps them
  int html = -1;
  int head = -1;
  int body = -1;
};

class PageDom {
 public:
  explicit PageDom(std::string_view html);
  PageDom(const PageDom&) = delete;  // the nodes point into the page's own buffers
  PageDom& operator=(const PageDom&) = delete;

  // What had to be cut or flattened to read the page, "" when nothing.
  const std::string& problem() const noexcept { return problem_; }

  const std::vector<PageNode>& nodes() const noexcept { return layout_.nodes; }
  const PageNode& operator[](int index) const noexcept { return layout_.nodes[static_cast<std::size_t>(index)]; }
  int size() const noexcept { return static_cast<int>(layout_.nodes.size()); }

  // The <html>, <head> and <body> elements; -1 when absent.
  int html() const noexcept { return layout_.html; }
  int head() const noexcept { return layout_.head; }
  int body() const noexcept { return layout_.body; }

  // An element's attributes in the order written (a repeated name only the first time).
  std::span<const PageAttribute> attributes(int index) const noexcept;

  // The value of an element's attribute, "" when it has none.
  std::string_view attribute(int index, std::string_view name) const noexcept;

  bool has_attribute(int index, std::string_view name) const noexcept;

  // An element's tag name, lower case for the elements gumbo knows.
  std::string_view tag_name(int index) const noexcept;

  // Whether the page was laid out without gumbo (simple_markup.h).
  bool laid_out_simply() const noexcept { return gumbo_ == nullptr; }

  // All the text under a node, white space collapsed to single spaces and trimmed; line breaks and
  // block-level elements part words.
  std::string text_of(int index) const;

  // The text of the <script type="application/ld+json"> blocks, in document order.
  const std::vector<std::string>& json_ld() const noexcept { return json_ld_; }

  // How gumbo's tree is laid out: the fallback, and what tests hold the simple layout to.
  static void lay_out_gumbo(const GumboNode* root, PageLayout& layout);

 private:
  std::string problem_;
  std::vector<std::string> json_ld_;
  std::string markup_;  // what the simple layout read; texts may point into it
  std::unique_ptr<feeds::GumboDocument> gumbo_;  // when the markup was not simple
  PageLayout layout_;
};

// Appends text with runs of white space (no-break spaces included) collapsed to one space. `space`
// carries a pending space between calls; none is written before the first character of `out`.
void append_collapsed(std::string& out, std::string_view text, bool& space);

}  // namespace sluice::pipeline
