// extract_content: the main content of a page, readability-style, without the page furniture.
#include "pipeline/clean/content_extractor.h"

#include <gtest/gtest.h>

namespace sluice::pipeline {
namespace {

const std::string kBridgeStory =
    "<p>The city council voted on Monday to close the old bridge for repairs, a decision that will divert "
    "thousands of commuters for at least six months, officials said.</p>"
    "<p>Engineers found cracks in two of the main supports last spring, and a second inspection in the autumn "
    "confirmed that the damage had spread, according to the report.</p>"
    "<p>A temporary ferry service will run every twenty minutes during the morning and evening rush, and buses "
    "will be added on the routes that cross the river further north.</p>";

std::string page(const std::string& article) {
  return "<html><body><header><nav><a href=/>Home</a> <a href=/world>World</a> <a href=/sport>Sport</a></nav></header>"
         "<div class=sidebar><h3>Most read</h3><ul><li><a href=/1>Other story one</a></li>"
         "<li><a href=/2>Other story two</a></li></ul></div>"
         "<div class=article-body>" + article + "</div>"
         "<div class=share>Share this on social media</div>"
         "<footer>Copyright 2026 The City Paper. All rights reserved.</footer></body></html>";
}

TEST(ContentExtractor, KeepsTheStoryAndDropsThePageFurniture) {
  const PageDom dom(page(kBridgeStory));
  const auto blocks = extract_content(dom, "https://city.example/bridge").blocks;
  const auto text = blocks_text(blocks);
  ASSERT_EQ(text.size(), 3U) << blocks_html(blocks);
  EXPECT_TRUE(text[0].starts_with("The city council voted"));
  EXPECT_TRUE(text[2].starts_with("A temporary ferry service"));
  for (const std::string& block : text) {
    EXPECT_EQ(block.find("Most read"), std::string::npos);
    EXPECT_EQ(block.find("Copyright"), std::string::npos);
    EXPECT_EQ(block.find("Share this"), std::string::npos);
  }
}

TEST(ContentExtractor, AnAppendixAfterTheStoryIsCutAtItsHeading) {
  const PageDom dom(page(kBridgeStory + "<h2>Related stories</h2><p>Another story about another bridge, which also "
                                  "closed for repairs, is told elsewhere on this site at great length.</p>"));
  const auto text = blocks_text(extract_content(dom, "").blocks);
  ASSERT_FALSE(text.empty());
  EXPECT_TRUE(text.back().starts_with("A temporary ferry service")) << text.back();
}

TEST(ContentExtractor, ExplainSaysWhatWasPrunedAndWhatWasTaken) {
  const PageDom dom(page(kBridgeStory));
  std::string explain;
  extract_content(dom, "", &explain);
  EXPECT_NE(explain.find("sidebar"), std::string::npos) << explain;
  EXPECT_NE(explain.find("article-body"), std::string::npos) << explain;
}

config::PageRules rules(const char* content, std::vector<const char*> remove) {
  config::PageRules out;
  if (content) out.content = *config::parse_selector(content);
  for (const char* text : remove) out.remove.push_back(*config::parse_selector(text));
  return out;
}

TEST(ContentExtractor, PageRulesRemoveElementsAndNameTheArticle) {
  // A short story beside a long comment thread that scores higher, with a share bar inside it.
  const std::string story = "<p>The pier reopened on Friday after a winter of repairs, the council said.</p>"
                            "<div class=box7>Subscribe for a year, and get a free tote bag with the paper.</div>"
                            "<p>Fishing from its end is allowed again from May, under a new licence.</p>";
  std::string comments;
  for (int i = 0; i < 6; ++i)
    comments += "<p>Reader comment number " + std::to_string(i) + ": about time, I have waited for this, and so have "
                "my neighbours, who walk there every morning with their dogs, whatever the weather.</p>";
  const PageDom dom("<html><body><div class=story>" + story + "</div><div class=thread>" + comments +
                    "</div></body></html>");
  const auto without = blocks_text(extract_content(dom, "").blocks);
  // Without rules, the thread is taken in with the story, and the offer inside it too.
  ASSERT_GE(without.size(), 8U);
  EXPECT_TRUE(without[1].starts_with("Subscribe for a year")) << without[1];
  EXPECT_TRUE(without.back().starts_with("Reader comment"));

  const config::PageRules site = rules(".story", {".box7"});
  std::string explain;
  const Extracted with = extract_content(dom, "", &explain, &site);
  EXPECT_FALSE(with.content_missed);
  EXPECT_EQ(blocks_text(with.blocks),
            (std::vector<std::string>{"The pier reopened on Friday after a winter of repairs, the council said.",
                                      "Fishing from its end is allowed again from May, under a new licence."}));
  EXPECT_NE(explain.find("removed by rule node="), std::string::npos) << explain;
  EXPECT_NE(explain.find("content node="), std::string::npos) << explain;

  const config::PageRules removing = rules(nullptr, {".thread"});
  EXPECT_TRUE(blocks_text(extract_content(dom, "", nullptr, &removing).blocks).front().starts_with("The pier"));

  const config::PageRules missing = rules("article.story", {});
  const Extracted missed = extract_content(dom, "", nullptr, &missing);
  EXPECT_TRUE(missed.content_missed);
  EXPECT_EQ(blocks_text(missed.blocks), without) << "read as without the rule";
}

TEST(ContentExtractor, APageWithoutTextGivesNoBlocks) {
  const PageDom dom("<html><body><nav><a href=/>Home</a></nav><img src=a.png></body></html>");
  EXPECT_TRUE(extract_content(dom, "").blocks.empty());
  const PageDom empty("");
  EXPECT_TRUE(extract_content(empty, "").blocks.empty());
}

}  // namespace
}  // namespace sluice::pipeline
