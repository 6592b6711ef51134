// The normalized model every stage shares: what the parsers produce (FeedDocument with its Entry
// list, the "feed JSON" view of DESIGN.md §4) and what subscribers receive (Article, the article
// JSON of schema/article.schema.json). It sits at the lowest layer: stages depend on it, never
// sideways on each other.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::feeds {

using Timestamp = std::chrono::sys_seconds;

struct Enclosure {
  std::string url;
  std::optional<std::string> type;
  std::optional<std::int64_t> length;
  std::optional<std::int64_t> duration;  // seconds of audio or video (a podcast's itunes:duration)
};

struct Person {
  std::string name;
  std::string email;
  std::string href;

  bool empty() const noexcept { return name.empty() && email.empty() && href.empty(); }
};

struct Category {
  std::string term;
  std::string scheme;
  std::string label;
};

struct Link {
  std::string href;
  std::string rel;
  std::string type;
  std::string title;
  std::optional<std::int64_t> length;
};

// A text construct (title, summary, content, ...). `value` is plain text when type is
// "text/plain", else sanitized HTML source.
struct Text {
  std::string value;
  std::string type = "text/plain";
  std::string language;

  bool is_html() const noexcept { return type != "text/plain"; }
};

// One item of a feed as the document states it: the "feed JSON" view of DESIGN.md §4.
struct Entry {
  std::string id;  // guid / atom:id as written; empty when absent
  std::optional<Text> title;
  std::optional<Text> summary;
  std::vector<Text> content;
  std::optional<Text> rights;
  std::string link;  // the alternate link, absolute when the document gave enough to resolve it
  std::vector<Link> links;
  std::optional<Timestamp> published;
  std::optional<Timestamp> updated;
  std::string published_raw;
  std::string updated_raw;
  std::vector<Person> authors;
  std::vector<Person> contributors;
  std::vector<Category> tags;
  std::vector<Enclosure> enclosures;
  std::string image;  // a thumbnail or lead image the feed names
  std::string language;
  std::string comments;
  std::string duration_raw;            // itunes:duration as written ("3:00", "1:02:03", "185")
  std::optional<std::int64_t> duration;  // the same in seconds, when it reads as a duration
  std::string comment_count;           // slash:comments
};

struct Image {
  std::string href;
  std::string title;
  std::string link;
};

struct FeedInfo {
  std::optional<Text> title;
  std::optional<Text> subtitle;
  std::optional<Text> rights;
  std::string link;
  std::vector<Link> links;
  std::string language;
  std::string id;
  std::string generator;
  std::optional<Timestamp> published;
  std::optional<Timestamp> updated;
  std::string published_raw;
  std::string updated_raw;
  std::vector<Person> authors;
  std::vector<Person> contributors;
  std::vector<Category> tags;
  std::optional<Image> image;
  std::optional<std::chrono::minutes> ttl;  // RSS <ttl>: how long the feed may be cached
};

// The parser's view of one document.
struct FeedDocument {
  std::string version;   // "rss20", "rss10", "atom10", ...
  std::string encoding;  // the charset the document was read in, feedparser's spelling
  bool bozo = false;     // the document was not well-formed; what could be read is here
  std::string bozo_reason;
  FeedInfo feed;
  std::vector<Entry> entries;
  std::size_t entries_dropped = 0;  // entries the document listed past the parser's limit
};

// One article as published (schema/article.schema.json); `seq` is given by the publisher.
struct Article {
  std::string id;  // hex, stable across polls and restarts
  int revision = 1;
  std::string feed_name;
  std::string feed_url;
  std::optional<std::string> feed_title;
  std::optional<std::string> url;  // canonical
  std::optional<std::string> guid;
  std::string title;
  std::vector<std::string> authors;
  std::optional<Timestamp> published;
  std::optional<Timestamp> updated;
  Timestamp fetched;
  std::optional<std::string> language;
  std::vector<std::string> tags;
  std::string summary;                  // plain text
  std::vector<std::string> paragraphs;  // plain text, in order; `text` joins them
  // The hashes of the paragraphs' words in normalized form, in order, where the cleaning stage has
  // read them (the story sketch is made from them); empty: read from the paragraphs again.
  std::vector<std::uint64_t> word_hashes;
  std::string html;                     // sanitized
  std::vector<Enclosure> enclosures;
  std::optional<std::string> image;
  std::uint64_t simhash = 0;
  enum class Source { feed, page } source = Source::feed;
};

}  // namespace sluice::feeds
