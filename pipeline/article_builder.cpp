#include "pipeline/article_builder.h"

#include <algorithm>

#include "feeds/hashing.h"
#include "feeds/html_text.h"
#include "feeds/identity.h"
#include "feeds/urls.h"
#include "pipeline/simhash.h"

namespace sluice::pipeline {
namespace {

std::optional<std::string> non_empty(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

void add_unique(std::vector<std::string>& into, const std::vector<std::string>& values) {
  for (const std::string& value : values)
    if (!value.empty() && std::find(into.begin(), into.end(), value) == into.end()) into.push_back(value);
}

}  // namespace

std::string article_id(std::string_view feed_name, std::string_view entry_key) {
  return feeds::hash_hex128({feed_name, entry_key});
}

feeds::Article make_article(const config::FeedConfig& feed, const feeds::FeedInfo& info,
                            const feeds::Entry& entry, feeds::Timestamp fetched) {
  feeds::Article article;
  article.id = article_id(feed.name, feeds::entry_key(entry));
  article.feed_name = feed.name;
  article.feed_url = feed.url;
  article.feed_title = non_empty(info.title);
  if (!entry.link.empty()) article.url = feeds::canonical_url(entry.link);
  article.guid = non_empty(entry.id);
  article.title = entry.title;
  article.authors = entry.authors;
  article.published = entry.published;
  article.updated = entry.updated;
  article.fetched = fetched;
  article.language = non_empty(entry.language.empty() ? info.language : entry.language);
  add_unique(article.tags, feed.tags);
  add_unique(article.tags, entry.tags);

  const bool has_content = !entry.content.empty();
  article.paragraphs = feeds::html_paragraphs(has_content ? entry.content : entry.summary);
  if (has_content && !entry.summary.empty()) article.summary = feeds::html_to_text(entry.summary);
  else if (!article.paragraphs.empty()) article.summary = article.paragraphs.front();
  for (const std::string& paragraph : article.paragraphs)
    article.html += "<p>" + feeds::escape_html(paragraph) + "</p>";

  article.enclosures = entry.enclosures;
  article.image = non_empty(entry.image);
  article.simhash = simhash(article.paragraphs);
  article.source = feeds::Article::Source::feed;
  return article;
}

}  // namespace sluice::pipeline
