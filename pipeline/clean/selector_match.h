// Which elements of a page a CSS selector (config/selector.h) matches: the whole page at once, in
// one pass per compound of each alternative, parents before children, so a chain of descendant
// and child combinators costs time linear in the page whatever its depth or the chain.
#pragma once

#include <vector>

#include "config/selector.h"
#include "pipeline/clean/page_dom.h"

namespace sluice::pipeline {

// One flag per node of dom: whether the selector matches it (text nodes never match).
std::vector<char> select_elements(const PageDom& dom, const config::Selector& selector);

}  // namespace sluice::pipeline
