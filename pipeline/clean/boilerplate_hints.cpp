#include "pipeline/clean/boilerplate_hints.h"

#include <array>
#include <string>

namespace sluice::pipeline {
namespace {

// Prefixes, so that "comments", "sharebar", "relatedArticles" and "advertisement" match.
constexpr std::array<std::string_view, 38> kStrongPrefixes = {
    "comment", "disqus", "share", "sharing", "social", "related", "recommend", "newsletter", "subscri",
    "signup", "cookie", "consent", "gdpr", "promo", "advert", "sponsor", "outbrain", "taboola", "breadcrumb",
    "popular", "trending", "mostread", "most", "modal", "popup", "caption", "credit", "byline",
    "pagination", "pager", "toolbar", "adsbygoogle", "adslot", "adunit", "tags", "taglist", "keywords", "skiplink"};
// Whole words only: short ones that begin too many innocent words.
constexpr std::array<std::string_view, 6> kStrongWords = {"ad", "ads", "tag", "bio", "next", "prev"};
constexpr std::array<std::string_view, 12> kWeakPrefixes = {
    "header", "footer", "nav", "menu", "sidebar", "aside", "masthead", "complementary", "login", "signin",
    "search", "banner"};
// Words that lower a score but never prune: page builders wrap whole articles in "widgets".
constexpr std::array<std::string_view, 8> kNegativePrefixes = {"widget", "meta",   "extra", "teaser",
                                                               "rail",   "hidden", "print", "excerpt"};
constexpr std::array<std::string_view, 12> kContentPrefixes = {
    "article", "body", "content", "entry", "main", "post", "story", "text", "blog", "hentry", "prose", "page"};

bool has_prefix(std::string_view word, std::string_view prefix) {
  return word.size() >= prefix.size() && word[0] == prefix[0] && word.compare(0, prefix.size(), prefix) == 0;
}

Hint judge_word(std::string_view word) {
  for (std::string_view prefix : kStrongPrefixes)
    if (has_prefix(word, prefix)) return Hint::strong_boilerplate;
  if (word.size() <= 4)
    for (std::string_view whole : kStrongWords)
      if (word == whole) return Hint::strong_boilerplate;
  for (std::string_view prefix : kContentPrefixes)
    if (has_prefix(word, prefix)) return Hint::content;
  for (std::string_view prefix : kWeakPrefixes)
    if (has_prefix(word, prefix)) return Hint::weak_boilerplate;
  for (std::string_view prefix : kNegativePrefixes)
    if (has_prefix(word, prefix)) return Hint::negative;
  return Hint::none;
}

// What the words of a name, or the names of an element, said before they are weighed together.
struct Signals {
  bool strong = false, weak = false, negative = false, content = false;

  void add(Hint hint) {
    switch (hint) {
      case Hint::strong_boilerplate: strong = true; break;
      case Hint::weak_boilerplate: weak = true; break;
      case Hint::negative: negative = true; break;
      case Hint::content: content = true; break;
      case Hint::none: break;
    }
  }

  // A content signal outweighs weak and negative ones; beside a strong one it makes what the
  // caller says (inside one name, "comment-content" is still a comment).
  Hint verdict(Hint strong_beside_content) const {
    if (strong) return content ? strong_beside_content : Hint::strong_boilerplate;
    if (weak) return content ? Hint::none : Hint::weak_boilerplate;
    if (negative) return content ? Hint::none : Hint::negative;
    return content ? Hint::content : Hint::none;
  }
};

// One class name ("article-body", "shareBar"): words split at punctuation, lower-cased.
Hint judge_name(std::string_view name) {
  Signals signals;
  std::string word;
  for (char c : name) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      word += c;
    } else if (c >= 'A' && c <= 'Z') {
      word += static_cast<char>(c - 'A' + 'a');
    } else if (!word.empty()) {
      signals.add(judge_word(word));
      word.clear();
    }
  }
  if (!word.empty()) signals.add(judge_word(word));
  return signals.verdict(Hint::strong_boilerplate);
}

}  // namespace

Hint classify_hints(std::string_view class_names, std::string_view id, std::string_view role) {
  Signals signals;
  std::size_t at = 0;
  while (at < class_names.size()) {
    std::size_t end = class_names.find_first_of(" \t\n\r\f", at);
    if (end == std::string_view::npos) end = class_names.size();
    if (end > at) signals.add(judge_name(class_names.substr(at, end - at)));
    at = end + 1;
  }
  if (!id.empty()) signals.add(judge_name(id));
  if (role == "navigation" || role == "banner" || role == "contentinfo" || role == "complementary" ||
      role == "search" || role == "dialog" || role == "alertdialog" || role == "menu" || role == "menubar")
    signals.add(Hint::weak_boilerplate);
  // A content name beside a boilerplate one is a post wrapper carrying its taxonomy ("post
  // tag-politics category-news"), not a part to prune.
  return signals.verdict(Hint::negative);
}

int hint_weight(Hint hint) noexcept {
  switch (hint) {
    case Hint::content: return 25;
    case Hint::negative: case Hint::weak_boilerplate: case Hint::strong_boilerplate: return -25;
    case Hint::none: return 0;
  }
  return 0;
}

}  // namespace sluice::pipeline
