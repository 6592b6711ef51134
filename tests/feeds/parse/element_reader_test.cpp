// ElementReader on its own: elements known by namespace and local name whatever the prefix, mixed
// vocabularies, xml:base, and the author strings feeds write.
#include "feeds/parse/element_reader.h"

#include <gtest/gtest.h>

#include "tests/feeds/parse/parse_helpers.h"

namespace sluice::feeds {
namespace {

using namespace testing_helpers;

pugi::xml_node load(pugi::xml_document& document, const char* xml) {
  const auto result = document.load_string(xml);
  EXPECT_TRUE(result) << result.description();
  return document.document_element();
}

TEST(ElementKey, NamesAnElementByItsNamespaceNotItsPrefix) {
  pugi::xml_document document;
  const auto root = load(document, R"(<rss xmlns:d="http://purl.org/dc/elements/1.1/" xmlns:a="http://www.w3.org/2005/Atom"
      xmlns:x="urn:unknown"><channel><title/><d:creator/><a:link/><x:thing/></channel></rss>)");
  std::vector<std::string> keys;
  for (const pugi::xml_node child : root.child("channel").children()) keys.push_back(element_key(child));
  EXPECT_EQ(keys, (std::vector<std::string>{"title", "dc:creator", "atom:link", "?"}));
}

TEST(ElementReader, ReadsAnRssItemThatMixesVocabularies) {
  pugi::xml_document document;
  const auto root = load(document, R"(<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
      xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
    <channel><item>
      <title>Bridge closes</title>
      <link>/news/bridge</link>
      <atom:link rel="enclosure" href="/audio/bridge.mp3" type="audio/mpeg" length="1200"/>
      <dc:creator>Jo Smith</dc:creator>
      <dc:subject>City</dc:subject>
      <content:encoded><![CDATA[<p>The <b>bridge</b> closes.</p><script>x()</script>]]></content:encoded>
      <pubDate>Mon, 10 Feb 2025 14:30:00 GMT</pubDate>
    </item></channel></rss>)");
  const ElementReader reader("https://city.example/feed.xml", false, "");
  const Entry entry = reader.read_entry(root.child("channel").child("item"));
  EXPECT_EQ(value(entry.title), "Bridge closes");
  EXPECT_EQ(entry.link, "https://city.example/news/bridge");
  EXPECT_EQ(names(entry.authors), std::vector<std::string>{"Jo Smith"});
  EXPECT_EQ(terms(entry.tags), std::vector<std::string>{"City"});
  ASSERT_EQ(entry.content.size(), 1U);
  EXPECT_EQ(entry.content[0].value, "<p>The <b>bridge</b> closes.</p>") << "sanitized";
  EXPECT_EQ(date(entry.published), "2025-02-10T14:30:00Z");
  ASSERT_EQ(entry.enclosures.size(), 1U);
  EXPECT_EQ(entry.enclosures[0].url, "https://city.example/audio/bridge.mp3");
  EXPECT_EQ(entry.enclosures[0].length, 1200);
}

TEST(ElementReader, ResolvesLinksAgainstXmlBaseOnTheWayDown) {
  pugi::xml_document document;
  const auto root = load(document, R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example/blog/">
      <title>T</title><link href="index.html"/>
      <entry xml:base="posts/"><id>1</id><title>One</title><link href="one.html"/></entry>
      <entry xml:base="https://b.example/"><id>2</id><title>Two</title><link href="two.html"/></entry>
    </feed>)");
  const ElementReader reader("https://ignored.example/feed", true, "http://www.w3.org/2005/Atom");
  FeedInfo feed;
  reader.read_feed(root, feed);
  EXPECT_EQ(feed.link, "https://a.example/blog/index.html");
  std::vector<std::string> links;
  for (const pugi::xml_node entry : root.children("entry")) links.push_back(reader.read_entry(entry).link);
  EXPECT_EQ(links, (std::vector<std::string>{"https://a.example/blog/posts/one.html", "https://b.example/two.html"}));
}

TEST(ElementReader, AtomTextConstructsSayTheirTypeWhileRssFieldsThatLookLikeHtmlAreHtml) {
  pugi::xml_document atom_document;
  const auto atom = load(atom_document, R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry>
      <title type="text">a &lt;b&gt; tag</title><summary type="html">&lt;em&gt;hi&lt;/em&gt;</summary></entry></feed>)");
  const Entry from_atom =
      ElementReader("", true, "http://www.w3.org/2005/Atom").read_entry(atom.child("entry"));
  EXPECT_EQ(value(from_atom.title), "a <b> tag");
  EXPECT_FALSE(from_atom.title->is_html());
  EXPECT_TRUE(from_atom.summary->is_html());
  EXPECT_EQ(value(from_atom.summary), "<em>hi</em>");

  pugi::xml_document rss_document;
  const auto rss = load(rss_document, R"(<rss><channel><item><description>&lt;p&gt;Para&lt;/p&gt;</description>
      <title>Plain title</title></item></channel></rss>)");
  const Entry from_rss = ElementReader("", false, "").read_entry(rss.child("channel").child("item"));
  EXPECT_TRUE(from_rss.summary->is_html());
  EXPECT_FALSE(from_rss.title->is_html());
}

TEST(ParsePerson, ReadsTheWaysFeedsWriteAnAuthor) {
  const auto person = [](std::string_view text) {
    const Person parsed = parse_person(text);
    return parsed.name + "|" + parsed.email;
  };
  EXPECT_EQ(person("jo@example.org (Jo Smith)"), "Jo Smith|jo@example.org");
  EXPECT_EQ(person("Jo Smith <jo@example.org>"), "Jo Smith|jo@example.org");
  EXPECT_EQ(person("jo@example.org"), "|jo@example.org");
  EXPECT_EQ(person("Jo Smith"), "Jo Smith|");
  EXPECT_EQ(format_person(parse_person("jo@example.org (Jo Smith)")), "Jo Smith (jo@example.org)");
  EXPECT_EQ(format_person(Person{"", "jo@example.org", ""}), "jo@example.org");
}

}  // namespace
}  // namespace sluice::feeds
