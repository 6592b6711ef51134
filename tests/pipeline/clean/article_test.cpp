#include <gtest/gtest.h>

#include "feeds/parse/feed_parser.h"
#include "pipeline/clean/article_builder.h"
#include "pipeline/clean/article_json.h"
#include "pipeline/clean/cleaner.h"
#include "pipeline/clean/story_sketch.h"
#include "tests/support/fixtures.h"
#include "tests/support/schema.h"
#include "tests/support/temp_dir.h"

namespace sluice::pipeline {
namespace {

using test::kSeed;

config::FeedConfig feed_config() {
  config::FeedConfig feed;
  feed.name = "meridian-world";
  feed.url = "https://news.example.org/world/rss.xml";
  feed.tags = {"world", "Americas"};
  return feed;
}

feeds::Timestamp fetched_at() {
  using namespace std::chrono;
  return sys_days(year(2025) / 2 / 10) + hours(15);
}

nlohmann::json seed_article_json() {
  const auto doc = feeds::parse_feed(test::read_file(kSeed / "feed.xml"), "https://news.example.org/world/rss.xml");
  EXPECT_TRUE(doc && doc->entries.size() == 1);
  const feeds::Article article = make_article(feed_config(), doc->feed, doc->entries.at(0), fetched_at());
  return nlohmann::json::parse(article_json(article, 42));
}

TEST(Article, SeedArticleConformsToTheSchema) {
  const nlohmann::json json = seed_article_json();
  const auto violations = test::schema_violations(test::article_schema(), json);
  EXPECT_TRUE(violations.empty()) << testing::PrintToString(violations);
  // Fields come in the schema's order, so the stream reads the same way the contract does.
  const auto ordered_schema = nlohmann::ordered_json::parse(
      test::read_file(std::filesystem::path(SLUICE_FIXTURES_DIR) / "schema/article.schema.json"));
  std::vector<std::string> schema_keys;
  for (const auto& [key, value] : ordered_schema["properties"].items()) schema_keys.push_back(key);
  const auto doc = feeds::parse_feed(test::read_file(kSeed / "feed.xml"), "");
  const auto raw = nlohmann::ordered_json::parse(
      article_json(make_article(feed_config(), doc->feed, doc->entries.at(0), fetched_at()), 1));
  std::vector<std::string> keys;
  for (const auto& [key, value] : raw.items()) keys.push_back(key);
  EXPECT_EQ(keys, schema_keys);
}

TEST(Article, SeedArticleCarriesTheStory) {
  const nlohmann::json json = seed_article_json();
  const nlohmann::json expected = test::load_json(kSeed / "expected.json");
  EXPECT_EQ(json["seq"], 42);
  EXPECT_EQ(json["revision"], 1);
  EXPECT_EQ(json["title"], expected["title"]);
  EXPECT_EQ(json["url"], expected["url"]) << "tracking parameters removed";
  EXPECT_EQ(json["published"], expected["published"]);
  EXPECT_EQ(json["updated"], nullptr);
  EXPECT_EQ(json["fetched"], "2025-02-10T15:00:00Z");
  EXPECT_EQ(json["guid"], "meridian-2025-0210-ecuador");
  EXPECT_EQ(json["feed"], (nlohmann::json{{"name", "meridian-world"},
                                          {"url", "https://news.example.org/world/rss.xml"},
                                          {"title", "The Daily Meridian - World"}}));
  EXPECT_EQ(json["authors"], nlohmann::json::array({"World desk"}));
  EXPECT_EQ(json["tags"], nlohmann::json::array({"world", "Americas", "Ecuador"})) << "config tags, then the feed's";
  EXPECT_EQ(json["language"], "en-gb");
  EXPECT_EQ(json["summary"], expected["teaser"]);
  EXPECT_EQ(json["source"], "feed");
  // The item's content:encoded prints the body twice; each paragraph comes out once, in order.
  std::string joined;
  for (const auto& paragraph : expected["paragraphs"]) joined += (joined.empty() ? "" : "\n\n") + paragraph.get<std::string>();
  EXPECT_EQ(json["text"], joined);
  EXPECT_EQ(json["html"].get<std::string>().rfind("<p>Ecuador&#x27;s", 0), std::string::npos);
  EXPECT_TRUE(json["html"].get<std::string>().starts_with("<p>Ecuador's President"));
  EXPECT_EQ(json["word_count"].get<int>(), 398);
}

// The story sketch made from the words the cleaning read is the one made from reading the
// paragraphs again, for feed items (a figure and its caption first) and pages alike.
TEST(Article, TheSketchFromTheCleaningsWordsIsTheSketchOfTheParagraphs) {
  const auto doc = feeds::parse_feed(test::read_file(kSeed / "feed.xml"), "https://news.example.org/world/rss.xml");
  ASSERT_TRUE(doc && doc->entries.size() == 1);
  feeds::Entry item = doc->entries.at(0);
  item.content.clear();
  item.summary = feeds::Text{"<figure><img src=a.jpg><figcaption>Harbour at dawn. Photo: Agency</figcaption></figure>"
                             "<p>Don\u2019t read it twice: the harbour opened at dawn, said the mayor.</p>"
                             "<p>Ships WAITED outside &mdash; for hours.</p>", "text/html", ""};
  std::vector<feeds::Article> articles = {make_article(feed_config(), doc->feed, doc->entries.at(0), fetched_at()),
                                          make_article(feed_config(), doc->feed, item, fetched_at())};
  articles.push_back(make_page_article(feed_config(), clean_page(test::read_file(kSeed / "page.html"), "https://x.org/a"),
                                       "https://x.org/a", fetched_at()));
  for (const feeds::Article& article : articles) {
    ASSERT_FALSE(article.word_hashes.empty()) << article.title;
    std::vector<std::uint32_t> from_words, from_text;
    const StorySketch by_words = sketch_words(article.word_hashes, &from_words);
    const StorySketch by_text = sketch_story(article.paragraphs, &from_text);
    EXPECT_EQ(by_words.bits, by_text.bits) << article.title;
    EXPECT_EQ(by_words.bands, by_text.bands) << article.title;
    EXPECT_EQ(from_words, from_text) << article.title;
  }
  EXPECT_TRUE(articles[1].paragraphs.front().starts_with("Don\u2019t"));  // the caption opened the item: not in the text
}

TEST(Article, IdIsStableAndDependsOnFeedAndEntry) {
  const std::string a = article_id("meridian-world", "guid-1");
  EXPECT_EQ(a, article_id("meridian-world", "guid-1"));
  EXPECT_NE(a, article_id("meridian-world", "guid-2"));
  EXPECT_NE(a, article_id("meridian-europe", "guid-1"));
  EXPECT_EQ(seed_article_json()["id"], seed_article_json()["id"]);
}

TEST(Article, SparseEntryStillFillsEveryField) {
  feeds::Entry entry;
  entry.summary = feeds::Text{"Only a <b>summary</b> &amp; nothing else.", "text/html", ""};
  const feeds::Article article = make_article(feed_config(), feeds::FeedInfo{}, entry, fetched_at());
  const nlohmann::json json = nlohmann::json::parse(article_json(article, 1));
  const auto violations = test::schema_violations(test::article_schema(), json);
  EXPECT_TRUE(violations.empty()) << testing::PrintToString(violations);
  EXPECT_EQ(json["url"], nullptr);
  EXPECT_EQ(json["guid"], nullptr);
  EXPECT_EQ(json["feed"]["title"], nullptr);
  EXPECT_EQ(json["language"], nullptr);
  EXPECT_EQ(json["text"], "Only a summary & nothing else.");
  EXPECT_EQ(json["summary"], "Only a summary & nothing else.");
  EXPECT_EQ(json["html"], "<p>Only a <strong>summary</strong> &amp; nothing else.</p>");
  EXPECT_EQ(json["word_count"], 6);
}

TEST(Article, InvalidUtf8IsReplacedNotFatal) {
  feeds::Entry entry;
  entry.title = feeds::Text{"caf\xe9", "text/plain", ""};  // latin-1 byte in a document that claimed UTF-8
  const feeds::Article article = make_article(feed_config(), feeds::FeedInfo{}, entry, fetched_at());
  const nlohmann::json json = nlohmann::json::parse(article_json(article, 1));
  EXPECT_EQ(json["title"], "caf\xef\xbf\xbd");
}

// The direct writer gives the bytes of nlohmann's serializer, whatever the strings hold: quotes,
// backslashes, control characters, every script and emoji, empty and missing fields; and text that
// is not well-formed UTF-8 is replaced the same way.
TEST(Article, TheDirectWriterWritesWhatTheGenericSerializerWrites) {
  const auto doc = feeds::parse_feed(test::read_file(kSeed / "feed.xml"), "https://news.example.org/world/rss.xml");
  ASSERT_TRUE(doc);
  std::vector<feeds::Article> articles{make_article(feed_config(), doc->feed, doc->entries.at(0), fetched_at())};
  feeds::Article odd;
  odd.id = "0123456789abcdef";
  odd.feed_name = "odd";
  odd.title = "Quote \" backslash \\ slash / tab \t bell \a nul-free \x1f del \x7f";
  odd.summary = "Zeilen\r\nund \b\f — «Œuvre» 東京 𝄞 🙂";
  odd.paragraphs = {"first", "", "line\nbreak", "\x01\x02"};
  odd.authors = {"", "Ana Núñez"};
  odd.tags = {};
  odd.enclosures = {{"https://cdn.example.org/a.mp3", "audio/mpeg", 123456789, 3600},
                    {"https://cdn.example.org/b", std::nullopt, std::nullopt, std::nullopt},
                    {"", "", -1, 0}};
  odd.image = "";
  odd.revision = 7;
  odd.simhash = 0xFEDCBA9876543210ULL;
  odd.source = feeds::Article::Source::page;
  articles.push_back(odd);
  articles.push_back(feeds::Article{});
  for (const std::string invalid : {"\xC0\x80 overlong", "cut \xE2\x82", "lone \x80 continuation", "\xED\xA0\x80 surrogate",
                                    "\xF4\x90\x80\x80 past U+10FFFF", "\xE2\x82" "A resumed"}) {
    feeds::Article broken = odd;
    broken.paragraphs.push_back(invalid);
    articles.push_back(broken);
  }
  for (const feeds::Article& article : articles)
    for (const std::uint64_t seq : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{18446744073709551615ULL}})
      EXPECT_EQ(article_json(article, seq), article_json_generic(article, seq)) << article.title;
  const auto json = nlohmann::json::parse(article_json(odd, 5));
  EXPECT_EQ(json["text"], "first\n\n\n\nline\nbreak\n\n\x01\x02");
  EXPECT_TRUE(test::schema_violations(test::article_schema(), json).empty());
}

}  // namespace
}  // namespace sluice::pipeline
