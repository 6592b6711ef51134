#include "config/opml.h"

#include <gtest/gtest.h>

#include "tests/config/config_error_of.h"
#include "tests/support/fixtures.h"
#include "tests/support/temp_dir.h"

namespace sluice::config {
namespace {

OpmlList read_export(const std::string& reader, const std::vector<FeedConfig>& configured = {}) {
  const auto file = test::kOpml / (reader + ".opml");
  return read_opml(test::read_file(file), file.string(), configured);
}

const OpmlFeed& named(const OpmlList& list, std::string_view name) {
  for (const OpmlFeed& feed : list.feeds)
    if (feed.name == name) return feed;
  throw std::runtime_error("no feed named " + std::string(name));
}

TEST(Opml, ReadsMinifluxFoldersAsTagsAndNamesFeedsFromTheirTitles) {
  const OpmlList list = read_export("miniflux");
  ASSERT_EQ(list.feeds.size(), 4U);
  EXPECT_EQ(list.feeds[0].name, "ars-technica");
  EXPECT_EQ(list.feeds[0].url, "https://feeds.arstechnica.com/arstechnica/index");
  EXPECT_EQ(list.feeds[0].site, "https://arstechnica.com");
  EXPECT_EQ(list.feeds[0].tags, std::vector<std::string>{"all"});
  EXPECT_EQ(named(list, "bbc-news-world").tags, std::vector<std::string>{"world-news"});
  // Accented Latin letters are folded to ASCII rather than splitting words.
  EXPECT_EQ(list.feeds[3].name, "le-monde-fr-actualites-et-infos-en-france-et-dans-le-monde");
  EXPECT_TRUE(list.notes.empty());
}

TEST(Opml, FreshRssTitlesThatRepeatOrHaveNoLatinLettersStillGiveUniqueNames) {
  const OpmlList list = read_export("freshrss");
  ASSERT_EQ(list.feeds.size(), 4U);
  EXPECT_EQ(list.feeds[0].tags, std::vector<std::string>{"uncategorized"});
  EXPECT_EQ(named(list, "nature").url, "https://www.nature.com/nature.rss");
  EXPECT_EQ(named(list, "nature-2").url, "https://www.nature.com/nphys.rss");
  EXPECT_EQ(named(list, "nature-2").tags, std::vector<std::string>{"science-tech"}) << "'&amp;' decoded, then dashed";
  EXPECT_EQ(named(list, "toyokeizai-net-list-feed-rss").title, "東洋経済オンライン") << "named from its URL";
  ASSERT_EQ(list.notes.size(), 1U);
  EXPECT_NE(list.notes[0].find("'nature' is taken"), std::string::npos) << list.notes[0];
}

TEST(Opml, AFeedlyFeedInTwoFoldersIsOneFeedWithBothTags) {
  const OpmlList list = read_export("feedly");
  ASSERT_EQ(list.feeds.size(), 3U);
  EXPECT_EQ(named(list, "hacker-news").tags, (std::vector<std::string>{"tech", "economy"}));
  EXPECT_EQ(named(list, "the-verge-all-posts").title, "The Verge -  All Posts");
}

TEST(Opml, NewsboatCategoriesAreTagsAndCommandFeedsAreLeftOutWithTheirLine) {
  const OpmlList list = read_export("newsboat");
  ASSERT_EQ(list.feeds.size(), 3U);
  EXPECT_EQ(named(list, "rust-blog").tags, (std::vector<std::string>{"programming", "rust"}));
  EXPECT_EQ(named(list, "the-linux-kernel-archives").tags, (std::vector<std::string>{"programming", "linux"}));
  EXPECT_EQ(named(list, "xkcd-com-atom-xml").url, "https://xkcd.com/atom.xml") << "no title: named from its URL";
  ASSERT_EQ(list.notes.size(), 1U);
  EXPECT_EQ(list.notes[0], "line 9: 'exec:~/bin/intranet-feed.sh' is not an http or https URL");
}

TEST(Opml, FeedsConfiguredAlreadyAreLeftOutAndTheirNamesTaken) {
  FeedConfig verge;
  verge.name = "verge";
  verge.url = "https://www.theverge.com/rss/index.xml";
  FeedConfig other;
  other.name = "hacker-news";
  other.url = "https://example.org/elsewhere.xml";
  const OpmlList list = read_export("feedly", {verge, other});
  ASSERT_EQ(list.feeds.size(), 2U);
  EXPECT_EQ(list.feeds[0].name, "hacker-news-2");
  EXPECT_EQ(list.feeds[1].name, "calculated-risk");
  ASSERT_EQ(list.notes.size(), 2U);
  EXPECT_EQ(list.notes[0], "https://www.theverge.com/rss/index.xml is configured already as 'verge': not added");
}

TEST(Opml, WhatIsNotOpmlIsAnErrorAtItsPlace) {
  const ConfigError malformed = config_error_of(
      [] { read_opml("<opml version=\"2.0\">\n  <body>\n    <outline text=\"a\"\n  </body>\n</opml>\n", "broken.opml"); });
  EXPECT_EQ(malformed.file(), "broken.opml");
  EXPECT_EQ(malformed.position().line, 4) << malformed.what();
  EXPECT_NE(std::string(malformed.what()).find("not well-formed XML"), std::string::npos) << malformed.what();
  const ConfigError rss =
      config_error_of([] { read_opml("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel/></rss>\n", "feed.xml"); });
  EXPECT_EQ(rss.position().line, 2);
  EXPECT_NE(std::string(rss.what()).find("not <opml>"), std::string::npos) << rss.what();
  EXPECT_THROW(read_opml("<opml version=\"1.0\"><head/></opml>", "empty.opml"), ConfigError);
}

TEST(Opml, NamesAreValidConfigurationNames) {
  EXPECT_EQ(name_from("  Ærø Straße — Œuvres  "), "aero-strasse-oeuvres");
  EXPECT_EQ(name_from("C++ & Rust!"), "c-rust");
  EXPECT_EQ(name_from("日本語"), "");
  EXPECT_EQ(name_from(std::string(100, 'x')).size(), 60U);
  EXPECT_EQ(name_from("\xC3"), "") << "a cut UTF-8 sequence";
}

TEST(Opml, FeedsAddedToAConfigurationKeepEverythingElseAndValidate) {
  const std::string text =
      "# my feeds\n"
      "state_dir: /tmp/sluice-state\n"
      "feeds:\n"
      "    - name: own\n"
      "      url: https://example.org/own.xml\n"
      "      # interval: 5m   (a note on own)\n"
      "\n"
      "# publishing\n"
      "publish:\n"
      "  endpoint: tcp://127.0.0.1:5556\n";
  const Config config = parse_config(text, "sluice.yaml");
  const OpmlList list = read_export("newsboat", config.feeds);
  const std::string added = add_feeds(text, config, list.feeds);
  const std::string expected_start =
      "# my feeds\n"
      "state_dir: /tmp/sluice-state\n"
      "feeds:\n"
      "    - name: own\n"
      "      url: https://example.org/own.xml\n"
      "      # interval: 5m   (a note on own)\n"
      "    - name: rust-blog  # Rust Blog\n"
      "      url: \"https://blog.rust-lang.org/feed.xml\"\n"
      "      tags: [programming, rust]\n";
  EXPECT_EQ(added.substr(0, expected_start.size()), expected_start);
  EXPECT_TRUE(added.ends_with("\n# publishing\npublish:\n  endpoint: tcp://127.0.0.1:5556\n")) << added;
  const Config result = parse_config(added, "sluice.yaml");
  ASSERT_EQ(result.feeds.size(), 4U);
  EXPECT_EQ(result.feeds[3].name, "the-linux-kernel-archives");
  EXPECT_EQ(result.feeds[3].tags, (std::vector<std::string>{"programming", "linux"}));
  EXPECT_EQ(result.publish.endpoint, "tcp://127.0.0.1:5556");
}

TEST(Opml, AnEmptyFeedListGainsTheFeedsAndAnInlineOneIsRefused) {
  const OpmlList list = read_export("feedly");
  for (const std::string text : {"feeds: []\n", "feeds: [] # none yet\nstate_dir: /tmp/x\n"}) {
    const std::string added = add_feeds(text, parse_config(text, "c.yaml"), list.feeds);
    EXPECT_EQ(parse_config(added, "c.yaml").feeds.size(), 3U) << added;
  }
  const std::string inline_list = "feeds: [{name: a, url: \"https://example.org/a.xml\"}]\n";
  const ConfigError refused = config_error_of([&] { add_feeds(inline_list, parse_config(inline_list, "c.yaml"), list.feeds); });
  EXPECT_EQ(refused.position().line, 1);
  EXPECT_NE(std::string(refused.what()).find("inline"), std::string::npos) << refused.what();
}

TEST(Opml, ExportedFeedsReadBackWithTheirNamesUrlsAndTags) {
  const std::string text =
      "feeds:\n"
      "  - {name: world, url: \"https://news.example.org/world.xml?a=1&b=2\", tags: [news, world]}\n"
      "  - {name: tech, url: \"https://news.example.org/tech.xml\", tags: [news]}\n"
      "  - {name: plain, url: \"https://blog.example.com/feed\"}\n"
      "  - {name: front, url: \"https://www.example.com/\", type: html, links: \"h2 a\"}\n";
  const Config config = parse_config(text, "c.yaml");
  const std::string opml = write_opml(config);
  EXPECT_NE(opml.find("xmlUrl=\"https://news.example.org/world.xml?a=1&amp;b=2\""), std::string::npos) << opml;
  const OpmlList back = read_opml(opml, "export.opml");
  ASSERT_EQ(back.feeds.size(), 3U) << "the html listing page is not a feed";
  for (std::size_t i = 0; i < back.feeds.size(); ++i) {
    EXPECT_EQ(back.feeds[i].name, config.feeds[i].name);
    EXPECT_EQ(back.feeds[i].url, config.feeds[i].url);
    EXPECT_EQ(back.feeds[i].tags, config.feeds[i].tags);
  }
}

}  // namespace
}  // namespace sluice::config
