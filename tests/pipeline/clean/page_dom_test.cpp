// PageDom: the flat, document-ordered view of a page the cleaning stage walks.
#include "pipeline/clean/page_dom.h"

#include <gtest/gtest.h>

namespace sluice::pipeline {
namespace {

TEST(PageDom, LaysThePageOutInDocumentOrderWithParentsAndSubtreeEnds) {
  const PageDom dom("<html><head><title>T</title></head><body><div id=main><p>One <b>two</b></p><p>Three</p></div>"
                    "</body></html>");
  ASSERT_GE(dom.html(), 0);
  ASSERT_GE(dom.head(), 0);
  ASSERT_GE(dom.body(), 0);
  EXPECT_EQ(dom[dom.head()].parent, dom.html());
  EXPECT_EQ(dom[dom.body()].parent, dom.html());
  // Every node's subtree lies within its parent's, and every node after its parent.
  for (int i = 0; i < dom.size(); ++i) {
    const PageNode& node = dom[i];
    EXPECT_GT(node.end, i);
    if (node.parent < 0) continue;
    EXPECT_LT(node.parent, i);
    EXPECT_LE(node.end, dom[node.parent].end);
  }
  int main = -1;
  for (int i = 0; i < dom.size(); ++i)
    if (dom.attribute(i, "id") == "main") main = i;
  ASSERT_GE(main, 0);
  EXPECT_EQ(dom[main].tag, GUMBO_TAG_DIV);
  EXPECT_TRUE(dom.has_attribute(main, "id"));
  EXPECT_FALSE(dom.has_attribute(main, "class"));
  EXPECT_EQ(dom.attribute(main, "class"), "");
  EXPECT_EQ(dom.text_of(main), "One two Three");
  std::vector<std::string_view> texts;
  for (int i = main; i < dom[main].end; ++i)
    if (dom[i].is_text) texts.push_back(dom[i].text);
  EXPECT_EQ(texts, (std::vector<std::string_view>{"One ", "two", "Three"}));
}

TEST(PageDom, LeavesOutWhatAReaderNeverSeesAsText) {
  const PageDom dom("<body><p>Kept</p><script>var hidden = 1;</script><style>p{}</style><form><input value=x>"
                    "<select><option>Choice</option></select></form><noscript>Enable JS</noscript>"
                    "<template><p>Later</p></template><p>Also kept</p></body>");
  EXPECT_EQ(dom.text_of(dom.body()), "Kept Also kept");
  for (int i = 0; i < dom.size(); ++i) {
    EXPECT_NE(dom[i].tag, GUMBO_TAG_SCRIPT);
    EXPECT_NE(dom[i].tag, GUMBO_TAG_SELECT);
  }
}

TEST(PageDom, KeepsTheJsonLdBlocksForTheMetadata) {
  const PageDom dom(R"(<html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"H"}</script>
      </head><body><p>Body</p><script type="application/ld+json">{"@type":"Person"}</script></body></html>)");
  ASSERT_EQ(dom.json_ld().size(), 2U);
  EXPECT_NE(dom.json_ld()[0].find("NewsArticle"), std::string::npos);
  EXPECT_NE(dom.json_ld()[1].find("Person"), std::string::npos);
}

TEST(PageDom, AMalformedPageIsReadAndWhatWasCutIsSaid) {
  std::string deep = "<body>";
  for (int i = 0; i < 5000; ++i) deep += "<div>";
  deep += "<p>Deep text</p>";
  const PageDom dom(deep);
  EXPECT_FALSE(dom.problem().empty());
  EXPECT_NE(dom.text_of(dom.body()).find("Deep text"), std::string::npos) << "flattened, not lost";

  const PageDom fine("<p>Unclosed <b>bold<p>next");
  EXPECT_EQ(fine.problem(), "");
  EXPECT_EQ(fine.text_of(fine.body()), "Unclosed bold next");
}

}  // namespace
}  // namespace sluice::pipeline
