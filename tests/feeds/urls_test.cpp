#include "feeds/urls.h"

#include <gtest/gtest.h>

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

TEST(Urls, ResolvesReferences) {
  EXPECT_EQ(resolve_url("https://example.org/a/b/feed.xml", "c.html"), "https://example.org/a/b/c.html");
  EXPECT_EQ(resolve_url("https://example.org/a/b/", "../c"), "https://example.org/a/c");
  EXPECT_EQ(resolve_url("https://example.org/a/", "/root"), "https://example.org/root");
  EXPECT_EQ(resolve_url("https://example.org/a/", "//cdn.example.net/x"), "https://cdn.example.net/x");
  EXPECT_EQ(resolve_url("https://example.org/a", "https://other.example/z"), "https://other.example/z");
  EXPECT_EQ(resolve_url("", "https://other.example/z"), "https://other.example/z");
  EXPECT_EQ(resolve_url("", "relative"), "");
}

}  // namespace
}  // namespace sluice::feeds
