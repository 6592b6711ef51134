#include "pipeline/clean/page_dom.h"

#include "feeds/html/html_text.h"
#include "feeds/html/invisible_elements.h"
#include "feeds/text.h"

namespace sluice::pipeline {

PageDom::PageDom(std::string_view html) : document_(html) {
  nodes_.reserve(html.size() / 80);
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
        if (!feeds::is_invisible(child->v.element.tag)) enter(child, parent);
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
  // A line break, and the start and end of a block-level element, part words as a reader sees them.
  std::vector<int> block_ends;
  for (int i = index; i < (*this)[index].end; ++i) {
    for (; !block_ends.empty() && i >= block_ends.back(); block_ends.pop_back()) space = true;
    const PageNode& node = (*this)[i];
    if (node.is_text) {
      append_collapsed(out, node.text, space);
    } else if (node.tag == GUMBO_TAG_BR) {
      space = true;
    } else if (i != index && feeds::is_block_element(node.tag)) {
      space = true;
      block_ends.push_back(node.end);
    }
  }
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
