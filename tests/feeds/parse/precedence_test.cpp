// The precedence table (feeds/parse/precedence.h): the reader follows it whatever the order of the
// sources in the document, and the README prints it as the code holds it.
#include "feeds/parse/precedence.h"

#include <gtest/gtest.h>

#include "feeds/dates.h"
#include "feeds/parse/feed_parser.h"
#include "tests/feeds/parse/parse_helpers.h"
#include "tests/support/temp_dir.h"

namespace sluice::feeds {
namespace {

using namespace testing_helpers;

TEST(Precedence, TheReadmePrintsTheTable) {
  const std::string readme = test::read_file(SLUICE_SOURCE_DIR "/README.md");
  const std::string table = precedence_markdown();
  EXPECT_NE(readme.find(table), std::string::npos) << "README.md should hold, as it is:\n" << table;
}

TEST(Precedence, TheBestSourceWinsWhateverTheOrder) {
  const auto parsed = parse_feed(R"(<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:dcterms="http://purl.org/dc/terms/" xmlns:media="http://search.yahoo.com/mrss/"><channel>
    <itunes:subtitle>Fallback subtitle</itunes:subtitle><title>Channel</title>
    <item><itunes:title>Episode 5 (itunes)</itunes:title><title>Episode 5</title><dc:title>Other</dc:title>
      <dcterms:created>2004-01-01T00:00:00Z</dcterms:created><pubDate>Mon, 02 Feb 2004 00:00:00 GMT</pubDate>
      <dc:date>2004-03-03T00:00:00Z</dc:date><atom:updated>2004-04-04T00:00:00Z</atom:updated></item>
    <item><itunes:title>Only itunes</itunes:title><atom:created>2005-05-05T00:00:00Z</atom:created>
      <media:description>Media words</media:description></item>
    <item><title>Both</title><itunes:summary>Short</itunes:summary><description>Long &lt;b&gt;body&lt;/b&gt;</description>
      <media:description>Unused</media:description></item>
  </channel></rss>)", "");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(value(parsed->feed.subtitle), "Fallback subtitle");
  ASSERT_EQ(parsed->entries.size(), 3U);
  const Entry& first = parsed->entries[0];
  EXPECT_EQ(value(first.title), "Episode 5") << "title beats itunes:title, and is the first of its rank";
  EXPECT_EQ(format_rfc3339(first.published.value()), "2004-02-02T00:00:00Z") << "pubDate beats dcterms:created";
  EXPECT_EQ(format_rfc3339(first.updated.value()), "2004-04-04T00:00:00Z") << "the last of its rank";
  const Entry& second = parsed->entries[1];
  EXPECT_EQ(value(second.title), "Only itunes");
  EXPECT_EQ(format_rfc3339(second.published.value()), "2005-05-05T00:00:00Z") << "atom:created as a fallback";
  EXPECT_EQ(value(second.summary), "Media words");
  const Entry& third = parsed->entries[2];
  EXPECT_EQ(value(third.summary), "Short");
  ASSERT_EQ(third.content.size(), 1U);
  EXPECT_EQ(third.content[0].value, "Long <b>body</b>") << "a description that loses to a summary is the content";
}

}  // namespace
}  // namespace sluice::feeds
