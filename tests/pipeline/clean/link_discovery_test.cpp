#include "pipeline/clean/link_discovery.h"
#include "pipeline/clean/selector_match.h"

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

// The ids of the elements a selector matches, in page order.
std::vector<std::string> ids(const PageDom& dom, std::string_view text) {
  const std::vector<char> matched = select_elements(dom, selector(text));
  std::vector<std::string> out;
  for (int i = 0; i < dom.size(); ++i)
    if (matched[static_cast<std::size_t>(i)]) out.emplace_back(dom.attribute(i, "id"));
  return out;
}

TEST(SelectorMatch, ChildCombinatorsLookAtTheParentAndDescendantsAtAnyAncestor) {
  const PageDom dom(R"(<html><body>
    <div id="a" class="x"><p id="p1">one</p><section id="s"><p id="p2">two</p><div id="b" class="x"><p id="p3">three</p></div></section></div>
    <div id="c" class="ad"><p id="p4">four</p></div></body></html>)");
  EXPECT_EQ(ids(dom, "div > p"), (std::vector<std::string>{"p1", "p3", "p4"}));
  EXPECT_EQ(ids(dom, "div p"), (std::vector<std::string>{"p1", "p2", "p3", "p4"}));
  // The nearest .x ancestor of p3 (#b) is not a section's child, a farther one (#a) is a body's:
  // matching must not stop at the nearest.
  EXPECT_EQ(ids(dom, "body > .x p"), (std::vector<std::string>{"p1", "p2", "p3"}));
  EXPECT_EQ(ids(dom, "section > .x > p"), std::vector<std::string>{"p3"});
  EXPECT_EQ(ids(dom, "div:not(.ad) > p"), (std::vector<std::string>{"p1", "p3"}));
  EXPECT_EQ(ids(dom, "p:not(#p1, #p2)"), (std::vector<std::string>{"p3", "p4"}));
  EXPECT_EQ(ids(dom, "div:not(.x)"), std::vector<std::string>{"c"});
}

TEST(SelectorMatch, DeepNestingCostsOnePassPerCompound) {
  std::string html = "<html><body>";
  for (int i = 0; i < 900; ++i) html += "<div>";
  html += "<p id=deep>x</p>";
  for (int i = 0; i < 900; ++i) html += "</div>";
  const PageDom dom(html + "</body></html>");
  EXPECT_EQ(ids(dom, "div > div div > div div > div > p"), std::vector<std::string>{"deep"});
  EXPECT_TRUE(ids(dom, "body > div > p").empty());
}

}  // namespace
}  // namespace sluice::pipeline
