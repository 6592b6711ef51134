// Turns page subtrees into Blocks the way a reader sees them: block-level elements and double line
// breaks end a paragraph, inline markup flows into it. Inline formatting survives into each block's
// HTML through an allowlist (links with absolute http(s) URLs, emphasis, code, sub/sup, line
// breaks); everything else is reduced to its text. What a <figure> holds besides its media (a
// figcaption, a credit line) becomes caption blocks; the first image met is the lead image.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/clean/blocks.h"
#include "pipeline/clean/page_dom.h"

namespace sluice::pipeline {

class BlockCollector {
 public:
  // skipped[i] != 0 leaves node i and its subtree out; base_url resolves relative links.
  BlockCollector(const PageDom& dom, const std::vector<char>& skipped, std::string_view base_url);

  // Appends the blocks of the subtree at root, in document order.
  void collect(int root);

  std::vector<Block> take();

  // The first image of what was collected, as an absolute http(s) URL: the largest candidate of
  // its srcset, else a lazy loader's data-src, else its src; placeholders (data: URIs, 1x1 pixels)
  // are passed over. Empty when none.
  const std::string& image() const noexcept { return image_; }

 private:
  struct InlineTag {
    int node;
    std::string open;  // "<a href=...>", "" for an element rendered as text only
    std::string_view name;
    bool written = false;
  };

  std::string image_url(int index) const;
  void enter(int index);
  void leave(int index);
  void add_text(std::string_view text);
  void add_char_run(std::string_view run);
  void line_break();
  void flush();

  const PageDom& dom_;
  const std::vector<char>& skipped_;
  std::string base_url_;
  std::vector<Block> blocks_;
  Block current_;
  std::vector<InlineTag> inline_;
  std::vector<std::pair<Block::Kind, int>> context_;
  bool space_ = false;
  int breaks_ = 0;
  int link_depth_ = 0;
  int pre_depth_ = 0;
  int figure_depth_ = 0;
  std::string image_;
};

}  // namespace sluice::pipeline
