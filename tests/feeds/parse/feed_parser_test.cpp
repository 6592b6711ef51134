// parse_feed with what the server said (feeds/parse/feed_parser.h's Served): Content-Location as
// the base, Content-Language as the language when the document names none, and language tags as
// feeds write them normalized.
#include "feeds/parse/feed_parser.h"

#include <gtest/gtest.h>

#include "tests/feeds/parse/parse_helpers.h"

namespace sluice::feeds {
namespace {

using namespace testing_helpers;

constexpr const char* kRelative = R"(<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<link>/home</link><item><title>One</title><link>posts/1</link></item></channel></rss>)";

TEST(FeedParser, ContentLocationIsTheBaseForRelativeLinks) {
  const auto parsed = parse_feed(kRelative, Served{"https://cdn.example.net/cache/feed.xml", "application/rss+xml",
                                                   "https://news.example.org/feeds/world.xml", ""});
  ASSERT_TRUE(parsed) << parsed.error().reason;
  EXPECT_EQ(parsed->feed.link, "https://news.example.org/home");
  ASSERT_EQ(parsed->entries.size(), 1U);
  EXPECT_EQ(parsed->entries[0].link, "https://news.example.org/feeds/posts/1");
  // Relative to the URL it came from, and never a scheme that is not http(s).
  const auto relative = parse_feed(kRelative, Served{"https://cdn.example.net/cache/feed.xml", "", "../world/", ""});
  EXPECT_EQ(relative->entries.at(0).link, "https://cdn.example.net/world/posts/1");
  const auto unsafe = parse_feed(kRelative, Served{"https://cdn.example.net/feed.xml", "", "javascript:alert(1)", ""});
  EXPECT_EQ(unsafe->entries.at(0).link, "https://cdn.example.net/posts/1");
}

TEST(FeedParser, ContentLanguageIsTheLanguageWhenTheDocumentNamesNone) {
  const auto parsed = parse_feed(kRelative, Served{"https://example.org/feed.xml", "", "", "de_DE, en"});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->feed.language, "de-DE");
  EXPECT_EQ(parsed->entries.at(0).language, "de-DE");
  const auto named = parse_feed(R"(<rss version="2.0"><channel><language>fr_CA</language><item><title>Un</title>
    </item></channel></rss>)", Served{"https://example.org/feed.xml", "", "", "de"});
  EXPECT_EQ(named->feed.language, "fr-CA") << "the document's own, normalized";
  const auto atom = parse_feed(R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:lang=" en_GB "><title>T</title>
    <entry xml:lang="pt_BR"><title>E</title><id>1</id></entry></feed>)", "");
  EXPECT_EQ(atom->feed.language, "en-GB");
  EXPECT_EQ(atom->entries.at(0).language, "pt-BR");
}

}  // namespace
}  // namespace sluice::feeds
