// A flat, read-only view of an HTML page for the cleaning stage.
//
// The page is parsed by feeds::GumboDocument, which first drops what a reader never sees and
// bounds size and depth. The parsed tree is then laid out in document order: each node knows its parent and
// where its subtree ends, so the stage walks it without recursion and marks nodes instead of
// editing the tree. Subtrees a reader never sees as text (forms controls, embeds, media, head
// scripts) are left out of the layout.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "feeds/html/gumbo_document.h"

namespace sluice::pipeline {

struct PageNode {
  GumboTag tag = GUMBO_TAG_UNKNOWN;  // GUMBO_TAG_UNKNOWN for text and unknown elements alike
  bool is_text = false;
  const GumboNode* source = nullptr;
  int parent = -1;
  int end = 0;            // one past the last node of the subtree
  std::string_view text;  // text nodes only
};

class PageDom {
 public:
  explicit PageDom(std::string_view html);

  // What had to be cut or flattened to read the page, "" when nothing.
  const std::string& problem() const noexcept { return document_.problem(); }

  const std::vector<PageNode>& nodes() const noexcept { return nodes_; }
  const PageNode& operator[](int index) const noexcept { return nodes_[static_cast<std::size_t>(index)]; }
  int size() const noexcept { return static_cast<int>(nodes_.size()); }

  // The <html>, <head> and <body> elements; -1 when absent.
  int html() const noexcept { return html_; }
  int head() const noexcept { return head_; }
  int body() const noexcept { return body_; }

  // The value of an element's attribute, "" when it has none.
  std::string_view attribute(int index, const char* name) const noexcept;

  bool has_attribute(int index, const char* name) const noexcept;

  // All the text under a node, white space collapsed to single spaces and trimmed; line breaks and
  // block-level elements part words.
  std::string text_of(int index) const;

  // The text of the <script type="application/ld+json"> blocks, in document order.
  const std::vector<std::string>& json_ld() const noexcept { return document_.json_ld(); }

 private:
  feeds::GumboDocument document_;
  std::vector<PageNode> nodes_;
  int html_ = -1;
  int head_ = -1;
  int body_ = -1;
};

// Appends text with runs of white space (no-break spaces included) collapsed to one space. `space`
// carries a pending space between calls; none is written before the first character of `out`.
void append_collapsed(std::string& out, std::string_view text, bool& space);

}  // namespace sluice::pipeline
