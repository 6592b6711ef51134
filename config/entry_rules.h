// Keep and block rules of a feed: a field of the article and a regular expression. The expressions
// are RE2's: compiled when the configuration is loaded (a bad one is a configuration error, never
// a runtime failure), and matched in time linear in the text, without recursion, so an article
// of any size, written by anyone, costs a bounded time and stack whatever the expression.
#pragma once

#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.h"

namespace re2 {
class RE2;
}

namespace sluice::config {

struct EntryRule {
  enum class Field { title, text, url, author, tags, language };
  Field field = Field::title;
  std::string pattern;  // as written
  Position position;    // where the expression is, for messages

  // Whether the expression is found anywhere in text (anchor it with ^ and $ to match the whole).
  bool found_in(std::string_view text) const;

  std::shared_ptr<const re2::RE2> regex;  // compiled; shared by copies of the configuration
};

// The field names, in the order of EntryRule::Field.
inline constexpr std::string_view kRuleFields[] = {"title", "text", "url", "author", "tags", "language"};

std::string_view field_name(EntryRule::Field field) noexcept;

// The field of that name, or why there is none ("unknown field 'titel' (did you mean 'title'?); ...").
std::expected<EntryRule::Field, std::string> rule_field(std::string_view name);

// The rule, or why the expression is not one ("'(?i)foo(' is not a valid regular expression:
// missing ): (?i)foo(").
std::expected<EntryRule, std::string> make_rule(EntryRule::Field field, std::string pattern);

// The rules of one feed: its own after those of `defaults`.
struct EntryRules {
  std::vector<EntryRule> keep;   // when there are any, an item must match one of them
  std::vector<EntryRule> block;  // an item that matches any of them is not published

  bool empty() const noexcept { return keep.empty() && block.empty(); }
};

}  // namespace sluice::config
