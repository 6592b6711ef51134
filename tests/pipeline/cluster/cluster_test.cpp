// The cluster's building blocks against a real nats-server with JetStream on loopback: key-value
// buckets, shard leases, the article stream, cluster-wide story identities, feed hand-over.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "pipeline/cluster/article_stream.h"
#include "pipeline/cluster/cluster_state.h"
#include "pipeline/cluster/nats_client.h"
#include "pipeline/cluster/shard_leases.h"
#include "tests/support/nats_server.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class Cluster : public ::testing::Test {
 protected:
  test::NatsServer server;
  NatsClient client{server.url(), "cluster test"};
};

TEST_F(Cluster, ACreateIsExclusiveAndAnUpdateNeedsTheLastRevision) {
  KeyValueBucket bucket(client, {"kv-test", 0ms, 1});
  const auto first = bucket.create("shard-1", "a");
  ASSERT_TRUE(first);
  EXPECT_FALSE(bucket.create("shard-1", "b"));
  EXPECT_EQ(bucket.get("shard-1")->value, "a");
  EXPECT_FALSE(bucket.update("shard-1", "b", *first + 7));
  const auto second = bucket.update("shard-1", "b", *first);
  ASSERT_TRUE(second);
  EXPECT_GT(*second, *first);
  EXPECT_EQ(bucket.get("shard-1")->value, "b");
  bucket.erase("shard-1");
  EXPECT_FALSE(bucket.get("shard-1"));
  EXPECT_TRUE(bucket.create("shard-1", "c")) << "a deleted key is free again";
  EXPECT_EQ(bucket.keys(), std::vector<std::string>{"shard-1"});
}

TEST_F(Cluster, AnEntryNotWrittenAgainRunsOutAfterTheTtl) {
  KeyValueBucket bucket(client, {"kv-ttl", 1s, 1});
  ASSERT_TRUE(bucket.create("lease", "a"));
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(bucket.get("lease"));
  EXPECT_TRUE(test::wait_until([&] { return !bucket.get("lease"); }, 3s));
  EXPECT_TRUE(bucket.create("lease", "b")) << "a run-out lease can be taken";
  // Bound again with another TTL (a changed lease_ttl): the bucket takes it.
  KeyValueBucket longer(client, {"kv-ttl", 4s, 1});
  ASSERT_TRUE(longer.create("other", "c"));
  std::this_thread::sleep_for(2500ms);
  EXPECT_TRUE(longer.get("other")) << "still there past the old TTL";
}

TEST(ShardOf, SpreadsFeedsEvenlyAndMovesFewWhenShardsGrow) {
  std::map<std::uint32_t, int> per_shard;
  int moved = 0;
  for (int i = 0; i < 6400; ++i) {
    const std::string feed = "feed-" + std::to_string(i);
    const std::uint32_t shard = shard_of(feed, 64);
    ASSERT_LT(shard, 64U);
    ++per_shard[shard];
    const std::uint32_t grown = shard_of(feed, 65);
    if (grown != shard) {
      ++moved;
      EXPECT_EQ(grown, 64U) << "a feed that moves goes to the new shard only";
    }
  }
  EXPECT_EQ(per_shard.size(), 64U);
  for (const auto& [shard, count] : per_shard) {
    EXPECT_GT(count, 50) << shard;
    EXPECT_LT(count, 150) << shard;
  }
  EXPECT_GT(moved, 40);
  EXPECT_LT(moved, 200);  // about 1/65 of 6400
}

TEST(ShardLeasesPreferred, RanksMembersTheSameWayEverywhereAndSpreadsShards) {
  const std::vector<std::string> members{"a", "b", "c"};
  std::map<std::string, int> first;
  for (std::uint32_t shard = 0; shard < 300; ++shard) {
    const std::string chosen = ShardLeases::preferred(shard, members);
    ++first[chosen];
    // Taking a member away moves only the shards it ranked first for.
    if (chosen != "c") {
      EXPECT_EQ(ShardLeases::preferred(shard, {"a", "b"}), chosen);
    }
  }
  for (const auto& member : members) EXPECT_GT(first[member], 60) << member;
}

// Two or three lease holders ticked by the test, each reporting gains and losses; what each
// believes it holds must never overlap.
struct Instance {
  ShardLeases leases;
  std::uint32_t leases_count;
  std::set<std::uint32_t> held;
  bool ticking = true;

  Instance(const NatsClient& client, const std::string& name, std::uint32_t shards, std::chrono::milliseconds ttl)
      : leases(client, {name, "leases-test", shards, ttl, 1}), leases_count(shards) {}

  void tick() {
    const auto changes = leases.tick(Clock::now(), [](std::uint32_t) { return true; });
    for (const std::uint32_t shard : changes.lost) EXPECT_EQ(held.erase(shard), 1U) << "lost a shard it did not hold";
    for (const std::uint32_t shard : changes.gained) EXPECT_TRUE(held.insert(shard).second) << "gained one it held";
    for (std::uint32_t shard = 0; shard < leases_count; ++shard)
      EXPECT_EQ(held.contains(shard), leases.holds(shard, Clock::now())) << "reported and held differ: " << shard;
  }
};

