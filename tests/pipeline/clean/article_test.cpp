#include <gtest/gtest.h>

#include "feeds/parse/feed_parser.h"
#include "pipeline/clean/article_builder.h"
#include "pipeline/clean/article_json.h"
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

}  // namespace
}  // namespace sluice::pipeline
