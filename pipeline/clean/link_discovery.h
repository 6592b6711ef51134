// Finds the article links of an HTML feed: the elements a CSS selector (config/selector.h) matches
// on the page, each giving its own href (a link) or its first link inside (a teaser card).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "config/selector.h"
#include "pipeline/clean/page_dom.h"

namespace sluice::pipeline {

// The links, absolute (against base_url) and canonical, http(s) only, each once, in page order, at
// most `limit` of them.
std::vector<std::string> discover_links(const PageDom& dom, const config::Selector& selector, std::string_view base_url,
                                        std::size_t limit);

}  // namespace sluice::pipeline
