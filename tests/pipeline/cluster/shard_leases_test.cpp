// Shard leases: the feeds spread over shards, who ranks first for a shard, and instances taking,
// losing and handing over leases against a real nats-server.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "pipeline/cluster/shard_leases.h"
#include "tests/pipeline/cluster/cluster_fixture.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;
using test_cluster::Cluster;

using Clock = std::chrono::steady_clock;

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

}  // namespace
}  // namespace sluice::pipeline
