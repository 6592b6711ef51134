#include <gtest/gtest.h>

#include "feeds/dates.h"
#include "feeds/parse/feed_parser.h"
#include "feeds/identity.h"
#include "tests/feeds/parse/parse_helpers.h"
#include "tests/support/fixtures.h"
#include "tests/support/schema.h"
#include "tests/support/temp_dir.h"

namespace sluice::feeds {
namespace {

using namespace testing_helpers;

using test::kSeed;

TEST(RssParser, ReadsTheSeedFeed) {
  const FeedDocument doc = parse_ok(test::read_file(kSeed / "feed.xml"), "https://news.example.org/world/rss.xml");
  const nlohmann::json expected = test::load_json(kSeed / "expected.json");
  EXPECT_FALSE(doc.bozo) << doc.bozo_reason;
  EXPECT_EQ(doc.version, "rss20");
  EXPECT_EQ(value(doc.feed.title), "The Daily Meridian - World");
  EXPECT_EQ(doc.feed.link, "https://news.example.org/world");
  EXPECT_EQ(doc.feed.language, "en-gb");
  EXPECT_EQ(date(doc.feed.updated), "2025-02-10T15:00:00Z");
  ASSERT_EQ(doc.entries.size(), 1U);
  const Entry& entry = doc.entries[0];
  EXPECT_EQ(value(entry.title), expected["title"].get<std::string>());
  EXPECT_EQ(entry.id, "meridian-2025-0210-ecuador");
  EXPECT_EQ(entry.link, "https://news.example.org/world/americas/ecuador-noboa-military-support?utm_source=rss&utm_medium=feed");
  EXPECT_EQ(date(entry.published), expected["published"].get<std::string>());
  EXPECT_EQ(entry.published_raw, "Mon, 10 Feb 2025 14:30:00 GMT");
  EXPECT_EQ(names(entry.authors), (std::vector<std::string>{"World desk"}));
  EXPECT_EQ(terms(entry.tags), (std::vector<std::string>{"Americas", "Ecuador"}));
  EXPECT_EQ(value(entry.summary), expected["teaser"].get<std::string>());
  for (const auto& paragraph : expected["paragraphs"]) {
    // content:encoded is HTML; its apostrophes are still character references here.
    std::string html = paragraph.get<std::string>();
    for (std::size_t at = 0; (at = html.find_first_of("'\"", at)) != std::string::npos;)
      html.replace(at, 1, html[at] == '\'' ? "&#x27;" : "&quot;");
    EXPECT_NE(entry.content.at(0).value.find("<p>" + html + "</p>"), std::string::npos) << html.substr(0, 60);
  }
  EXPECT_EQ(entry_key(entry), "meridian-2025-0210-ecuador");
}

TEST(RssParser, ReadsItemFieldsAndModules) {
  const FeedDocument doc = parse_ok(R"(<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:c="http://purl.org/rss/1.0/modules/content/"
     xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>T &amp; Co</title><link>/home</link>
<item>
  <title>AT&amp;amp;T &lt;b&gt;wins&lt;/b&gt;</title>
  <guid>https://example.org/a/1</guid>
  <dc:date>2024-03-01T10:00:00+01:00</dc:date>
  <dc:creator>Ann</dc:creator><author>bob@example.org (Bob)</author>
  <dc:subject>Tech</dc:subject>
  <c:encoded><![CDATA[<p>Body</p>]]></c:encoded>
  <enclosure url="/a.mp3" type="audio/mpeg" length="123"/>
  <enclosure url="/b.jpg" type="image/jpeg" length="junk"/>
</item>
<item><title>Second</title><guid isPermaLink="false">x-2</guid><pubDate>not a date</pubDate></item>
</channel></rss>)", "https://example.org/feed.xml");
  EXPECT_EQ(value(doc.feed.title), "T & Co");
  EXPECT_EQ(doc.feed.link, "https://example.org/home");
  ASSERT_EQ(doc.entries.size(), 2U);
  const Entry& first = doc.entries[0];
  EXPECT_EQ(value(first.title), "AT&amp;T <b>wins</b>") << "a plain-text title holding HTML is taken as HTML";
  EXPECT_EQ(first.title->type, "text/html");
  EXPECT_EQ(first.link, "https://example.org/a/1") << "a permalink guid stands in for the link";
  EXPECT_EQ(date(first.updated), "2024-03-01T09:00:00Z") << "dc:date is the modification date";
  EXPECT_EQ(names(first.authors), (std::vector<std::string>{"Ann", "Bob (bob@example.org)"}));
  EXPECT_EQ(terms(first.tags), (std::vector<std::string>{"Tech"}));
  EXPECT_EQ(first.content.at(0).value, "<p>Body</p>");
  ASSERT_EQ(first.enclosures.size(), 2U);
  EXPECT_EQ(first.enclosures[0].url, "https://example.org/a.mp3");
  EXPECT_EQ(first.enclosures[0].type, "audio/mpeg");
  EXPECT_EQ(first.enclosures[0].length, 123);
  EXPECT_EQ(first.enclosures[1].length, std::nullopt);
  EXPECT_EQ(first.image, "https://example.org/b.jpg");
  const Entry& second = doc.entries[1];
  EXPECT_EQ(second.link, "") << "isPermaLink=false: the guid is not a link";
  EXPECT_EQ(second.published, std::nullopt);
  EXPECT_EQ(second.published_raw, "not a date");
}

TEST(RssParser, ReadsPodcastImages) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>P</title><itunes:image href="https://e.org/c.jpg"/>
<item><title>E</title><itunes:image href="/e.jpg"/><itunes:keywords>a, b ,a</itunes:keywords></item></channel></rss>)",
                                    "https://e.org/feed");
  ASSERT_TRUE(doc.feed.image);
  EXPECT_EQ(doc.feed.image->href, "https://e.org/c.jpg");
  ASSERT_EQ(doc.entries.size(), 1U);
  EXPECT_EQ(doc.entries[0].image, "https://e.org/e.jpg");
  EXPECT_EQ(terms(doc.entries[0].tags), (std::vector<std::string>{"a", "b"}));
}

