// The CSS selector subset of a feed's `links` (an HTML feed's article links), `content` and
// `remove` (the parts of its pages): type selectors (`a`), classes (`.teaser`), ids (`#main`),
// attributes (`[href]`, `[rel=bookmark]`, `[href*=/news/]`, `[href^=https]`, `[href$=.html]`),
// negation (`div:not(.ad, #promo)`, of compound selectors), the descendant and child combinators
// (`main article a`, `article > p`) and groups (`h2 a, h3 a`). Parsing is pure text, so
// configuration errors are found at load time.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::config {

struct AttributeTest {
  enum class Op { exists, equals, contains, prefix, suffix };
  std::string name;  // lower case
  Op op = Op::exists;
  std::string value;
};

// One compound selector: every part must hold for the same element.
struct SimpleSelector {
  std::string tag;  // lower case; "" or "*" for any
  std::string id;
  std::vector<std::string> classes;
  std::vector<AttributeTest> attributes;
  std::vector<SimpleSelector> exclusions;  // :not(...): none of these may hold
  // How the element relates to the one the previous compound of the chain matched.
  enum class Combinator { descendant, child } combinator = Combinator::descendant;
};

// Comma-separated alternatives, each a chain of compounds joined by combinators.
struct Selector {
  std::string text;  // as written, for messages
  std::vector<std::vector<SimpleSelector>> alternatives;
};

// What a feed says about its pages: `content`, the element(s) holding the article (extraction
// starts there), and `remove`, elements dropped before extraction.
struct PageRules {
  std::optional<Selector> content;
  std::vector<Selector> remove;

  bool empty() const noexcept { return !content && remove.empty(); }
};

// The selector, or what is wrong with it ("unexpected '+' at 7 (supported: ...)").
std::expected<Selector, std::string> parse_selector(std::string_view text);

}  // namespace sluice::config
