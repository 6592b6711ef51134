// The CSS selector subset an HTML feed uses to find its article links: type selectors (`a`),
// classes (`.teaser`), ids (`#main`), attributes (`[href]`, `[rel=bookmark]`, `[href*=/news/]`,
// `[href^=https]`, `[href$=.html]`), the descendant combinator (`main article a`) and groups
// (`h2 a, h3 a`). Parsing is pure text, so configuration errors are found at load time.
#pragma once

#include <expected>
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
};

// Comma-separated alternatives, each a chain of compounds joined by descendant combinators.
struct Selector {
  std::string text;  // as written, for messages
  std::vector<std::vector<SimpleSelector>> alternatives;
};

// The selector, or what is wrong with it ("unexpected '>' at 7: only the descendant combinator is
// supported").
std::expected<Selector, std::string> parse_selector(std::string_view text);

}  // namespace sluice::config
