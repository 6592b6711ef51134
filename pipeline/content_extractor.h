// Finds the main content of a page, readability-style, and returns it as blocks.
//
// 1. Prune: hidden elements, page furniture by tag (nav, aside, footer, header) and parts named as
//    boilerplate by their class, id or role (see boilerplate_hints.h). An element holding most of
//    the page's text is a wrapper and is never pruned for its name alone.
// 2. Score: each paragraph-like element with some text scores 1 + its commas + one point per 100
//    characters (at most 3), and hands that to its ancestors (halving, then thinning out with
//    distance); an ancestor starts from a weight for its tag and its hints, and ends multiplied by
//    1 - link density. The best ancestor is the article; ancestors that several strong candidates
//    share, and siblings that score close or read as prose, are taken in with it.
// 3. Collect: the chosen subtrees become blocks; link lists, captions and furniture left inside
//    them are dropped block by block.
// 4. Trim: fragments (dates, bylines, labels) before the first and after the last paragraph go.
// When a pass yields less than a short article, the page is read again pruning only what is never
// the story, then only hidden parts; the first pass that yields enough (else the longest) wins.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/blocks.h"
#include "pipeline/page_dom.h"

namespace sluice::pipeline {

// explain, when given, receives one line per decision: pruned elements, the best candidates and
// the containers taken (what `sluice extract --explain` prints).
std::vector<Block> extract_content(const PageDom& dom, std::string_view base_url, std::string* explain = nullptr);

}  // namespace sluice::pipeline
