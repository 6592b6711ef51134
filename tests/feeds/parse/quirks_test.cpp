// The parser against captures of real-world breakage (testdata/ beside this file): wrong or missing charsets,
// HTML entities in XML, junk before the prolog.
#include <gtest/gtest.h>

#include "feeds/dates.h"
#include "feeds/parse/encoding.h"
#include "feeds/parse/feed_parser.h"
#include "feeds/parse/xml_repair.h"
#include "tests/feeds/parse/parse_helpers.h"
#include "tests/support/temp_dir.h"

namespace sluice::feeds {
namespace {

using namespace testing_helpers;

TEST(Encoding, Latin1DeclarationIsHonoured) {
  const FeedDocument doc = parse_file("encoding_ISO-8859-1.xml");
  EXPECT_FALSE(doc.bozo) << doc.bozo_reason;
  EXPECT_EQ(doc.encoding, "iso-8859-1");
  EXPECT_EQ(value(doc.feed.title), "Caf\u00e9 cr\u00e8me");
  ASSERT_EQ(doc.entries.size(), 1U);
  EXPECT_EQ(value(doc.entries[0].title), "Z\u00fcrich");
}

TEST(Encoding, HttpCharsetOverridesTheDeclaration) {
  // Served as windows-1252; the bytes are the same for these letters, the name is what changes.
  const FeedDocument doc = parse_file("encoding_ISO-8859-1.xml", "", "application/rss+xml; charset=windows-1252");
  EXPECT_EQ(doc.encoding, "windows-1252");
  EXPECT_EQ(value(doc.feed.title), "Caf\u00e9 cr\u00e8me");
}

TEST(Encoding, Cp1252BytesInUtf8AreRecovered) {
  const FeedDocument doc = parse_file("encoding_UTF-8_with_cp1252_bytes.xml");
  EXPECT_TRUE(doc.bozo);
  EXPECT_EQ(doc.bozo_reason, "character encoding: not valid UTF-8; stray bytes read as Windows-1252");
  EXPECT_EQ(value(doc.feed.title), "caf\u00e9 \u201cquoted\u201d");
}

// UTF-8 read as Windows-1252 and encoded again: each sequence that reads back is what it was.
TEST(Encoding, TextEncodedTwiceIsRepaired) {
  const auto parsed = parse_feed("<rss version=\"2.0\"><channel><title>Caf\u00c3\u00a9 \u00e2\u20ac\u0153quoted\u00e2\u20ac\u009d "
                                 "it\u00e2\u20ac\u2122s\u00c2\u00a0ok</title><item><title>S\u00c3\u00a3o Paulo, N\u00c3O</title>"
                                 "</item></channel></rss>",
                                 "");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->bozo);
  EXPECT_EQ(parsed->bozo_reason, "character encoding: text encoded twice (UTF-8 read as Windows-1252, then encoded "
                                 "again); repaired");
  EXPECT_EQ(value(parsed->feed.title), "Caf\u00e9 \u201cquoted\u201d it\u2019s\u00a0ok");
  EXPECT_EQ(value(parsed->entries.at(0).title), "S\u00e3o Paulo, N\u00c3O") << "what is not a sequence stays";
  const auto clean = parse_feed("<rss version=\"2.0\"><channel><title>S\u00e3o Paulo, N\u00c3O, \u00c2ge</title></channel></rss>", "");
  EXPECT_FALSE(clean->bozo) << clean->bozo_reason;
  EXPECT_EQ(value(clean->feed.title), "S\u00e3o Paulo, N\u00c3O, \u00c2ge");
}

TEST(Encoding, Utf16WithByteOrderMark) {
  const FeedDocument doc = parse_file("encoding_UTF-16LE_BOM.xml");
  EXPECT_FALSE(doc.bozo) << doc.bozo_reason;
  EXPECT_EQ(doc.encoding, "utf-16le");
  EXPECT_EQ(value(doc.feed.title), "\u00c6r\u00f8sk\u00f8bing");
  ASSERT_EQ(doc.entries.size(), 1U);
  EXPECT_EQ(value(doc.entries[0].title), "\u6771\u4eac");
}

TEST(Encoding, UnknownCharsetFallsBackAndSaysSo) {
  const auto decoded = decode_document("<?xml version=\"1.0\" encoding=\"bogus\"?><rss/>", "");
  EXPECT_EQ(decoded.encoding, "utf-8");
  EXPECT_EQ(decoded.problem, "unknown charset 'bogus'");
  EXPECT_EQ(charset_of("text/xml; charset = \"UTF-8\""), "utf-8");
  EXPECT_EQ(charset_of("text/xml"), "");
}

TEST(Encoding, AWrongContentTypeDoesNotStopAFeed) {
  // Served as text/html: still read, by its content, as the RSS it is.
  const FeedDocument doc = parse_file("encoding_ISO-8859-1.xml", "", "text/html; charset=iso-8859-1");
  EXPECT_EQ(doc.version, "rss20");
  EXPECT_EQ(value(doc.feed.title), "Caf\u00e9 cr\u00e8me");
}

TEST(XmlRepair, HtmlEntitiesAndBareAmpersandsBecomeText) {
  const FeedDocument doc = parse_file("html_entities.xml");
  EXPECT_TRUE(doc.bozo);
  EXPECT_EQ(doc.bozo_reason, "not well-formed XML: undefined entity &nbsp; read as its HTML meaning");
  EXPECT_EQ(value(doc.feed.title), "Fish & chips\u00a0\u2026 \u00a9 AT&T &bogus; \u2019");
}

// HTML's spellings of references: &#X41; (XML knows only &#x41;), and HTML 4's &lang; and &rang;,
// which HTML5 gave other characters.
TEST(XmlRepair, ReferencesAsHtmlWritesThem) {
  const auto parsed = parse_feed("<rss version=\"2.0\"><channel><title>&#X41;&#x42;&#67; &lang;x&rang;</title></channel></rss>", "");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(value(parsed->feed.title), "ABC \u2329x\u232a");
  EXPECT_TRUE(parsed->bozo);
}

// A DOCTYPE's own entities are what the document means: expanded (the XML parser does not),
// nested ones too; never fetched when external; bounded when they multiply (a "billion laughs").
TEST(XmlRepair, EntitiesTheDoctypeDeclaresAreExpandedWithinBounds) {
  const auto parsed = parse_feed(R"(<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY site "Harbour &amp; Sons">
  <!ENTITY full '&site; Gazette&#x21;'>
  <!ENTITY % parameter "ignored">
]>
<rss version="2.0"><channel><title>&full;</title><description>News from &site;</description></channel></rss>)", "");
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->bozo) << parsed->bozo_reason;
  EXPECT_EQ(value(parsed->feed.title), "Harbour & Sons Gazette!");
  EXPECT_EQ(value(parsed->feed.subtitle), "News from Harbour &amp; Sons");

  const auto external = parse_feed(R"(<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>a &secret; b</title></channel></rss>)", "");
  ASSERT_TRUE(external);
  EXPECT_EQ(value(external->feed.title), "a &secret; b") << "never read";
  EXPECT_TRUE(external->bozo);

  std::string laughs = "<!DOCTYPE rss [<!ENTITY lol0 \"lol\">";
  for (int level = 1; level <= 9; ++level)
    laughs += "<!ENTITY lol" + std::to_string(level) + " \"" +
              [&] {
                std::string ten;
                for (int k = 0; k < 10; ++k) ten += "&lol" + std::to_string(level - 1) + ";";
                return ten;
              }() +
              "\">";
  laughs += "]><rss version=\"2.0\"><channel><title>&lol9;</title></channel></rss>";
  const auto bounded = parse_feed(laughs, "");
  ASSERT_TRUE(bounded);
  EXPECT_TRUE(bounded->bozo);
  EXPECT_EQ(bounded->bozo_reason, "not well-formed XML: entity &lol9; expands past 1 MiB or 8 levels; kept as text");
  EXPECT_EQ(value(bounded->feed.title), "&lol9;");
}

