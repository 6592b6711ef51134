// BlockCollector: page subtrees into paragraphs, headings, list items, quotations, preformatted
// runs and table rows, with inline HTML through an allowlist.
#include "pipeline/clean/block_collector.h"

#include <gtest/gtest.h>

namespace sluice::pipeline {
namespace {

std::vector<Block> collect(const std::string& html, const std::string& base = "https://news.example/a/page") {
  const PageDom dom(html);
  const std::vector<char> skipped(static_cast<std::size_t>(dom.size()), 0);
  BlockCollector collector(dom, skipped, base);
  collector.collect(dom.body());
  return collector.take();
}

TEST(BlockCollector, BlockElementsAndDoubleBreaksEndAParagraphInlineMarkupFlowsIntoIt) {
  const auto blocks = collect("<body><h2>Title</h2><p>One <em>two</em>\n  three</p>Loose text<br><br>after breaks"
                              "<ul><li>First</li><li>Second</li></ul><blockquote>Said</blockquote>"
                              "<pre>line 1\n  line 2</pre><table><tr><td>a</td><td>b</td></tr></table></body>");
  ASSERT_EQ(blocks.size(), 9U);
  EXPECT_EQ(blocks[0].kind, Block::Kind::heading);
  EXPECT_EQ(blocks[0].level, 2);
  EXPECT_EQ(blocks[1].text, "One two three");
  EXPECT_EQ(blocks[1].html, "One <em>two</em> three");
  EXPECT_EQ(blocks[2].text, "Loose text");
  EXPECT_EQ(blocks[3].text, "after breaks");
  EXPECT_EQ(blocks[4].kind, Block::Kind::list_item);
  EXPECT_EQ(blocks[5].text, "Second");
  EXPECT_EQ(blocks[6].kind, Block::Kind::quote);
  EXPECT_EQ(blocks[7].kind, Block::Kind::preformatted);
  EXPECT_EQ(blocks[7].text, "line 1\n  line 2") << "preformatted text keeps its lines";
  EXPECT_EQ(blocks[8].kind, Block::Kind::table_row);
}

TEST(BlockCollector, OnlyAllowedInlineMarkupSurvivesAndLinksBecomeAbsoluteHttp) {
  const auto blocks = collect(R"html(<body><p><a href="../b/other" onclick="x()">rel</a> <a href="javascript:alert(1)">js</a>
      <span style="color:red">plain</span> <code>f()</code> <img src="x.png" alt="pic"></p></body>)html");
  ASSERT_EQ(blocks.size(), 1U);
  const std::string& html = blocks[0].html;
  EXPECT_NE(html.find(R"(<a href="https://news.example/b/other">rel</a>)"), std::string::npos) << html;
  EXPECT_EQ(html.find("javascript"), std::string::npos) << html;
  EXPECT_EQ(html.find("onclick"), std::string::npos) << html;
  EXPECT_EQ(html.find("<span"), std::string::npos) << html;
  EXPECT_NE(html.find("<code>f()</code>"), std::string::npos) << html;
  // "rel" and "js" (with at most the space between them) are link text; the rest is not.
  EXPECT_GE(blocks[0].link_chars, 5);
  EXPECT_LE(blocks[0].link_chars, 6);
  EXPECT_LT(blocks[0].link_density(), 0.5);
}

TEST(BlockCollector, SkippedSubtreesAreLeftOut) {
  const PageDom dom("<body><p>Keep</p><div class=ad><p>Buy now</p></div><p>Keep too</p></body>");
  std::vector<char> skipped(static_cast<std::size_t>(dom.size()), 0);
  for (int i = 0; i < dom.size(); ++i)
    if (dom.attribute(i, "class") == "ad") skipped[static_cast<std::size_t>(i)] = 1;
  BlockCollector collector(dom, skipped, "");
  collector.collect(dom.body());
  EXPECT_EQ(blocks_text(collector.take()), (std::vector<std::string>{"Keep", "Keep too"}));
}

}  // namespace
}  // namespace sluice::pipeline
