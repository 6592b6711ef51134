#include "config/entry_rules.h"

#include <re2/re2.h>

#include <algorithm>

namespace sluice::config {

bool EntryRule::found_in(std::string_view text) const { return RE2::PartialMatch(text, *regex); }

std::string_view field_name(EntryRule::Field field) noexcept { return kRuleFields[static_cast<std::size_t>(field)]; }

std::expected<EntryRule::Field, std::string> rule_field(std::string_view name) {
  const auto* found = std::ranges::find(kRuleFields, name);
  if (found != std::end(kRuleFields)) return static_cast<EntryRule::Field>(found - std::begin(kRuleFields));
  const std::string hint = closest_match(name, kRuleFields);
  return std::unexpected("unknown field '" + std::string(name) + "'" +
                         (hint.empty() ? std::string() : " (did you mean '" + hint + "'?)") +
                         "; a rule's field is one of title, text, url, author, tags, language");
}

std::expected<EntryRule, std::string> make_rule(EntryRule::Field field, std::string pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto regex = std::make_shared<const RE2>(pattern, options);
  if (!regex->ok()) return std::unexpected("'" + pattern + "' is not a valid regular expression: " + regex->error());
  EntryRule rule;
  rule.field = field;
  rule.pattern = std::move(pattern);
  rule.regex = std::move(regex);
  return rule;
}

}  // namespace sluice::config
