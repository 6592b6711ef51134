#include "pipeline/clean/page_metadata.h"

#include <gtest/gtest.h>

#include "feeds/dates.h"

namespace sluice::pipeline {
namespace {

PageMetadata read(const std::string& html, std::string_view url = "https://example.org/a/story") {
  const PageDom dom(html);
  return read_page_metadata(dom, url);
}

TEST(PageMetadata, JsonLdArticleInAGraph) {
  const PageMetadata meta = read(R"(<html lang="de-DE"><head>
    <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
      {"@type":"WebSite","name":"Site"},
      {"@type":["NewsArticle"],"headline":"Headline &amp; more","datePublished":"2024-03-01T08:00:00+01:00",
       "dateModified":"2024-03-02T10:00:00Z","author":[{"@type":"Person","name":"Ana Ruiz"},"Bo Lee"],
       "image":{"@type":"ImageObject","url":"/img/lead.jpg"}}]}</script></head><body></body></html>)");
  EXPECT_EQ(meta.title, "Headline & more");
  ASSERT_TRUE(meta.published);
  EXPECT_EQ(feeds::format_rfc3339(*meta.published), "2024-03-01T07:00:00Z");
  ASSERT_TRUE(meta.updated);
  EXPECT_EQ(feeds::format_rfc3339(*meta.updated), "2024-03-02T10:00:00Z");
  EXPECT_EQ(meta.authors, (std::vector<std::string>{"Ana Ruiz", "Bo Lee"}));
  EXPECT_EQ(meta.image, "https://example.org/img/lead.jpg");
  EXPECT_EQ(meta.language, "de-DE");
}

TEST(PageMetadata, OpenGraphAndCanonical) {
  const PageMetadata meta = read(R"(<html><head>
    <meta property="og:title" content="OG title">
    <meta property="og:site_name" content="The Paper">
    <meta name="description" content="A description.">
    <meta property="article:published_time" content="2024-05-06">
    <link rel="canonical" href="/a/story?utm_source=x&amp;id=7#top">
    <meta property="og:image" content="https://cdn.example.org/i.png"></head></html>)");
  EXPECT_EQ(meta.title, "OG title");
  EXPECT_EQ(meta.site_name, "The Paper");
  EXPECT_EQ(meta.description, "A description.");
  EXPECT_EQ(meta.url, "https://example.org/a/story?id=7");
  ASSERT_TRUE(meta.published);
  EXPECT_EQ(feeds::format_rfc3339(*meta.published), "2024-05-06T00:00:00Z");
  EXPECT_EQ(meta.image, "https://cdn.example.org/i.png");
}

TEST(PageMetadata, TitleFallsBackToH1ThenTitleWithoutSiteName) {
  EXPECT_EQ(read("<html><head><title>Page title | Site</title></head><body><h1>The <em>h1</em></h1></body></html>").title,
            "The h1");
  EXPECT_EQ(read("<html><head><title>The real headline of the page - Site</title></head></html>").title,
            "The real headline of the page");
  EXPECT_EQ(strip_site_name("Site Name | A story about things", "Site Name"), "A story about things");
}

TEST(PageMetadata, TimeElementAndMetaAuthor) {
  const PageMetadata meta = read(R"(<html><head><meta name="author" content="Kim Park"></head>
    <body><time datetime="2023-11-12T09:30:00Z">12 Nov</time></body></html>)");
  EXPECT_EQ(meta.authors, std::vector<std::string>{"Kim Park"});
  ASSERT_TRUE(meta.published);
  EXPECT_EQ(feeds::format_rfc3339(*meta.published), "2023-11-12T09:30:00Z");
}

TEST(PageMetadata, BrokenJsonLdIsIgnored) {
  const PageMetadata meta = read(R"(<html><head><script type="application/ld+json">{"@type": "Article", </script>
    <title>Plain title</title></head></html>)");
  EXPECT_EQ(meta.title, "Plain title");
  EXPECT_FALSE(meta.published);
}

}  // namespace
}  // namespace sluice::pipeline