// HTML escaped twice shows its tags to a reader: when the whole value is escaped markup, it is
// decoded once more (bozo says so); text that mentions a tag is left as it is.
TEST(Malformed, HtmlEscapedTwiceIsDecodedOnceMore) {
  const auto parsed = parse_feed(R"(<rss version="2.0"><channel><title>T</title>
    <item><description>&amp;lt;p&amp;gt;Fish &amp;amp;amp; chips &amp;lt;b&amp;gt;today&amp;lt;/b&amp;gt;&amp;lt;/p&amp;gt;</description></item>
    <item><description>Use the &amp;lt;b&amp;gt; element for bold &amp;lt;b&amp;gt;</description></item>
  </channel></rss>)", "");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->bozo);
  EXPECT_EQ(parsed->bozo_reason, "HTML escaped twice; decoded once more");
  EXPECT_EQ(value(parsed->entries.at(0).summary), "<p>Fish &amp; chips <b>today</b></p>");
  EXPECT_EQ(value(parsed->entries.at(1).summary), "Use the &lt;b&gt; element for bold &lt;b&gt;");
}

// Of several links, the last: RSS's <link>s, and Atom's alternate HTML ones.
TEST(Links, TheLastOfSeveralWins) {
  const auto rss = parse_feed(R"(<rss version="2.0"><channel><link>http://a.example/</link><link>http://b.example/</link>
    <item><link>http://c.example/</link><link href="http://d.example/"/></item></channel></rss>)", "");
  EXPECT_EQ(rss->feed.link, "http://b.example/");
  EXPECT_EQ(rss->entries.at(0).link, "http://d.example/");
  const auto atom = parse_feed(R"(<feed xmlns="http://www.w3.org/2005/Atom"><link rel="alternate" type="text/html" href="http://a.example/"/>
    <link rel="alternate" type="text/html" href="http://b.example/"/><link rel="alternate" type="application/pdf" href="http://p.example/"/>
    <entry><id>1</id><link rel="alternate" type="application/pdf" href="http://p.example/1"/></entry></feed>)", "");
  EXPECT_EQ(atom->feed.link, "http://b.example/");
  EXPECT_EQ(atom->entries.at(0).link, "http://p.example/1") << "another kind when there is nothing better";
}

TEST(XmlRepair, LeavesCdataAndWellFormedDocumentsAlone) {
  const std::string good = "<a x=\"&amp;&#38;&#x26;\"><![CDATA[&nbsp; & <b>]]><!-- & --></a>";
  const RepairedXml repaired = repair_xml(good);
  EXPECT_EQ(repaired.text, good);
  EXPECT_EQ(repaired.problem, "");
  EXPECT_EQ(html_entity("hellip"), "\u2026");
  EXPECT_EQ(html_entity("nosuchthing"), "");
}

TEST(XmlRepair, JunkBeforeTheFirstTagIsSkipped) {
  const FeedDocument doc = parse_file("junk_before_prolog.xml");
  EXPECT_TRUE(doc.bozo);
  EXPECT_EQ(doc.bozo_reason, "not well-formed XML: text before the first tag, skipped");
  EXPECT_EQ(value(doc.feed.title), "Still a feed");
}

TEST(XmlRepair, ControlCharactersAreDropped) {
  const auto result = parse_feed("<rss version=\"2.0\"><channel><title>a\x01" "b\x0b" "c</title></channel></rss>", "");
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->bozo);
  EXPECT_EQ(value(result->feed.title), "abc");
}

