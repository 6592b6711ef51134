// Finds the main content of a page, readability-style, and returns it as blocks.
//
// 1. Prune: hidden elements (unless the page streams its text in hidden chunks), captions, page
//    furniture by tag (nav, aside, footer, header) and parts named as boilerplate by their class,
//    id or role (see boilerplate_hints.h). An element holding most of the page's text is a wrapper
//    and is never pruned for its name alone.
// 2. Score: each paragraph (a <p>, a block-free <div>, or text running loose between blocks) with
//    some text scores 2 + its commas + one point per 100 characters (at most 3), and hands that to
//    its ancestors (halving, then thinning out with distance); an ancestor starts from a weight for
//    its tag and its hints, and ends multiplied by 1 - link density. The best ancestor is the
//    article; an ancestor that several strong candidates share replaces it, and so does the nearest
//    ancestor holding half of the page's prose when it holds under a quarter; siblings that score
//    close or read as prose are taken in with it.
// 3. Collect: the chosen subtrees become blocks; blocks that are nearly all links are dropped.
// 4. Trim: fragments (dates, bylines, labels) before the first and after the last paragraph go,
//    and so does everything from a heading that opens an appendix ("Related", "Comments").
// When a pass yields less than a short article, the page is read again pruning only what is never
// the story, then only hidden parts; the first pass that yields enough (else the longest) wins.
//
// A feed's page rules change where this starts: elements its `remove` selectors match are gone
// before step 1, and the elements its `content` selector matches are the article (steps 1, 3 and
// 4 inside them, no scoring). A content selector that matches nothing is reported, and the page
// read as if there were none.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/selector.h"
#include "pipeline/clean/blocks.h"
#include "pipeline/clean/page_dom.h"

namespace sluice::pipeline {

struct Extracted {
  std::vector<Block> blocks;
  bool content_missed = false;  // the rules' content selector matched nothing on this page
};

// explain, when given, receives one line per decision: elements removed by rule, pruned elements,
// the best candidates and the containers taken (what `sluice extract --explain` prints).
Extracted extract_content(const PageDom& dom, std::string_view base_url, std::string* explain = nullptr,
                          const config::PageRules* rules = nullptr);

}  // namespace sluice::pipeline
