// WebSub discovery: Link headers as servers send them, and hub links as Atom, RSS and JSON Feed
// documents carry them.
#include "feeds/parse/websub_links.h"

#include <gtest/gtest.h>

#include "feeds/parse/feed_parser.h"

namespace sluice::feeds {
namespace {

TEST(WebSubLinks, LinkHeadersAreReadAsRfc8288WritesThem) {
  const auto links = parse_link_header(
      R"(<https://hub.example/>; rel="hub", <https://feeds.example/a.xml>; rel=self; type="application/atom+xml",)"
      R"( <https://x.example/?a=1,2>; title="A, \"quoted\" title"; rel="alternate Hub", garbage, <https://y.example/>)");
  ASSERT_EQ(links.size(), 4U);
  EXPECT_EQ(links[0].target, "https://hub.example/");
  EXPECT_EQ(links[0].rels, std::vector<std::string>{"hub"});
  EXPECT_EQ(links[1].rels, std::vector<std::string>{"self"});
  EXPECT_EQ(links[2].target, "https://x.example/?a=1,2");
  EXPECT_EQ(links[2].rels, (std::vector<std::string>{"alternate", "hub"}));
  EXPECT_TRUE(links[3].rels.empty());
  EXPECT_TRUE(parse_link_header("").empty());
  EXPECT_TRUE(parse_link_header("<unclosed; rel=hub").empty());
}

TEST(WebSubLinks, HubsAndTopicComeFromTheHeaderFirstThenTheDocument) {
  const auto atom = parse_feed(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
    <link rel="hub" href="https://pubsubhubbub.appspot.com/"/><link rel="hub" href="/hub"/>
    <link rel="self" href="https://blog.example/feed.atom"/></feed>)",
                               "https://blog.example/feed");
  ASSERT_TRUE(atom) << atom.error().reason;
  const WebSubLinks from_document = websub_links(*atom, "", "https://blog.example/feed");
  EXPECT_EQ(from_document.hubs, (std::vector<std::string>{"https://pubsubhubbub.appspot.com/", "https://blog.example/hub"}));
  EXPECT_EQ(from_document.self, "https://blog.example/feed.atom");

  const WebSubLinks with_header =
      websub_links(*atom, R"(<https://hub.example/>; rel="hub", <https://blog.example/canonical>; rel="self")",
                   "https://blog.example/feed");
  EXPECT_EQ(with_header.hubs.front(), "https://hub.example/");
  EXPECT_EQ(with_header.hubs.size(), 3U);
  EXPECT_EQ(with_header.self, "https://blog.example/canonical");

  const auto rss = parse_feed(R"(<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>R</title>
    <atom:link rel="hub" href="https://websub.example/"/><atom:link rel="self" href="https://r.example/rss"/>
    </channel></rss>)",
                              "https://r.example/rss");
  ASSERT_TRUE(rss);
  const WebSubLinks from_rss = websub_links(*rss, "", "https://r.example/rss");
  EXPECT_EQ(from_rss.hubs, std::vector<std::string>{"https://websub.example/"});
  EXPECT_EQ(from_rss.self, "https://r.example/rss");

  const auto json = parse_feed(R"({"version": "https://jsonfeed.org/version/1.1", "title": "J",
    "feed_url": "https://j.example/feed.json", "hubs": [{"type": "WebSub", "url": "https://hub.j.example/"}], "items": []})",
                               "https://j.example/feed.json");
  ASSERT_TRUE(json);
  const WebSubLinks from_json = websub_links(*json, "", "https://j.example/feed.json");
  EXPECT_EQ(from_json.hubs, std::vector<std::string>{"https://hub.j.example/"});
  EXPECT_EQ(from_json.self, "https://j.example/feed.json");

  const auto plain = parse_feed("<rss version=\"2.0\"><channel><title>P</title></channel></rss>", "https://p.example/");
  ASSERT_TRUE(plain);
  const WebSubLinks none = websub_links(*plain, "<javascript:alert(1)>; rel=hub", "https://p.example/");
  EXPECT_TRUE(none.hubs.empty()) << "only http(s) hubs";
  EXPECT_EQ(none.self, "");
}

}  // namespace
}  // namespace sluice::feeds
