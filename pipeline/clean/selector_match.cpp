#include "pipeline/clean/selector_match.h"

#include <algorithm>

#include "feeds/text.h"

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

bool matches_compound(const PageDom& dom, int index, const config::SimpleSelector& simple) {
  if (dom[index].is_text) return false;
  if (!simple.tag.empty() && simple.tag != "*" && !feeds::iequals(dom.tag_name(index), simple.tag)) return false;
  if (!simple.id.empty() && dom.attribute(index, "id") != simple.id) return false;
  const std::string_view classes = dom.attribute(index, "class");
  for (const std::string& wanted : simple.classes)
    if (!has_class(classes, wanted)) return false;
  for (const config::AttributeTest& test : simple.attributes) {
    if (!dom.has_attribute(index, test.name)) return false;
    const std::string_view value = dom.attribute(index, test.name);
    switch (test.op) {
      case config::AttributeTest::Op::exists: break;
      case config::AttributeTest::Op::equals: if (value != test.value) return false; break;
      case config::AttributeTest::Op::contains: if (value.find(test.value) == std::string_view::npos) return false; break;
      case config::AttributeTest::Op::prefix: if (!value.starts_with(test.value)) return false; break;
      case config::AttributeTest::Op::suffix: if (!value.ends_with(test.value)) return false; break;
    }
  }
  return std::none_of(simple.exclusions.begin(), simple.exclusions.end(),
                      [&](const config::SimpleSelector& excluded) { return matches_compound(dom, index, excluded); });
}

}  // namespace

std::vector<char> select_elements(const PageDom& dom, const config::Selector& selector) {
  const auto size = static_cast<std::size_t>(dom.size());
  std::vector<char> out(size, 0);
  // For compound k of a chain: matched[n], the chain up to k matches at node n; below[n], it
  // matches at some ancestor of n. Each comes from the parent's, computed first.
  std::vector<char> matched(size), below(size), previous_matched(size), previous_below(size);
  for (const auto& chain : selector.alternatives) {
    for (std::size_t k = 0; k < chain.size(); ++k) {
      for (std::size_t n = 0; n < size; ++n) {
        const int parent = dom[static_cast<int>(n)].parent;
        const auto up = static_cast<std::size_t>(parent);
        bool holds = matches_compound(dom, static_cast<int>(n), chain[k]);
        if (holds && k > 0) {
          holds = parent >= 0 && (chain[k].combinator == config::SimpleSelector::Combinator::child
                                      ? previous_matched[up]
                                      : previous_matched[up] || previous_below[up]);
        }
        matched[n] = holds;
        below[n] = parent >= 0 && (matched[up] || below[up]);
      }
      previous_matched.swap(matched);
      previous_below.swap(below);
    }
    for (std::size_t n = 0; n < size; ++n) out[n] = out[n] || previous_matched[n];
  }
  return out;
}

}  // namespace sluice::pipeline
