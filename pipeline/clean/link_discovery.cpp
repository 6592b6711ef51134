#include "pipeline/clean/link_discovery.h"

#include <algorithm>

#include "feeds/text.h"
#include "feeds/urls.h"
#include "pipeline/clean/selector_match.h"

namespace sluice::pipeline {
namespace {

std::string_view link_of(const PageDom& dom, int index) {
  for (int i = index; i < dom[index].end; ++i)
    if (dom[i].tag == GUMBO_TAG_A && dom.has_attribute(i, "href")) return dom.attribute(i, "href");
  return {};
}

}  // namespace

std::vector<std::string> discover_links(const PageDom& dom, const config::Selector& selector, std::string_view base_url,
                                        std::size_t limit) {
  std::vector<std::string> out;
  const int root = dom.body() >= 0 ? dom.body() : dom.html();
  if (root < 0) return out;
  const std::vector<char> selected = select_elements(dom, selector);
  for (int i = root; i < dom[root].end && out.size() < limit; ++i) {
    if (!selected[static_cast<std::size_t>(i)]) continue;
    const std::string_view href = feeds::trim_view(link_of(dom, i));
    if (href.empty() || href.front() == '#') continue;
    std::string url = feeds::canonical_url(feeds::resolve_url(base_url, href));
    if (!url.starts_with("http://") && !url.starts_with("https://")) continue;
    if (std::find(out.begin(), out.end(), url) == out.end()) out.push_back(std::move(url));
  }
  return out;
}

}  // namespace sluice::pipeline
