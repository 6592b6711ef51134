#include "pipeline/clean/article_builder.h"

#include <algorithm>

#include "feeds/hashing.h"
#include "feeds/html/html_text.h"
#include "feeds/identity.h"
#include "feeds/urls.h"
#include "pipeline/clean/block_dedup.h"
#include "pipeline/clean/simhash.h"

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

std::string plain_text(const std::optional<feeds::Text>& text) {
  if (!text) return "";
  return text->is_html() ? feeds::html_to_text(text->value) : feeds::html_to_text(feeds::escape_html(text->value));
}

}  // namespace

std::string article_id(std::string_view feed_name, std::string_view entry_key) {
  return feeds::hash_hex128({feed_name, entry_key});
}

void apply_story(const CleanedStory& story, feeds::Article& article) {
  const PageMetadata& meta = story.metadata;
  if (article.title.empty()) article.title = meta.title;
  if (!article.url && meta.url) article.url = meta.url;
  if (article.authors.empty()) article.authors = meta.authors;
  if (!article.published) article.published = meta.published;
  if (!article.updated) article.updated = meta.updated;
  if (!article.language) article.language = meta.language;
  if (!article.image) article.image = meta.image;
  article.paragraphs = blocks_text(story.blocks);
  // The words the cleaning read, for the story sketch, of the blocks that make the paragraphs (the
  // last ones: blocks_text leaves out only captions that open the story).
  article.word_hashes.clear();
  std::vector<std::uint64_t> read;
  for (std::size_t i = story.blocks.size() - article.paragraphs.size(); i < story.blocks.size(); ++i) {
    const Block& block = story.blocks[i];
    const std::vector<std::uint64_t>* words = &block.word_hashes;
    if (words->empty()) {  // not read (or without words): read now
      word_hashes(block.text, read);
      words = &read;
    }
    article.word_hashes.insert(article.word_hashes.end(), words->begin(), words->end());
  }
  article.html = blocks_html(story.blocks);
  article.summary = !meta.description.empty() ? meta.description
                    : !story.lead.empty()     ? story.lead
                    : !article.paragraphs.empty() ? article.paragraphs.front()
                                                  : std::string();
  article.simhash = simhash(article.paragraphs);
}

feeds::Article make_page_article(const config::FeedConfig& feed, const CleanedStory& story, const std::string& url,
                                 feeds::Timestamp fetched) {
  feeds::Article article;
  article.id = article_id(feed.name, url);
  article.feed_name = feed.name;
  article.feed_url = feed.url;
  if (!story.metadata.site_name.empty()) article.feed_title = story.metadata.site_name;
  article.fetched = fetched;
  add_unique(article.tags, feed.tags);
  apply_story(story, article);  // the page's own canonical URL first
  if (!article.url) article.url = url;
  if (article.title.empty() && !article.paragraphs.empty()) article.title = article.paragraphs.front().substr(0, 120);
  article.source = feeds::Article::Source::page;
  return article;
}

bool use_page_body(const CleanedStory& story, feeds::Article& article) {
  // Clearly more: a fifth more words than the item, and a few sentences' worth at least.
  const std::size_t page_words = count_words(blocks_text(story.blocks));
  const std::size_t item_words = count_words(article.paragraphs);
  if (page_words < 40 || page_words * 5 < item_words * 6) return false;
  const std::string summary = article.summary.empty() ? story.metadata.description : article.summary;
  CleanedStory page = story;
  page.metadata.description = summary;
  article.paragraphs.clear();
  apply_story(page, article);
  article.source = feeds::Article::Source::page;
  return true;
}

feeds::Article make_article(const config::FeedConfig& feed, const feeds::FeedInfo& info,
                            const feeds::Entry& entry, feeds::Timestamp fetched) {
  feeds::Article article;
  article.id = article_id(feed.name, feeds::entry_key(entry));
  article.feed_name = feed.name;
  article.feed_url = feed.url;
  article.feed_title = non_empty(plain_text(info.title));
  if (!entry.link.empty()) article.url = feeds::canonical_url(entry.link);
  article.guid = non_empty(entry.id);
  article.title = plain_text(entry.title);
  for (const feeds::Person& person : entry.authors) article.authors.push_back(person.name.empty() ? person.email : person.name);
  article.published = entry.published ? entry.published : entry.updated;
  article.updated = entry.updated;
  article.fetched = fetched;
  article.language = non_empty(entry.language.empty() ? info.language : entry.language);
  add_unique(article.tags, feed.tags);
  for (const feeds::Category& tag : entry.tags) add_unique(article.tags, {tag.label.empty() ? tag.term : tag.label});

  const feeds::Text* body = !entry.content.empty() ? &entry.content.front() : entry.summary ? &*entry.summary : nullptr;
  if (body) {
    const std::string base = entry.link.empty() ? feed.url : entry.link;
    CleanedStory story = body->is_html() ? clean_fragment(body->value, base, article.title, &feed.pages)
                                         : clean_text(body->value, article.title);
    if (entry.summary && body != &*entry.summary && entry.summary->value != body->value)
      story.metadata.description = plain_text(entry.summary);
    apply_story(story, article);
  }
  article.enclosures = entry.enclosures;
  // The picture the feed names for the item (media:content, media:thumbnail, an image enclosure)
  // comes first; else the first image of its HTML (apply_story).
  if (!entry.image.empty()) article.image = entry.image;
  article.source = feeds::Article::Source::feed;
  return article;
}

namespace {

// 0 stands for "unknown" in the seen state.
std::uint64_t known(std::uint64_t hash) { return hash == 0 ? 1 : hash; }

void append_part(std::string& out, std::string_view part) {
  out += part;
  out += '\0';
}

}  // namespace

std::uint64_t entry_fingerprint(const feeds::Entry& entry) {
  std::string parts;
  append_part(parts, entry.title ? std::string_view(entry.title->value) : std::string_view());
  append_part(parts, entry.link);
  append_part(parts, entry.summary ? std::string_view(entry.summary->value) : std::string_view());
  for (const feeds::Text& content : entry.content) append_part(parts, content.value);
  return known(feeds::hash64(parts));
}

std::uint64_t text_fingerprint(const feeds::Article& article) {
  std::string parts;
  append_part(parts, article.title);
  for (const std::string& paragraph : article.paragraphs) append_part(parts, paragraph);
  return known(feeds::hash64(parts));
}

}  // namespace sluice::pipeline
