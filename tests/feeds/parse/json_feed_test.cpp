// JSON Feed 1.0 and 1.1 into the feed model (feeds/parse/json_feed.cpp).
#include "feeds/parse/json_feed.h"

#include <gtest/gtest.h>

#include "feeds/dates.h"
#include "tests/feeds/parse/parse_helpers.h"
#include "tests/support/temp_dir.h"

namespace sluice::feeds {
namespace {

using namespace testing_helpers;

FeedDocument read(std::string_view json, std::string_view url = "https://example.org/feed.json",
                  std::size_t max_entries = 1000) {
  auto result = parse_json_feed(json, url, max_entries);
  if (!result) ADD_FAILURE() << result.error().reason;
  return result.value_or(FeedDocument{});
}

TEST(JsonFeed, ReadsItemsIntoTheSameModel) {
  const FeedDocument doc = parse_file("jsonfeed_1_1.json", "https://example.org/feed.json");
  EXPECT_FALSE(doc.bozo) << doc.bozo_reason;
  EXPECT_EQ(doc.version, "json11");
  EXPECT_EQ(value(doc.feed.title), "JSON Example");
  EXPECT_EQ(doc.feed.link, "https://example.org/");
  ASSERT_EQ(doc.feed.authors.size(), 1U);
  EXPECT_EQ(doc.feed.authors[0].href, "https://example.org/about");
  ASSERT_EQ(doc.entries.size(), 2U);
  const Entry& answer = doc.entries[0];
  EXPECT_EQ(answer.id, "42");
  EXPECT_EQ(answer.link, "https://example.org/posts/42");
  EXPECT_EQ(value(answer.title), "Answer");
  EXPECT_EQ(value(answer.summary), "Short");
  ASSERT_EQ(answer.content.size(), 1U);
  EXPECT_EQ(answer.content[0].value, "<p>Hi <a href=\"https://example.org/a\">there</a></p>") << "sanitized, resolved";
  EXPECT_EQ(format_rfc3339(answer.published.value()), "2025-02-10T13:30:00Z");
  ASSERT_EQ(answer.tags.size(), 2U);
  ASSERT_EQ(answer.enclosures.size(), 1U);
  EXPECT_EQ(answer.enclosures[0].url, "https://example.org/a.mp3");
  EXPECT_EQ(answer.enclosures[0].length, 1234);
  EXPECT_EQ(answer.enclosures[0].duration, 1805);
  EXPECT_EQ(answer.language, "en");
  const Entry& plain = doc.entries[1];
  EXPECT_EQ(plain.content.at(0).type, "text/plain");
  EXPECT_EQ(value(plain.summary), "Plain body");
  EXPECT_EQ(format_rfc3339(plain.updated.value()), "2025-02-11T00:00:00Z");
}

TEST(JsonFeed, VersionOneReadsItsSingleAuthorAndResolvesAgainstTheHomePage) {
  const FeedDocument doc = read(R"({
    "version": "https://jsonfeed.org/version/1",
    "title": "Old style",
    "home_page_url": "https://blog.example/",
    "feed_url": "https://blog.example/feed.json",
    "author": {"name": "Jo Smith", "url": "/about"},
    "icon": "/icon.png",
    "items": [{"id": "1", "url": "/posts/1", "external_url": "https://elsewhere.example/a",
               "content_text": "Body", "image": "/lead.jpg", "date_published": "2024-06-01T10:00:00+02:00"}]
  })");
  EXPECT_EQ(doc.version, "json1");
  ASSERT_EQ(doc.feed.authors.size(), 1U);
  EXPECT_EQ(doc.feed.authors[0].name, "Jo Smith");
  EXPECT_EQ(doc.feed.authors[0].href, "https://blog.example/about");
  ASSERT_TRUE(doc.feed.image);
  EXPECT_EQ(doc.feed.image->href, "https://blog.example/icon.png");
  ASSERT_EQ(doc.feed.links.size(), 2U);
  EXPECT_EQ(doc.feed.links[1].rel, "self");
  ASSERT_EQ(doc.entries.size(), 1U);
  const Entry& entry = doc.entries[0];
  EXPECT_EQ(entry.link, "https://blog.example/posts/1");
  ASSERT_EQ(entry.links.size(), 2U);
  EXPECT_EQ(entry.links[1].href, "https://elsewhere.example/a");
  EXPECT_EQ(entry.links[1].rel, "related");
  EXPECT_EQ(entry.image, "https://blog.example/lead.jpg");
  EXPECT_EQ(date(entry.published), "2024-06-01T08:00:00Z");
}

TEST(JsonFeed, WhatIsNotJsonOrNotAJsonFeedIsAnError) {
  EXPECT_EQ(parse_json_feed("{\"version\": ", "").error().reason, "not valid JSON");
  EXPECT_EQ(parse_json_feed("[1, 2]", "").error().reason, "not a JSON Feed: the document is not an object");
  EXPECT_EQ(parse_json_feed(R"({"name": "settings", "values": [1, 2]})", "").error().reason,
            "not a JSON Feed: no jsonfeed.org version and no items list");
}

// A document with an items list is a feed: a version that is missing, bare, http:// or misspelt
// is reported (bozo) and read past, and 1.0's and 1.1's fields are read in either version.
TEST(JsonFeed, AFeedWithAWrongOrMissingVersionIsReadAndMarkedBozo) {
  const std::vector<std::pair<std::string, std::string>> versions{
      {"", "json1"},  {R"("version": "1.0",)", "json1"}, {R"("version": "1.1",)", "json11"},
      {R"("version": "http://jsonfeed.org/version/1.1",)", "json11"},
      {R"("version": "https://jsonfeed.org/verison/1",)", "json1"}, {R"("version": 2,)", "json1"}};
  for (const auto& [field, expected] : versions) {
    const FeedDocument doc = read(R"({)" + field + R"( "title": "Lenient",
      "authors": [{"name": "New style", "url": "mailto:new@example.org"}],
      "items": [{"id": "1", "author": {"name": "Old style", "url": "https://example.org/old"},
                 "content_text": "Body", "date_published": "2024-06-01T10:00:00Z"}]})");
    EXPECT_TRUE(doc.bozo) << field;
    EXPECT_NE(doc.bozo_reason.find("read as " + expected), std::string::npos) << doc.bozo_reason;
    EXPECT_EQ(doc.version, expected) << field;
    EXPECT_EQ(value(doc.feed.title), "Lenient");
    ASSERT_EQ(doc.feed.authors.size(), 1U);
    EXPECT_EQ(doc.feed.authors[0].email, "new@example.org") << "a mailto: URL is the address";
    ASSERT_EQ(doc.entries.size(), 1U) << field;
    ASSERT_EQ(doc.entries[0].authors.size(), 1U);
    EXPECT_EQ(doc.entries[0].authors[0].name, "Old style");
    EXPECT_EQ(doc.entries[0].authors[0].href, "https://example.org/old");
  }
}

// Numbers where strings belong (ids above all) are read as their text; other wrong types are left
// out, and the rest of the document is read.
TEST(JsonFeed, FieldsOfTheWrongTypeAreLeftOutAndTheRestIsRead) {
  const FeedDocument doc = read(R"({
    "version": "https://jsonfeed.org/version/1.1",
    "title": 42,
    "authors": "nobody",
    "items": [
      "not an item",
      {"id": 7, "title": ["a"], "tags": ["kept", 3, null], "content_html": "<p>fine</p>",
       "attachments": [{"url": "/a.mp3", "size_in_bytes": "big", "duration_in_seconds": -5}]},
      {"id": "x", "date_published": "yesterday", "summary": "Only a summary"}
    ]
  })");
  EXPECT_EQ(value(doc.feed.title), "42");
  EXPECT_TRUE(doc.feed.authors.empty());
  ASSERT_EQ(doc.entries.size(), 2U);
  const Entry& first = doc.entries[0];
  EXPECT_EQ(first.id, "7");
  EXPECT_FALSE(first.title);
  EXPECT_EQ(terms(first.tags), std::vector<std::string>{"kept"});
  ASSERT_EQ(first.enclosures.size(), 1U);
  EXPECT_EQ(first.enclosures[0].url, "https://example.org/a.mp3");
  EXPECT_FALSE(first.enclosures[0].length);
  EXPECT_FALSE(first.enclosures[0].duration);
  const Entry& second = doc.entries[1];
  EXPECT_FALSE(second.published) << "a date that does not read is not made up";
  EXPECT_EQ(second.published_raw, "yesterday");
  EXPECT_EQ(value(second.summary), "Only a summary");
}

TEST(JsonFeed, AFeedWithoutItemsIsReadAsFarAsItGoes) {
  const FeedDocument doc = read(R"({"version": "https://jsonfeed.org/version/1.1", "title": "Empty"})");
  EXPECT_TRUE(doc.bozo);
  EXPECT_EQ(doc.bozo_reason, "JSON Feed without an items list");
  EXPECT_EQ(value(doc.feed.title), "Empty");
}

TEST(JsonFeed, MaxEntriesKeepsTheNewest) {
  std::string items;
  for (int i = 1; i <= 6; ++i) {
    if (!items.empty()) items += ",";
    items += R"({"id": ")" + std::to_string(i) + R"(", "date_published": "2024-01-0)" + std::to_string(i) +
             R"(T00:00:00Z", "content_text": "x"})";
  }
  const FeedDocument doc = read(R"({"version": "https://jsonfeed.org/version/1.1", "items": [)" + items + "]}",
                                "https://example.org/feed.json", 4);
  ASSERT_EQ(doc.entries.size(), 4U);
  EXPECT_EQ(doc.entries_dropped, 2U);
  for (const Entry& entry : doc.entries) EXPECT_NE(entry.id, "1") << "the oldest went first";
}

}  // namespace
}  // namespace sluice::feeds
