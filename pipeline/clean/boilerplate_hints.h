// What an element's class, id and role suggest about it. Page templates name their parts ("share-bar",
// "related-posts", "article-body"), and those names are the strongest generic signal of boilerplate
// after the tags themselves. Each class name is judged on its own, word by word:
//   - strong: a name with a word of a part that is never the story (comments, sharing, related or
//     recommended lists, newsletters, cookie banners, ads, captions, bylines, tags);
//   - weak: page furniture (header, footer, nav, menu, sidebar, widget) unless the same name also
//     carries a content word ("entry-header" is neutral, "sidebar" is not);
//   - negative: a word that lowers the element's score but never prunes it (widget, meta, teaser);
//   - content: a content word (article, body, content, entry, post, story, text) and no other.
#pragma once

#include <string_view>

namespace sluice::pipeline {

enum class Hint { none, content, negative, weak_boilerplate, strong_boilerplate };

// The verdict on an element from its class, id and role attributes (any may be empty).
Hint classify_hints(std::string_view class_names, std::string_view id, std::string_view role);

// A readability-style weight from the same verdict: +25 content, -25 either boilerplate, 0 none.
int hint_weight(Hint hint) noexcept;

}  // namespace sluice::pipeline
