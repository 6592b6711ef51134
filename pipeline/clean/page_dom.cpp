#include "pipeline/clean/page_dom.h"

#include <algorithm>
#include <utility>

#include "feeds/html/html_text.h"
#include "feeds/html/invisible_elements.h"
#include "feeds/text.h"
#include "pipeline/clean/simple_markup.h"

namespace sluice::pipeline {

PageDom::PageDom(std::string_view html) {
  feeds::PreparedMarkup prepared = feeds::prepare_markup(html);
  problem_ = std::move(prepared.problem);
  json_ld_ = std::move(prepared.json_ld);
  markup_ = std::move(prepared.markup);
  if (lay_out_simple_markup(markup_, layout_)) return;
  layout_ = PageLayout{};
  prepared.markup = std::move(markup_);
  markup_.clear();
  layout_.nodes.reserve(prepared.markup.size() / 80);
  gumbo_ = std::make_unique<feeds::GumboDocument>(std::move(prepared));
  lay_out_gumbo(gumbo_->root(), layout_);
}

void PageDom::lay_out_gumbo(const GumboNode* root, PageLayout& layout) {
  std::vector<PageNode>& nodes = layout.nodes;
  struct Frame {
    const GumboNode* node;
    int index;
    unsigned next_child;
  };
  std::vector<Frame> stack;
  auto enter = [&](const GumboNode* node, int parent) {
    PageNode laid;
    laid.parent = parent;
    if (node->type == GUMBO_NODE_ELEMENT) {
      const GumboElement& element = node->v.element;
      laid.tag = element.tag;
      if (laid.tag == GUMBO_TAG_UNKNOWN) {
        GumboStringPiece name = element.original_tag;
        gumbo_tag_from_original_text(&name);
        laid.text = {name.data, name.length};
      }
      laid.attributes_begin = static_cast<std::uint32_t>(layout.attributes.size());
      for (unsigned k = 0; k < element.attributes.length; ++k) {
        const auto* attribute = static_cast<const GumboAttribute*>(element.attributes.data[k]);
        layout.attributes.push_back({attribute->name, attribute->value});
      }
      laid.attributes_end = static_cast<std::uint32_t>(layout.attributes.size());
    } else {
      laid.is_text = true;
      laid.text = node->v.text.text;
    }
    nodes.push_back(laid);
    const int index = static_cast<int>(nodes.size()) - 1;
    if (laid.is_text) {
      nodes.back().end = index + 1;
      return;
    }
    if (laid.tag == GUMBO_TAG_HTML) layout.html = index;
    if (laid.tag == GUMBO_TAG_HEAD && layout.head < 0) layout.head = index;
    if (laid.tag == GUMBO_TAG_BODY && layout.body < 0) layout.body = index;
    stack.push_back({node, index, 0});
  };
  enter(root, -1);
  while (!stack.empty()) {
    Frame& frame = stack.back();
    const GumboVector& children = frame.node->v.element.children;
    if (frame.next_child == children.length) {
      nodes[static_cast<std::size_t>(frame.index)].end = static_cast<int>(nodes.size());
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

std::span<const PageAttribute> PageDom::attributes(int index) const noexcept {
  const PageNode& node = (*this)[index];
  return std::span(layout_.attributes).subspan(node.attributes_begin, node.attributes_end - node.attributes_begin);
}

bool PageDom::has_attribute(int index, std::string_view name) const noexcept {
  return std::ranges::any_of(attributes(index),
                             [name](const PageAttribute& attribute) { return feeds::iequals(attribute.name, name); });
}

std::string_view PageDom::attribute(int index, std::string_view name) const noexcept {
  for (const PageAttribute& attribute : attributes(index))
    if (feeds::iequals(attribute.name, name)) return attribute.value;
  return {};
}

std::string_view PageDom::tag_name(int index) const noexcept {
  const PageNode& node = (*this)[index];
  if (node.is_text) return {};
  return node.tag == GUMBO_TAG_UNKNOWN ? node.text : std::string_view(gumbo_normalized_tagname(node.tag));
}

}  // namespace sluice::pipeline