// Found by fuzzing: HTML that sanitizes to nothing but whitespace.
TEST(Malformed, HtmlThatSanitizesToWhitespaceIsEmpty) {
  const FeedDocument doc = parse_ok(
      "<rss version=\"2.0\"><channel><item><title>t</title>"
      "<description><![CDATA[<script>alert(1)</script>  \n ]]></description></item></channel></rss>");
  ASSERT_EQ(doc.entries.size(), 1U);
  EXPECT_EQ(value(doc.entries[0].summary), "");
}

// The repair's scan reads sixteen bytes at a time: a control character is found wherever it falls
// in a block, and neither UTF-8 bytes nor tabs and line breaks are taken for one.
TEST(Malformed, ControlCharactersAreDroppedWhereverTheyFall) {
  const std::string clean_title = "Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC\tnews\r\nand more caf\xC3\xA9s";
  const FeedDocument clean = parse_ok("<rss version=\"2.0\"><channel><title>" + clean_title + "</title></channel></rss>");
  EXPECT_FALSE(clean.bozo) << clean.bozo_reason;
  for (std::size_t at = 0; at <= 40; ++at) {
    std::string title = std::string(at, 'x') + "\xC3\xA9";
    const std::string expected = title + "y";
    title += '\x01';
    title += "y";
    const FeedDocument doc = parse_ok("<rss version=\"2.0\"><channel><title>" + title + "</title></channel></rss>");
    EXPECT_TRUE(doc.bozo) << "control character at " << at << " not found";
    EXPECT_EQ(doc.bozo_reason, "not well-formed XML: control character dropped") << at;
    EXPECT_EQ(value(doc.feed.title), expected) << at;
  }
}