// No shard may be polled by two instances at one instant: an instance polls a shard while its
// lease is valid by its own reckoning, whether or not it has ticked since (a dead or cut-off one).
void expect_disjoint(const std::vector<Instance*>& instances) {
  const auto now = Clock::now();
  for (std::uint32_t shard = 0; shard < instances.front()->leases_count; ++shard) {
    int holders = 0;
    for (const Instance* instance : instances) holders += instance->leases.holds(shard, now);
    EXPECT_LE(holders, 1) << "shard " << shard << " held twice";
  }
}

// Ticks the instances that tick, every tick interval, until done() or timeout; checks that no
// shard is ever held twice. Returns the time it took, or nullopt on timeout.
std::optional<std::chrono::milliseconds> run_until(const std::vector<Instance*>& instances,
                                                    const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto start = Clock::now();
  while (Clock::now() - start < timeout) {
    for (Instance* instance : instances)
      if (instance->ticking) instance->tick();
    expect_disjoint(instances);
    if (done()) return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    std::this_thread::sleep_for(instances.front()->leases.tick_interval() / 2);
  }
  return std::nullopt;
}

TEST_F(Cluster, InstancesSplitTheShardsTakeOverADeadOneAndRebalanceWhenItReturns) {
  constexpr std::uint32_t kShards = 24;
  constexpr auto kTtl = 1500ms;
  Instance a(client, "a", kShards, kTtl);
  Instance b(client, "b", kShards, kTtl);
  Instance c(client, "c", kShards, kTtl);
  const std::vector<Instance*> all{&a, &b, &c};
  const auto total = [&] { return a.held.size() + b.held.size() + c.held.size(); };
  const auto spread = [&] { return total() == kShards && !a.held.empty() && !b.held.empty() && !c.held.empty(); };

  ASSERT_TRUE(run_until(all, spread, 10s)) << a.held.size() << "/" << b.held.size() << "/" << c.held.size();
  // Each holds what it ranks first for among the three.
  for (std::uint32_t shard = 0; shard < kShards; ++shard) {
    const std::string first = ShardLeases::preferred(shard, {"a", "b", "c"});
    EXPECT_TRUE((first == "a" ? a : first == "b" ? b : c).held.contains(shard)) << shard;
  }

  // c dies: it neither ticks nor lets go. Its shards are free a TTL after its last renewal.
  c.ticking = false;
  const std::set<std::uint32_t> orphaned = c.held;
  const auto taken = run_until(all, [&] { return a.held.size() + b.held.size() == kShards; }, 10s);
  ASSERT_TRUE(taken);
  EXPECT_LE(*taken, kTtl + 2 * a.leases.tick_interval() + 500ms);
  // Meanwhile c, cut off, must have stopped polling before anyone took its shards: its next tick
  // reports them all lost (it is late: its local validity ran out first).
  const auto changes = c.leases.tick(Clock::now(), [](std::uint32_t) { return true; });
  EXPECT_EQ(std::set<std::uint32_t>(changes.lost.begin(), changes.lost.end()), orphaned);
  c.held.clear();

  // c comes back: the others hand its shards over once idle, and no shard is held twice meanwhile.
  c.ticking = true;
  ASSERT_TRUE(run_until(all, spread, 10s));
  EXPECT_EQ(c.held, orphaned) << "c takes back exactly what it ranks first for";

  // A clean stop lets go at once: the others take the shards at their next tick.
  c.leases.release_all();
  c.held.clear();
  c.ticking = false;
  const auto released = run_until(all, [&] { return a.held.size() + b.held.size() == kShards; }, 10s);
  ASSERT_TRUE(released);
}

TEST_F(Cluster, TheStreamStoresEveryArticleOnceHoweverOftenItIsSent) {
  config::StreamConfig settings;
  ArticleStream stream(client, "streamtest", settings, "instance-a");
  const std::vector<ArticleStream::Message> batch{{"world", "id1", 1, 1, R"({"id":"id1"})"},
                                                  {"world", "id2", 1, 2, R"({"id":"id2"})"},
                                                  {"tech", "id3", 1, 3, R"({"id":"id3"})"}};
  stream.publish(batch);
  // The same batch again (acks lost, a takeover), with one revision more.
  auto again = batch;
  again.push_back({"world", "id1", 2, 4, R"({"id":"id1","revision":2})"});
  stream.publish(again);
  const auto messages = test::stream_messages(server.url(), "streamtest-articles");
  ASSERT_EQ(messages.size(), 4U);
  EXPECT_EQ(messages[0].subject, "sluice.article.world");
  EXPECT_EQ(messages[0].msg_id, "id1#1");
  EXPECT_EQ(messages[0].origin, "instance-a");
  EXPECT_EQ(messages[2].subject, "sluice.article.tech");
  EXPECT_EQ(messages[3].msg_id, "id1#2");
  EXPECT_EQ(messages[3].body, R"({"id":"id1","revision":2})");
  // A second instance binds the existing stream.
  ArticleStream other(client, "streamtest", settings, "instance-b");
  other.publish(batch);
  EXPECT_EQ(test::stream_messages(server.url(), "streamtest-articles").size(), 4U);
}

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

TEST(NatsClientStart, NoServerIsAClearError) {
  try {
    NatsClient client("nats://127.0.0.1:1", "nobody", 500ms);
    FAIL() << "connected to nothing";
  } catch (const NatsError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect to NATS at nats://127.0.0.1:1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice::pipeline
