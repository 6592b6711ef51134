#include "pipeline/clean/boilerplate_hints.h"

#include <gtest/gtest.h>

namespace sluice::pipeline {
namespace {

TEST(BoilerplateHints, ClassNamesAreJudgedWordByWord) {
  EXPECT_EQ(classify_hints("share-bar", "", ""), Hint::strong_boilerplate);
  EXPECT_EQ(classify_hints("relatedArticles", "", ""), Hint::strong_boilerplate);
  EXPECT_EQ(classify_hints("ad-slot", "", ""), Hint::strong_boilerplate);
  EXPECT_EQ(classify_hints("comment-content", "", ""), Hint::strong_boilerplate) << "a comment, whatever it holds";
  EXPECT_EQ(classify_hints("site-footer", "", ""), Hint::weak_boilerplate);
  EXPECT_EQ(classify_hints("entry-header", "", ""), Hint::none) << "furniture of the article itself";
  EXPECT_EQ(classify_hints("elementor-widget-container", "", ""), Hint::negative);
  EXPECT_EQ(classify_hints("article-body", "", ""), Hint::content);
  EXPECT_EQ(classify_hints("shadow load", "", ""), Hint::none);
  EXPECT_EQ(classify_hints("", "", ""), Hint::none);
}

TEST(BoilerplateHints, NamesOfOneElementAreWeighedTogether) {
  EXPECT_EQ(classify_hints("post type-post tag-politics", "", ""), Hint::negative)
      << "a post wrapper carrying its taxonomy is never pruned";
  EXPECT_EQ(classify_hints("wrapper", "comments", ""), Hint::strong_boilerplate) << "the id counts";
  EXPECT_EQ(classify_hints("wrapper", "", "navigation"), Hint::weak_boilerplate) << "so does the role";
  EXPECT_EQ(classify_hints("sidebar story", "", ""), Hint::none);
}

TEST(BoilerplateHints, WeightsFollowTheVerdict) {
  EXPECT_EQ(hint_weight(Hint::content), 25);
  EXPECT_EQ(hint_weight(Hint::negative), -25);
  EXPECT_EQ(hint_weight(Hint::strong_boilerplate), -25);
  EXPECT_EQ(hint_weight(Hint::none), 0);
}

}  // namespace
}  // namespace sluice::pipeline
