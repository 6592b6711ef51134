#include "feeds/html/html_text.h"

#include <gtest/gtest.h>

namespace sluice::feeds {
namespace {

using Paragraphs = std::vector<std::string>;

TEST(HtmlText, BlocksBecomeParagraphs) {
  EXPECT_EQ(html_paragraphs("<p>One  <b>bold</b>\n line.</p><p>Two</p><div>Three<p>Four</p>Five</div>"),
            (Paragraphs{"One bold line.", "Two", "Three", "Four", "Five"}));
}

TEST(HtmlText, DoubleBreaksSplitSingleBreaksJoin) {
  EXPECT_EQ(html_paragraphs("a<br>b<br><br>c<br/><br />d"), (Paragraphs{"a b", "c", "d"}));
}

TEST(HtmlText, DecodesEntitiesAndDropsScripts) {
  EXPECT_EQ(html_paragraphs("<p>Fish &amp; chips&nbsp;&hellip; &#x27;ok&#39;</p><script>alert(1)</script>"
                            "<style>p{}</style><p>after</p>"),
            (Paragraphs{"Fish & chips\u00a0\u2026 'ok'", "after"}));
}

TEST(HtmlText, SurvivesBrokenMarkup) {
  EXPECT_EQ(html_paragraphs("<p>open <i>never closed<p>next</div></span>"), (Paragraphs{"open never closed", "next"}));
  EXPECT_TRUE(html_paragraphs("").empty());
  EXPECT_TRUE(html_paragraphs("<p> </p><div></div>").empty());
}

TEST(HtmlText, InlineTextForTitles) {
  EXPECT_EQ(html_to_text("  plain   title "), "plain title");
  EXPECT_EQ(html_to_text("<b>Bold</b> &amp; <i>brave</i>"), "Bold & brave");
  EXPECT_EQ(html_to_text("<p>two</p><p>blocks</p>"), "two blocks");
}

TEST(HtmlText, EscapesForHtml) { EXPECT_EQ(escape_html(R"(<a href="x">&</a>)"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"); }

TEST(HtmlText, HostileNestingNeverOverflowsTheStack) {
  std::string html = "<p>start</p>";
  for (int i = 0; i < 300'000; ++i) html += "<div><i>";
  html += "end";
  const auto paragraphs = html_paragraphs(html);
  ASSERT_FALSE(paragraphs.empty());
  EXPECT_EQ(paragraphs.front(), "start");
}

}  // namespace
}  // namespace sluice::feeds