std::vector<std::string> ids_of(const std::vector<Entry>& entries) {
  std::vector<std::string> ids;
  for (const Entry& entry : entries) ids.push_back(entry.id);
  return ids;
}

TEST(KeepNewestEntries, KeepsTheNewestByDateInDocumentOrder) {
  const auto at = [](int day) { return Timestamp(std::chrono::days(20000 + day)); };
  std::vector<Entry> entries(5);
  const int days[] = {3, 9, 1, 7, 9};
  for (int i = 0; i < 5; ++i) {
    entries[i].id = "e" + std::to_string(i);
    if (i % 2) entries[i].updated = at(days[i]);
    else entries[i].published = at(days[i]);
  }
  EXPECT_EQ(keep_newest_entries(entries, 5), 0U);
  EXPECT_EQ(keep_newest_entries(entries, 3), 2U);
  EXPECT_EQ(ids_of(entries), (std::vector<std::string>{"e1", "e3", "e4"})) << "days 9, 7, 9; order kept";
}

TEST(KeepNewestEntries, WithoutADateOnEveryEntryKeepsTheFirstOnes) {
  std::vector<Entry> entries(4);
  for (int i = 0; i < 4; ++i) entries[i].id = "e" + std::to_string(i);
  entries[3].published = Timestamp(std::chrono::days(30000));
  EXPECT_EQ(keep_newest_entries(entries, 2), 2U);
  EXPECT_EQ(ids_of(entries), (std::vector<std::string>{"e0", "e1"}));
}

TEST(KeepNewestEntries, TheParserHoldsNoMoreThanTwiceItsLimitAndKeepsTheNewest) {
  std::string items;
  // 50 items, oldest first (a feed that appends), each a day apart.
  for (int day = 1; day <= 50; ++day)
    items += "<item><guid>d" + std::to_string(day) + "</guid><pubDate>" +
             (day <= 31 ? std::to_string(day) + " Jan" : std::to_string(day - 31) + " Feb") +
             " 2026 00:00:00 GMT</pubDate></item>";
  items = "<rss version=\"2.0\"><channel><title>t</title>" + items + "</channel></rss>";
  const auto parsed = parse_feed(items, "", "", 10);
  ASSERT_TRUE(parsed) << parsed.error().reason;
  EXPECT_EQ(parsed->entries_dropped, 40U);
  ASSERT_EQ(parsed->entries.size(), 10U);
  EXPECT_EQ(parsed->entries.front().id, "d41");
  EXPECT_EQ(parsed->entries.back().id, "d50");
  const auto whole = parse_feed(items, "");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->entries.size(), 50U) << "no limit unless asked";
}

}  // namespace
}  // namespace sluice::feeds
