// Feed items as the major publishers write them: a figure with the picture, its caption and credit
// first; a picture only in media:content or an enclosure; lazy-loaded and responsive images. The
// lead image is found, and a caption or credit is never the summary or the opening paragraph.
#include <gtest/gtest.h>

#include "feeds/parse/feed_parser.h"
#include "pipeline/clean/article_builder.h"

namespace sluice::pipeline {
namespace {

constexpr const char* kBody =
    "<p>The city council approved the new housing plan on Tuesday after months of debate between tenants and "
    "landlords.</p><p>The plan takes effect in March.</p>";

feeds::Article item(const std::string& item_xml) {
  const std::string document =
      R"(<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>News</title>)"
      R"(<link>https://news.example.org/</link><item><title>Council approves housing plan</title>)"
      R"(<link>https://news.example.org/2026/12/housing</link><guid>housing-1</guid>)" +
      item_xml + "</item></channel></rss>";
  const auto parsed = feeds::parse_feed(document, "https://news.example.org/rss");
  EXPECT_TRUE(parsed && parsed->entries.size() == 1);
  config::FeedConfig feed;
  feed.name = "news";
  feed.url = "https://news.example.org/rss";
  return make_article(feed, parsed->feed, parsed->entries.at(0), {});
}

std::string description(const std::string& html) { return "<description><![CDATA[" + html + "]]></description>"; }

void expect_story_first(const feeds::Article& article) {
  ASSERT_FALSE(article.paragraphs.empty());
  EXPECT_TRUE(article.paragraphs.front().starts_with("The city council approved")) << article.paragraphs.front();
  EXPECT_TRUE(article.summary.starts_with("The city council approved")) << article.summary;
  for (const std::string& paragraph : article.paragraphs) EXPECT_EQ(paragraph.find("Photo"), std::string::npos);
}

TEST(LeadImage, AFigureFirstGivesThePictureAndItsCaptionStaysOutOfTheText) {
  const feeds::Article article = item(description(
      R"(<figure><img src="https://cdn.news.example.org/housing.jpg" alt="Flats" width="1200" height="800">)"
      R"(<figcaption>New flats on the river. <span class="credit">Photo: Agency</span></figcaption></figure>)" +
      std::string(kBody)));
  EXPECT_EQ(article.image, "https://cdn.news.example.org/housing.jpg");
  expect_story_first(article);
  EXPECT_NE(article.html.find("<figcaption>New flats on the river. Photo: Agency</figcaption>"), std::string::npos)
      << article.html;
}

TEST(LeadImage, ACreditParagraphInsideTheFigureIsACaptionToo) {
  const feeds::Article article = item(description(
      R"(<figure><img src="/img/housing.jpg"><p class="caption">Photo: Jane Doe / Agency</p></figure>)" +
      std::string(kBody)));
  EXPECT_EQ(article.image, "https://news.example.org/img/housing.jpg") << "resolved against the item's link";
  expect_story_first(article);
}

TEST(LeadImage, MediaContentOnly) {
  const feeds::Article article =
      item(R"(<media:content url="https://cdn.news.example.org/m.jpg" medium="image" width="1024"/>)" +
           description(kBody));
  EXPECT_EQ(article.image, "https://cdn.news.example.org/m.jpg");
  expect_story_first(article);
}

TEST(LeadImage, AnEnclosureImageOnly) {
  const feeds::Article article =
      item(R"(<enclosure url="https://cdn.news.example.org/e.jpg" type="image/jpeg" length="1000"/>)" + description(kBody));
  EXPECT_EQ(article.image, "https://cdn.news.example.org/e.jpg");
}

TEST(LeadImage, TheFeedsOwnPictureComesBeforeTheFirstInlineOne) {
  const feeds::Article article =
      item(R"(<media:thumbnail url="https://cdn.news.example.org/t.jpg"/>)" +
           description(R"(<p><img src="https://cdn.news.example.org/inline.jpg"></p>)" + std::string(kBody)));
  EXPECT_EQ(article.image, "https://cdn.news.example.org/t.jpg");
}

TEST(LeadImage, ALazyLoadedImageGivesItsRealSource) {
  const feeds::Article article = item(description(
      R"(<figure><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="https://cdn.news.example.org/lazy.jpg">)"
      R"(<figcaption>Photo: Agency</figcaption></figure>)" +
      std::string(kBody)));
  EXPECT_EQ(article.image, "https://cdn.news.example.org/lazy.jpg");
  expect_story_first(article);
}

TEST(LeadImage, ASrcsetGivesItsLargestCandidate) {
  const feeds::Article article = item(description(
      R"(<figure><img src="https://cdn.news.example.org/s.jpg" )"
      R"(srcset="https://cdn.news.example.org/w_480,h_320/a.jpg 480w, https://cdn.news.example.org/w_1200,h_800/a.jpg 1200w, )"
      R"(https://cdn.news.example.org/w_800,h_533/a.jpg 800w"></figure>)" +
      std::string(kBody)));
  EXPECT_EQ(article.image, "https://cdn.news.example.org/w_1200,h_800/a.jpg") << "commas inside a candidate's URL too";
}

TEST(LeadImage, ATrackingPixelIsNoPicture) {
  const feeds::Article article = item(description(
      R"(<img src="https://track.example.com/p.gif" width="1" height="1">)" + std::string(kBody) +
      R"(<img src="https://cdn.news.example.org/late.jpg">)"));
  EXPECT_EQ(article.image, "https://cdn.news.example.org/late.jpg");
}

TEST(LeadImage, AnItemWithoutPicturesHasNone) {
  EXPECT_FALSE(item(description(kBody)).image);
}

}  // namespace
}  // namespace sluice::pipeline
