// Cluster-wide story identities and the feed hand-over against a real nats-server.
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <random>
#include <string>

#include "pipeline/clean/simhash.h"
#include "pipeline/cluster/cluster_state.h"
#include "tests/pipeline/cluster/cluster_fixture.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;
using test_cluster::Cluster;

// Text of `words` words of its own for each seed: no two such texts share a word pair by design.
std::string own_words(std::uint64_t seed, int words) {
  std::mt19937_64 random(seed);
  std::string text;
  for (int i = 0; i < words; ++i) text += "w" + std::to_string(random() % 50'000) + ' ';
  return text;
}

PreparedArticle article(std::string feed, std::string id, std::optional<std::string> url, const std::string& text,
                        std::string title = "A headline") {
  PreparedArticle prepared;
  prepared.id = std::move(id);
  prepared.feed_name = std::move(feed);
  prepared.url = std::move(url);
  prepared.title = std::move(title);
  prepared.sketch = sketch_story(text);
  prepared.simhash = simhash({text});
  prepared.words = count_words({text});
  return prepared;
}

std::optional<std::string> where(const std::optional<Sequencer::ToldElsewhere>& told) {
  if (!told) return std::nullopt;
  return told->where;
}

TEST_F(Cluster, AStoryToldByAFeedOfAnyInstanceIsNotToldAgain) {
  ClusterStories a(client, "stories", "a", 1h, 1);
  ClusterStories b(client, "stories", "b", 1h, 1);
  const std::string story = own_words(1, 300);
  EXPECT_FALSE(a.told_elsewhere(article("wire", "1", "https://news.example/story/1", story)));
  // The same URL in another feed on another instance.
  const auto by_url = b.told_elsewhere(article("daily", "2", "https://news.example/story/1", own_words(2, 300)));
  EXPECT_EQ(where(by_url), "feed=wire instance=a");
  EXPECT_EQ(by_url->match.rule, StoryMatch::Rule::same_url);
  // Within one feed, items are told apart by their identity, not their URL.
  EXPECT_FALSE(a.told_elsewhere(article("wire", "3", "https://news.example/story/1", own_words(3, 10))));
  // The text with a credit line and a footer, under another URL, in a third feed.
  const auto by_text = b.told_elsewhere(
      article("weekly", "4", "https://other.example/a", "(AP) - " + story + " Read more on our site."));
  EXPECT_EQ(where(by_text), "feed=wire instance=a");
  EXPECT_EQ(by_text->match.rule, StoryMatch::Rule::same_text);
  EXPECT_GT(by_text->match.overlap.jaccard, 0.8);
  // Another story quoting a stretch of it is not.
  EXPECT_FALSE(b.told_elsewhere(
      article("weekly", "5", "https://other.example/b", own_words(5, 250) + story.substr(0, 300) + own_words(6, 100))));
  // Briefs: the same headline and text is; the same headline over another text is not.
  const std::string brief = own_words(7, 30);
  EXPECT_FALSE(a.told_elsewhere(article("wire", "8", std::nullopt, brief, "Markets close higher")));
  EXPECT_EQ(where(b.told_elsewhere(article("daily", "9", std::nullopt, "(Reuters) " + brief, "Markets close higher"))),
            "feed=wire instance=a");
  EXPECT_FALSE(b.told_elsewhere(article("daily", "10", std::nullopt, own_words(8, 30), "Markets close higher")));
  // A site's home page names no story.
  EXPECT_FALSE(a.told_elsewhere(article("wire", "11", "https://news.example/", own_words(9, 10))));
  EXPECT_FALSE(b.told_elsewhere(article("daily", "12", "https://news.example/", own_words(10, 10))));
}

TEST_F(Cluster, SimHashesThatEarlierVersionsRecordedAreStillRead) {
  ClusterStories b(client, "stories", "b", 1h, 1);
  const std::string story = own_words(11, 300);
  const PreparedArticle earlier = article("wire", "1", std::nullopt, story);
  // What an earlier version wrote for it: its fingerprint under each of its four 16-bit blocks.
  KeyValueBucket bucket(client, {"stories-stories", 1h, 1});
  char key[16];
  char line[64];
  std::snprintf(line, sizeof line, "%016llx wire old\n", static_cast<unsigned long long>(earlier.simhash));
  for (int block = 0; block < 4; ++block) {
    std::snprintf(key, sizeof key, "sim-%d-%04x", block, static_cast<unsigned>((earlier.simhash >> (16 * block)) & 0xFFFF));
    bucket.put(key, line);
  }
  const auto told = b.told_elsewhere(article("daily", "2", std::nullopt, story));
  ASSERT_TRUE(told);
  EXPECT_EQ(told->where, "feed=wire instance=old (by the SimHash of an earlier version)");
}

TEST_F(Cluster, AFeedsStateTravelsWithItsMostRecentEntries) {
  FeedHandoff handoff(client, "handoff", 1);
  EXPECT_FALSE(handoff.load("world"));
  FeedSnapshot snapshot;
  snapshot.poll.etag = "\"v7\"";
  snapshot.poll.last_modified = "Sat, 28 Nov 2026 06:00:00 GMT";
  snapshot.poll.next_due = 1'800'000'000;
  snapshot.poll.errors = 2;
  snapshot.poll.url = "https://moved.example/feed";
  snapshot.poll.cookies = "news.example\tFALSE\t/\tFALSE\t0\tconsent\tyes\n";
  for (std::size_t i = 0; i < FeedHandoff::kMaxSeen + 500; ++i)
    snapshot.seen.push_back({"entry-" + std::to_string(i), i + 1, ~i, static_cast<std::uint32_t>(1 + i % 3)});
  handoff.save("world", snapshot);
  const auto loaded = handoff.load("world");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->poll.etag, snapshot.poll.etag);
  EXPECT_EQ(loaded->poll.last_modified, snapshot.poll.last_modified);
  EXPECT_EQ(loaded->poll.next_due, snapshot.poll.next_due);
  EXPECT_EQ(loaded->poll.errors, 2);
  EXPECT_EQ(loaded->poll.url, snapshot.poll.url);
  EXPECT_EQ(loaded->poll.cookies, snapshot.poll.cookies);
  ASSERT_EQ(loaded->seen.size(), FeedHandoff::kMaxSeen);
  EXPECT_EQ(loaded->seen.front(), snapshot.seen[500]);
  EXPECT_EQ(loaded->seen.back(), snapshot.seen.back());
  EXPECT_FALSE(decode_snapshot("not json"));
  EXPECT_FALSE(decode_snapshot(R"({"seen":[["k","zz"]]})"));
}

}  // namespace
}  // namespace sluice::pipeline
