#include "feeds/urls.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace sluice::feeds {
namespace {

TEST(Urls, CanonicalFormDropsTrackingAndFragment) {
  EXPECT_EQ(canonical_url("https://News.Example.ORG/world/a?utm_source=rss&utm_medium=feed"),
            "https://news.example.org/world/a");
  EXPECT_EQ(canonical_url("https://example.org/a?id=7&fbclid=x&gclid=y&mc_cid=1&mc_eid=2&page=2#comments"),
            "https://example.org/a?id=7&page=2");
  EXPECT_EQ(canonical_url("http://example.org/a?UTM_Campaign=x"), "http://example.org/a");
  EXPECT_EQ(canonical_url("https://example.org/a?utmost=1"), "https://example.org/a?utmost=1");
}

TEST(Urls, CanonicalFormLeavesOtherUrlsAlone) {
  EXPECT_EQ(canonical_url(""), "");
  EXPECT_EQ(canonical_url("tag:example.org,2025:x"), "tag:example.org,2025:x");
  EXPECT_EQ(canonical_url("not a url"), "not a url");
}

TEST(Urls, OnlyAbsoluteHttpAndHttpsAreHttpUrls) {
  EXPECT_TRUE(is_http_url("http://a.example/"));
  EXPECT_TRUE(is_http_url("https://a.example/feed"));
  for (const char* other : {"file:///etc/passwd", "javascript:alert(1)", "/feed", "HTTP://a.example/", "httpx://a", ""})
    EXPECT_FALSE(is_http_url(other)) << other;
}

TEST(Urls, ResolvesReferences) {
  EXPECT_EQ(resolve_url("https://example.org/a/b/feed.xml", "c.html"), "https://example.org/a/b/c.html");
  EXPECT_EQ(resolve_url("https://example.org/a/b/", "../c"), "https://example.org/a/c");
  EXPECT_EQ(resolve_url("https://example.org/a/", "/root"), "https://example.org/root");
  EXPECT_EQ(resolve_url("https://example.org/a/", "//cdn.example.net/x"), "https://cdn.example.net/x");
  EXPECT_EQ(resolve_url("https://example.org/a", "https://other.example/z"), "https://other.example/z");
  EXPECT_EQ(resolve_url("", "https://other.example/z"), "https://other.example/z");
  EXPECT_EQ(resolve_url("", "relative"), "");
}

// Plain relative paths, a fragment or a query alone, and scheme-only references skip the URL
// parser; the answers are the ones RFC 3986 resolution gives (section 5.4.1's examples).
TEST(Urls, ResolvesPlainReferencesAsTheUrlParserDoes) {
  const std::string base = "https://News.Example.com:8443/a/b/feed.xml?x=1#f";
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"post-0", "https://News.Example.com:8443/a/b/post-0"},
      {"2024/06/01/post-0", "https://News.Example.com:8443/a/b/2024/06/01/post-0"},
      {"/abs/x", "https://News.Example.com:8443/abs/x"},
      {"c/d?x=1&y=2", "https://News.Example.com:8443/a/b/c/d?x=1&y=2"},
      {"c/d#frag", "https://News.Example.com:8443/a/b/c/d#frag"},
      {"a//b", "https://News.Example.com:8443/a/b/a//b"},
      {"it's(1)", "https://News.Example.com:8443/a/b/it's(1)"},
      {"?q=1", "https://News.Example.com:8443/a/b/feed.xml?q=1"},
      {"#frag", "https://News.Example.com:8443/a/b/feed.xml?x=1#frag"},  // RFC 3986 5.4.1 "#s"
      {"../up", "https://News.Example.com:8443/a/up"},
      {"./here", "https://News.Example.com:8443/a/b/here"},
      {"a b", "https://News.Example.com:8443/a/b/a%20b"},
      {"tag:news.example.com,2024:post-0", ""},
      {"urn:uuid:1234", ""},
      {"mailto:x@example.org", ""},
      {"http:foo", ""},
      {"irc://server/chan", "irc://server/chan"},
  };
  for (const auto& [reference, resolved] : cases) EXPECT_EQ(resolve_url(base, reference), resolved) << reference;
  EXPECT_EQ(resolve_url("http://h", "p"), "http://h/p");
  EXPECT_EQ(resolve_url("https://user:pw@h/d/f", "p"), "https://user:pw@h/d/p");
  EXPECT_EQ(resolve_url("file:///srv/feeds/a.xml", "b.xml"), "file:///srv/feeds/b.xml");
}

}  // namespace
}  // namespace sluice::feeds
