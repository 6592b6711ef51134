#include "pipeline/clean/link_discovery.h"

#include <algorithm>

#include "feeds/text.h"
#include "feeds/urls.h"

namespace sluice::pipeline {
namespace {

bool has_class(std::string_view classes, std::string_view wanted) {
  std::size_t at = 0;
  while (at < classes.size()) {
    std::size_t end = classes.find_first_of(" \t\n\r\f", at);
    if (end == std::string_view::npos) end = classes.size();
    if (classes.substr(at, end - at) == wanted) return true;
    at = end + 1;
  }
  return false;
}

std::string_view tag_name(const PageDom& dom, int index) {
  const GumboNode* node = dom[index].source;
  if (dom[index].tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(dom[index].tag);
  GumboStringPiece original = node->v.element.original_tag;
  gumbo_tag_from_original_text(&original);
  return {original.data, original.length};
}

bool matches_simple(const PageDom& dom, int index, const config::SimpleSelector& simple) {
  if (dom[index].is_text) return false;
  if (!simple.tag.empty() && simple.tag != "*" && !feeds::iequals(tag_name(dom, index), simple.tag)) return false;
  if (!simple.id.empty() && dom.attribute(index, "id") != simple.id) return false;
  const std::string_view classes = dom.attribute(index, "class");
  for (const std::string& wanted : simple.classes)
    if (!has_class(classes, wanted)) return false;
  for (const config::AttributeTest& test : simple.attributes) {
    if (!dom.has_attribute(index, test.name.c_str())) return false;
    const std::string_view value = dom.attribute(index, test.name.c_str());
    switch (test.op) {
      case config::AttributeTest::Op::exists: break;
      case config::AttributeTest::Op::equals: if (value != test.value) return false; break;
      case config::AttributeTest::Op::contains: if (value.find(test.value) == std::string_view::npos) return false; break;
      case config::AttributeTest::Op::prefix: if (!value.starts_with(test.value)) return false; break;
      case config::AttributeTest::Op::suffix: if (!value.ends_with(test.value)) return false; break;
    }
  }
  return true;
}

// With descendant combinators only, matching each earlier compound at the nearest ancestor that
// satisfies it is exact.
bool matches_chain(const PageDom& dom, int index, const std::vector<config::SimpleSelector>& chain) {
  if (chain.empty() || !matches_simple(dom, index, chain.back())) return false;
  int ancestor = dom[index].parent;
  for (auto step = chain.rbegin() + 1; step != chain.rend(); ++step) {
    while (ancestor >= 0 && !matches_simple(dom, ancestor, *step)) ancestor = dom[ancestor].parent;
    if (ancestor < 0) return false;
    ancestor = dom[ancestor].parent;
  }
  return true;
}

std::string_view link_of(const PageDom& dom, int index) {
  for (int i = index; i < dom[index].end; ++i)
    if (dom[i].tag == GUMBO_TAG_A && dom.has_attribute(i, "href")) return dom.attribute(i, "href");
  return {};
}

}  // namespace

bool matches(const PageDom& dom, int index, const config::Selector& selector) {
  return std::any_of(selector.alternatives.begin(), selector.alternatives.end(),
                     [&](const auto& chain) { return matches_chain(dom, index, chain); });
}

std::vector<std::string> discover_links(const PageDom& dom, const config::Selector& selector, std::string_view base_url,
                                        std::size_t limit) {
  std::vector<std::string> out;
  const int root = dom.body() >= 0 ? dom.body() : dom.html();
  if (root < 0) return out;
  for (int i = root; i < dom[root].end && out.size() < limit; ++i) {
    if (!matches(dom, i, selector)) continue;
    const std::string_view href = feeds::trim_view(link_of(dom, i));
    if (href.empty() || href.front() == '#') continue;
    std::string url = feeds::canonical_url(feeds::resolve_url(base_url, href));
    if (!url.starts_with("http://") && !url.starts_with("https://")) continue;
    if (std::find(out.begin(), out.end(), url) == out.end()) out.push_back(std::move(url));
  }
  return out;
}

}  // namespace sluice::pipeline
