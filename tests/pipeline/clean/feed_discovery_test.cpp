// Feed discovery on pages as sites write them: what a page advertises, in which order, and what
// counts as a web page. The fetching side runs against a real server in the worker's and the
// CLI's tests.
#include "pipeline/clean/feed_discovery.h"

#include <gtest/gtest.h>

namespace sluice::pipeline {
namespace {

std::vector<std::string> urls_of(std::string_view html, std::string_view page_url,
                                 FeedCandidate::Source only = FeedCandidate::Source::advertised) {
  const PageDom dom(html);
  std::vector<std::string> out;
  for (const FeedCandidate& candidate : feed_candidates(dom, page_url))
    if (candidate.source == only) out.push_back(candidate.url);
  return out;
}

TEST(FeedDiscovery, AdvertisedFeedsComeInPageOrderWithCommentFeedsAndGenericXmlLast) {
  const std::string page = R"html(<!DOCTYPE html><html><head>
    <link rel="stylesheet" href="/style.css">
    <link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">
    <link rel="alternate" type="application/rss+xml" title="Harbour News &raquo; Comments Feed" href="/comments/feed/">
    <link rel="alternate" type="text/xml" href="/legacy.xml">
    <link rel="alternate" type="application/rss+xml" title="Harbour News &raquo; Feed" href="/feed/">
    <link rel="alternate" hreflang="de" href="/de/">
    <link rel="Alternate" type="Application/Atom+XML; charset=utf-8" href="atom.xml">
    <link rel="alternate" type="application/feed+json" href="https://cdn.example/feed.json">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    <link rel="alternate" type="application/rss+xml" href="/feed/">
  </head><body><p>Home</p></body></html>)html";
  EXPECT_EQ(urls_of(page, "https://news.example/blog/"),
            (std::vector<std::string>{"https://news.example/feed/", "https://news.example/blog/atom.xml",
                                      "https://cdn.example/feed.json", "https://news.example/comments/feed/",
                                      "https://news.example/legacy.xml"}));
}

TEST(FeedDiscovery, CandidatesCarryTheirTypeAndTitleAndRelFeedCounts) {
  const PageDom dom(R"(<html><head><base href="https://static.example/site/">
    <link rel="feed" href="posts.xml" title=" All posts ">
    <link rel="alternate feed" type="application/atom+xml" href="atom">
  </head><body></body></html>)");
  const auto candidates = feed_candidates(dom, "https://www.example/");
  ASSERT_GE(candidates.size(), 2U);
  EXPECT_EQ(candidates[0].url, "https://static.example/site/posts.xml") << "a <base href> is the base";
  EXPECT_EQ(candidates[0].title, "All posts");
  EXPECT_EQ(candidates[0].type, "");
  EXPECT_EQ(candidates[1].url, "https://static.example/site/atom");
  EXPECT_EQ(candidates[1].type, "application/atom+xml");
  EXPECT_EQ(source_name(candidates[1].source), "advertised");
}

TEST(FeedDiscovery, WellKnownPathsFollowUnderThePageDirectoryFirstThenTheRoot) {
  EXPECT_EQ(urls_of("<html><body>Hi</body></html>", "https://blog.example/notes/index.html",
                    FeedCandidate::Source::well_known),
            (std::vector<std::string>{"https://blog.example/notes/feed", "https://blog.example/notes/rss.xml",
                                      "https://blog.example/notes/atom.xml", "https://blog.example/notes/index.xml",
                                      "https://blog.example/notes/feed.json", "https://blog.example/feed",
                                      "https://blog.example/rss.xml", "https://blog.example/atom.xml",
                                      "https://blog.example/index.xml", "https://blog.example/feed.json"}));
  EXPECT_EQ(urls_of("<html></html>", "http://site.example:8080/", FeedCandidate::Source::well_known).size(), 5U)
      << "at the root the two lists are one";
}

TEST(FeedDiscovery, APageAdvertisingThousandsOfFeedsGetsAFewTried) {
  std::string page = "<html><head>";
  for (int i = 0; i < 5000; ++i)
    page += "<link rel=alternate type=application/rss+xml href=/f" + std::to_string(i) + ".xml>";
  page += "</head></html>";
  const auto advertised = urls_of(page, "https://many.example/");
  EXPECT_EQ(advertised.size(), 8U);
  EXPECT_EQ(advertised.front(), "https://many.example/f0.xml");
}

TEST(FeedDiscovery, WebPagesAreKnownByTypeOrMarkup) {
  EXPECT_TRUE(is_web_page("whatever", "text/html; charset=utf-8"));
  EXPECT_TRUE(is_web_page("", "application/xhtml+xml"));
  EXPECT_TRUE(is_web_page("\xEF\xBB\xBF\n  <!DOCTYPE HTML><html>", ""));
  EXPECT_TRUE(is_web_page("<?xml version=\"1.0\"?><!-- generated --><html xmlns=\"http://www.w3.org/1999/xhtml\">", ""));
  EXPECT_FALSE(is_web_page("<?xml version=\"1.0\"?><rss version=\"2.0\"></rss>", "application/xml"));
  EXPECT_FALSE(is_web_page("{\"version\": \"https://jsonfeed.org/version/1.1\"}", "application/json"));
  EXPECT_FALSE(is_web_page("<!-- never closed <html>", ""));
}

TEST(FeedDiscovery, TriesCandidatesInOrderUntilEnoughAreFeedsAndSaysWhatWasMissed) {
  const std::vector<FeedCandidate> candidates = {
      {"https://a.example/gone.xml", "application/rss+xml", "", FeedCandidate::Source::advertised},
      {"https://a.example/page", "application/rss+xml", "", FeedCandidate::Source::advertised},
      {"https://a.example/feed", "", "", FeedCandidate::Source::well_known},
      {"https://a.example/rss.xml", "", "", FeedCandidate::Source::well_known},
  };
  std::vector<std::string> asked;
  const auto fetch = [&](const std::string& url) -> feeds::FetchResult {
    asked.push_back(url);
    if (url.ends_with("gone.xml")) return std::unexpected(feeds::FetchError{"HTTP 404", 404, std::nullopt});
    feeds::FetchResponse response;
    response.status = 200;
    response.body = url.ends_with("/page") ? "<html><body>A page</body></html>"
                                           : R"(<rss version="2.0"><channel><title>A</title></channel></rss>)";
    if (url.ends_with("/feed")) {
      response.effective_url = "https://a.example/feed/";
      response.moved_permanently = true;
    }
    return response;
  };
  const Discovery first = try_candidates(candidates, fetch, 1, 100);
  ASSERT_EQ(first.found.size(), 1U);
  EXPECT_EQ(first.found[0].candidate.url, "https://a.example/feed/") << "where a permanent redirect led";
  EXPECT_EQ(first.found[0].document.version, "rss20");
  EXPECT_EQ(asked.size(), 3U) << "nothing after the first feed";
  ASSERT_EQ(first.missed.size(), 2U);
  EXPECT_EQ(first.missed[0].reason, "HTTP 404");

  const Discovery none = try_candidates({candidates[0], candidates[1]}, fetch, 1, 100);
  EXPECT_TRUE(none.found.empty());
  EXPECT_EQ(nothing_found(none),
            "the feeds the page advertises cannot be read (https://a.example/gone.xml: HTTP 404; "
            "https://a.example/page: " + none.missed[1].reason + ")");
  EXPECT_TRUE(none.missed[1].reason.starts_with("not a feed")) << none.missed[1].reason;
  Discovery no_links;
  no_links.missed = {{"https://b.example/feed", "HTTP 404", FeedCandidate::Source::well_known},
                     {"https://b.example/rss.xml", "HTTP 404", FeedCandidate::Source::well_known}};
  EXPECT_EQ(nothing_found(no_links),
            "the page advertises no feed (no <link rel=\"alternate\"> with a feed type), and none of "
            "https://b.example/feed, https://b.example/rss.xml is a feed");
}

}  // namespace
}  // namespace sluice::pipeline
