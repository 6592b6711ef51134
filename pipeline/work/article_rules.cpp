#include "pipeline/work/article_rules.h"

#include <algorithm>

namespace sluice::pipeline {
namespace {

using Field = config::EntryRule::Field;

// The article's text as the rules see it: its paragraphs as the published "text" joins them.
class TextOnce {
 public:
  explicit TextOnce(const feeds::Article& article) : article_(article) {}

  const std::string& get() {
    if (!made_) {
      made_ = true;
      if (article_.paragraphs.empty()) {
        text_ = article_.summary;
      } else {
        for (const std::string& paragraph : article_.paragraphs) text_ += (text_.empty() ? "" : "\n\n") + paragraph;
      }
    }
    return text_;
  }

 private:
  const feeds::Article& article_;
  bool made_ = false;
  std::string text_;
};

bool matches(const config::EntryRule& rule, const feeds::Article& article, TextOnce& text) {
  const auto any = [&](const std::vector<std::string>& values) {
    return std::ranges::any_of(values, [&](const std::string& value) { return rule.found_in(value); });
  };
  switch (rule.field) {
    case Field::title: return rule.found_in(article.title);
    case Field::text: return rule.found_in(text.get());
    case Field::url: return rule.found_in(article.url.value_or(""));
    case Field::author: return any(article.authors);
    case Field::tags: return any(article.tags);
    case Field::language: return rule.found_in(article.language.value_or(""));
  }
  return false;
}

}  // namespace

std::string blocked_by(const config::EntryRules& rules, const feeds::Article& article) {
  if (rules.empty()) return {};
  TextOnce text(article);
  for (const config::EntryRule& rule : rules.block)
    if (matches(rule, article, text)) return "block " + std::string(config::field_name(rule.field)) + " ~ " + rule.pattern;
  if (rules.keep.empty()) return {};
  for (const config::EntryRule& rule : rules.keep)
    if (matches(rule, article, text)) return {};
  return "no keep rule matched";
}

}  // namespace sluice::pipeline
