// Cluster-wide story identities and the feed hand-over against a real nats-server.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "pipeline/cluster/cluster_state.h"
#include "tests/pipeline/cluster/cluster_fixture.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;
using test_cluster::Cluster;

PreparedArticle article(std::string feed, std::string id, std::optional<std::string> url, std::uint64_t simhash,
                        std::size_t words) {
  PreparedArticle prepared;
  prepared.id = std::move(id);
  prepared.feed_name = std::move(feed);
  prepared.url = std::move(url);
  prepared.simhash = simhash;
  prepared.words = words;
  return prepared;
}

TEST_F(Cluster, AStoryToldByAFeedOfAnyInstanceIsNotToldAgain) {
  ClusterStories a(client, "stories", "a", 1h, 1);
  ClusterStories b(client, "stories", "b", 1h, 1);
  const std::uint64_t fingerprint = 0x0123456789abcdefULL;
  EXPECT_FALSE(a.told_elsewhere(article("wire", "1", "https://news.example/story/1", fingerprint, 300)));
  // The same URL in another feed on another instance.
  EXPECT_EQ(b.told_elsewhere(article("daily", "2", "https://news.example/story/1", 0x1111, 300)),
            "feed=wire instance=a");
  // Within one feed, items are told apart by their identity, not their URL.
  EXPECT_FALSE(a.told_elsewhere(article("wire", "3", "https://news.example/story/1", 0x2222, 10)));
  // A body three bits from the first, under another URL, in a third feed.
  EXPECT_EQ(b.told_elsewhere(article("weekly", "4", "https://other.example/a", fingerprint ^ 0b1011, 300)),
            "feed=wire instance=a");
  // Four bits away is another story; so is a near body too short to judge.
  EXPECT_FALSE(b.told_elsewhere(article("weekly", "5", "https://other.example/b", fingerprint ^ 0b1111, 300)));
  EXPECT_FALSE(b.told_elsewhere(article("weekly", "6", "https://other.example/c", fingerprint ^ 0b1, 20)));
  // A site's home page names no story.
  EXPECT_FALSE(a.told_elsewhere(article("wire", "7", "https://news.example/", 0x3333, 10)));
  EXPECT_FALSE(b.told_elsewhere(article("daily", "8", "https://news.example/", 0x4444, 10)));
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
