#include <gtest/gtest.h>

#include "feeds/dates.h"
#include "feeds/parse/feed_parser.h"
#include "feeds/identity.h"
#include "tests/feeds/parse/parse_helpers.h"

namespace sluice::feeds {
namespace {

using namespace testing_helpers;

constexpr std::string_view kAtom = R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" xml:base="https://example.org/blog/">
  <title type="text">Example &amp; Blog</title>
  <subtitle type="html">&lt;i&gt;notes&lt;/i&gt;</subtitle>
  <link rel="self" href="https://example.org/blog/atom.xml"/>
  <link rel="alternate" href="./"/>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2025-01-05T18:30:02Z</updated>
  <author><name>Feed Author</name></author>
  <entry>
    <title type="html">Fish &amp;amp; &lt;em&gt;chips&lt;/em&gt;</title>
    <link rel="alternate" type="text/html" href="posts/fish"/>
    <link rel="enclosure" type="audio/ogg" length="42" href="media/fish.ogg"/>
    <id>tag:example.org,2025:fish</id>
    <published>2025-01-05T17:00:00.250+01:00</published>
    <updated>2025-01-05T18:30:02Z</updated>
    <author><name>Ann</name></author><author><email>bob@example.org</email></author>
    <category term="food" label="Food"/><category term="uk"/>
    <summary>Short &lt;not markup&gt;</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hot <b>and</b> fresh</p></div></content>
  </entry>
  <entry xml:lang="fr" xml:base="https://other.example/">
    <title>Deux</title>
    <link href="deux"/>
    <id>tag:example.org,2025:deux</id>
    <updated>2025-01-04T08:00:00Z</updated>
    <content type="html">&lt;p&gt;Bonjour&lt;/p&gt;</content>
  </entry>
</feed>)";

TEST(AtomParser, ReadsFeedMetadata) {
  const FeedDocument doc = parse_ok(kAtom, "https://example.org/blog/atom.xml");
  EXPECT_FALSE(doc.bozo) << doc.bozo_reason;
  EXPECT_EQ(doc.version, "atom10");
  EXPECT_EQ(value(doc.feed.title), "Example & Blog");
  EXPECT_EQ(value(doc.feed.subtitle), "<i>notes</i>");
  EXPECT_EQ(doc.feed.link, "https://example.org/blog/");
  EXPECT_EQ(doc.feed.language, "en");
  EXPECT_EQ(doc.feed.id, "urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6");
  EXPECT_EQ(date(doc.feed.updated), "2025-01-05T18:30:02Z");
}

TEST(AtomParser, ReadsEntries) {
  const FeedDocument doc = parse_ok(kAtom, "https://example.org/blog/atom.xml");
  ASSERT_EQ(doc.entries.size(), 2U);
  const Entry& fish = doc.entries[0];
  EXPECT_EQ(value(fish.title), "Fish &amp; <em>chips</em>");
  EXPECT_EQ(fish.title->type, "text/html");
  EXPECT_EQ(fish.link, "https://example.org/blog/posts/fish");
  EXPECT_EQ(fish.id, "tag:example.org,2025:fish");
  EXPECT_EQ(entry_key(fish), "tag:example.org,2025:fish");
  EXPECT_EQ(date(fish.published), "2025-01-05T16:00:00Z");
  EXPECT_EQ(date(fish.updated), "2025-01-05T18:30:02Z");
  EXPECT_EQ(names(fish.authors), (std::vector<std::string>{"Ann", "bob@example.org"}));
  EXPECT_EQ(terms(fish.tags), (std::vector<std::string>{"food|Food", "uk"}));
  EXPECT_EQ(value(fish.summary), "Short <not markup>");
  EXPECT_EQ(fish.summary->type, "text/plain");
  EXPECT_EQ(fish.content.at(0).type, "application/xhtml+xml");
  EXPECT_EQ(fish.content.at(0).value, "<p>Hot <b>and</b> fresh</p>");
  ASSERT_EQ(fish.enclosures.size(), 1U);
  EXPECT_EQ(fish.enclosures[0].url, "https://example.org/blog/media/fish.ogg");
  EXPECT_EQ(fish.enclosures[0].length, 42);
  EXPECT_EQ(fish.language, "en");

  const Entry& deux = doc.entries[1];
  EXPECT_EQ(deux.link, "https://other.example/deux") << "the entry's own xml:base wins";
  EXPECT_EQ(deux.language, "fr");
  EXPECT_EQ(names(deux.authors), (std::vector<std::string>{"Feed Author"})) << "entries inherit the feed's author";
  EXPECT_EQ(deux.content.at(0).value, "<p>Bonjour</p>");
  EXPECT_EQ(deux.published, std::nullopt);
}

TEST(AtomParser, ReadsAtom03) {
  const FeedDocument doc = parse_ok(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Old</title><tagline>Still here</tagline><modified>2004-01-01T00:00:00Z</modified>
  <entry><title>E</title><link rel="alternate" type="text/html" href="http://example.org/e"/><id>e</id>
    <issued>2003-12-31T19:00:00-05:00</issued><modified>2004-01-01T01:00:00Z</modified>
    <content type="text/html" mode="escaped">&lt;p&gt;Hi&lt;/p&gt;</content></entry>
</feed>)");
  EXPECT_EQ(doc.version, "atom03");
  EXPECT_EQ(value(doc.feed.subtitle), "Still here");
  ASSERT_EQ(doc.entries.size(), 1U);
  EXPECT_EQ(date(doc.entries[0].published), "2004-01-01T00:00:00Z");
  EXPECT_EQ(date(doc.entries[0].updated), "2004-01-01T01:00:00Z");
  EXPECT_EQ(doc.entries[0].content.at(0).value, "<p>Hi</p>");
}

TEST(AtomParser, EntryWithoutIdIsKnownByLinkThenByContent) {
  const FeedDocument doc = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom">
  <entry><title>Linked</title><link href="https://example.org/x"/></entry>
  <entry><title>Bare</title><content>text</content></entry>
  <entry><title>Bare</title><content>other text</content></entry>
</feed>)");
  ASSERT_EQ(doc.entries.size(), 3U);
  EXPECT_EQ(entry_key(doc.entries[0]), "https://example.org/x");
  EXPECT_TRUE(entry_key(doc.entries[1]).starts_with("hash:"));
  EXPECT_EQ(entry_key(doc.entries[1]).size(), 5U + 32U);
  EXPECT_NE(entry_key(doc.entries[1]), entry_key(doc.entries[2]));
}

}  // namespace
}  // namespace sluice::feeds
