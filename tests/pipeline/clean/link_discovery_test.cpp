#include "pipeline/clean/link_discovery.h"

#include <gtest/gtest.h>

namespace sluice::pipeline {
namespace {

config::Selector selector(std::string_view text) {
  auto parsed = config::parse_selector(text);
  EXPECT_TRUE(parsed) << parsed.error();
  return parsed ? *parsed : config::Selector{};
}

constexpr const char* kListing = R"html(<html><body>
  <nav><a href="/about">About</a></nav>
  <main id="front">
    <article class="teaser lead"><h2><a href="/news/one.html?utm_source=home#top">One</a></h2></article>
    <article class="teaser"><h2><a href="https://other.example/two">Two</a></h2><a href="/tags/x">tag</a></article>
    <div class="card" data-kind="story"><span>Three</span><a href="three.html">read</a></div>
    <article class="teaser"><h2><a href="/news/one.html">One again</a></h2></article>
    <article class="teaser"><h2><a href="javascript:void(0)">Script</a></h2></article>
    <custom-card><a href="/news/four.html">Four</a></custom-card>
  </main></body></html>)html";

TEST(LinkDiscovery, DescendantChainFindsTheTeaserLinks) {
  const PageDom dom(kListing);
  EXPECT_EQ(discover_links(dom, selector("main article h2 a"), "https://news.example/front/", 10),
            (std::vector<std::string>{"https://news.example/news/one.html", "https://other.example/two"}));
}

TEST(LinkDiscovery, AnElementThatIsNotALinkGivesTheLinkInside) {
  const PageDom dom(kListing);
  EXPECT_EQ(discover_links(dom, selector("[data-kind=story], custom-card"), "https://news.example/front/", 10),
            (std::vector<std::string>{"https://news.example/front/three.html", "https://news.example/news/four.html"}));
}

TEST(LinkDiscovery, ClassesIdsAttributeOperatorsAndLimit) {
  const PageDom dom(kListing);
  const std::string base = "https://news.example/";
  EXPECT_EQ(discover_links(dom, selector("#front .teaser.lead a"), base, 10),
            std::vector<std::string>{"https://news.example/news/one.html"});
  EXPECT_EQ(discover_links(dom, selector("a[href^=https]"), base, 10),
            std::vector<std::string>{"https://other.example/two"});
  EXPECT_EQ(discover_links(dom, selector("a[href*=news][href$=html]"), base, 10),
            (std::vector<std::string>{"https://news.example/news/one.html", "https://news.example/news/four.html"}));
  EXPECT_EQ(discover_links(dom, selector("main a"), base, 2).size(), 2U);
  EXPECT_TRUE(discover_links(dom, selector("footer a"), base, 10).empty());
}

}  // namespace
}  // namespace sluice::pipeline