TEST(RssParser, ReadsEpisodeDurationsAndCommentCounts) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0" xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"
  xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel><title>P</title>
<item><title>a</title><itunes:duration>1:02:03</itunes:duration><slash:comments>12</slash:comments>
  <enclosure url="https://e.org/a.mp3" type="audio/mpeg" length="1000"/>
  <enclosure url="https://e.org/a.jpg" type="image/jpeg"/></item>
<item><title>b</title><itunes:duration> 45:30 </itunes:duration><enclosure url="https://e.org/b.mp3"/></item>
<item><title>c</title><itunes:duration>185.5</itunes:duration></item>
<item><title>d</title><itunes:duration>about an hour</itunes:duration></item>
</channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 4U);
  EXPECT_EQ(doc.entries[0].duration_raw, "1:02:03");
  EXPECT_EQ(doc.entries[0].duration, 3723);
  EXPECT_EQ(doc.entries[0].comment_count, "12");
  ASSERT_EQ(doc.entries[0].enclosures.size(), 2U);
  EXPECT_EQ(doc.entries[0].enclosures[0].duration, 3723) << "the episode's audio";
  EXPECT_EQ(doc.entries[0].enclosures[1].duration, std::nullopt) << "an image has no duration";
  EXPECT_EQ(doc.entries[1].duration, 2730);
  EXPECT_EQ(doc.entries[1].enclosures.at(0).duration, 2730) << "an untyped enclosure is the episode";
  EXPECT_EQ(doc.entries[2].duration, 185);
  EXPECT_EQ(doc.entries[3].duration, std::nullopt);
  EXPECT_EQ(doc.entries[3].duration_raw, "about an hour") << "kept as written";
}

TEST(RssParser, ResolvesLinksAgainstXmlBase) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0"><channel xml:base="https://cdn.example.net/news/">
<item xml:base="2024/"><title>a</title><link>story.html</link></item></channel></rss>)",
                                    "https://example.org/feed.xml");
  ASSERT_EQ(doc.entries.size(), 1U);
  EXPECT_EQ(doc.entries[0].link, "https://cdn.example.net/news/2024/story.html");
}

TEST(RssParser, ReadsRss10) {
  const FeedDocument doc = parse_ok(R"(<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://example.org/"><title>RDF site</title><link>https://example.org/</link></channel>
  <item rdf:about="https://example.org/1"><title>One</title><link>https://example.org/1</link>
    <dc:date>2003-12-31T10:14:55Z</dc:date></item>
</rdf:RDF>)");
  EXPECT_EQ(doc.version, "rss10");
  EXPECT_EQ(value(doc.feed.title), "RDF site");
  ASSERT_EQ(doc.entries.size(), 1U);
  EXPECT_EQ(value(doc.entries[0].title), "One");
  EXPECT_EQ(date(doc.entries[0].updated), "2003-12-31T10:14:55Z");
}

TEST(RssParser, KeepsWhatATruncatedDocumentHolds) {
  const std::string body = R"(<rss version="2.0"><channel><title>Cut</title>
<item><title>Complete</title><guid>1</guid></item>
<item><title>Cut off</title><guid>2</gu)";
  const FeedDocument doc = parse_ok(body);
  EXPECT_TRUE(doc.bozo);
  EXPECT_NE(doc.bozo_reason.find("XML error at byte"), std::string::npos) << doc.bozo_reason;
  ASSERT_GE(doc.entries.size(), 1U);
  EXPECT_EQ(value(doc.entries[0].title), "Complete");
}

TEST(FeedParser, RefusesWhatIsNotAFeed) {
  for (const auto& [body, reason] : std::vector<std::pair<std::string, std::string>>{
           {"", "empty document"},
           {"   \n", "empty document"},
           {"<html><body>hi</body></html>", "not a feed: the root element is <html>, a web page (to read its articles: type: html with a "
            "links selector, or sluice extract for one page)"},
           {"plain text", "not an XML document: No document element found at byte 9"},
           {"{\"version\": 2}", "not a JSON Feed: no jsonfeed.org version and no items list"},
           {"{\"version\": ", "not valid JSON"}}) {
    const auto result = parse_feed(body, "");
    ASSERT_FALSE(result) << body;
    EXPECT_EQ(result.error().reason, reason);
  }
}

// Internal entities are expanded (bounded: quirks_test.cpp); external ones are never read.
TEST(FeedParser, ExpandsInternalEntitiesOnlyAndNeverReadsAFile) {
  const auto result = parse_feed(R"(<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">]>
<rss version="2.0"><channel><item><title>&xxe;&a;</title></item></channel></rss>)", "");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->entries.size(), 1U);
  EXPECT_EQ(value(result->entries[0].title).find("root:"), std::string::npos);
  EXPECT_EQ(value(result->entries[0].title), "&xxe;aaaaaaaaaa");
}

}  // namespace
}  // namespace sluice::feeds
