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
  EXPECT_EQ(named->feed.language, "fr_CA") << "the document's own, as written";
  const auto atom = parse_feed(R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:lang=" en_GB "><title>T</title>
    <entry xml:lang="pt_BR"><title>E</title><id>1</id></entry></feed>)", "");
  EXPECT_EQ(atom->feed.language, "en-GB");
  EXPECT_EQ(atom->entries.at(0).language, "pt-BR");
}

// XHTML content with SVG under any prefix reads as the HTML a reader shows: local names, xlink
// kept, an empty element as start and end tag.
TEST(FeedParser, XhtmlContentKeepsItsSvgWhateverThePrefix) {
  const auto parsed = parse_feed(R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry xmlns:s="http://www.w3.org/2000/svg"
    xmlns:l="http://www.w3.org/1999/xlink"><id>1</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
    <p>A dot:</p><s:svg width="10"><s:a l:href="http://example.org/"><s:circle r="5"/></s:a></s:svg></div></content>
    </entry></feed>)", "");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->entries.at(0).content.size(), 1U);
  EXPECT_EQ(parsed->entries[0].content[0].value,
            "<p>A dot:</p><svg width=\"10\" xmlns=\"http://www.w3.org/2000/svg\"><a xlink:href=\"http://example.org/\" "
            "xmlns:xlink=\"http://www.w3.org/1999/xlink\"><circle r=\"5\"></circle></a></svg>");
}

// Markup a feed put inline in content declared HTML is HTML source: its text too (what the XML
// unescaped is markup again), and a lone XHTML <div> around it is a wrapper.
TEST(FeedParser, InlineMarkupInHtmlContentIsHtmlSource) {
  const auto parsed = parse_feed(R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id>
    <content type="html"><div xmlns="http://www.w3.org/1999/xhtml">Example &lt;b&gt;Atom&lt;/b&gt;</div></content>
    <summary type="html"><p>One</p> &lt;i&gt;two&lt;/i&gt;</summary></entry></feed>)", "");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->entries.at(0).content.at(0).value, "Example <b>Atom</b>");
  EXPECT_EQ(value(parsed->entries[0].summary), "<p>One</p> <i>two</i>");
}

}  // namespace
}  // namespace sluice::feeds
