// How cluster instances split the feed list: each feed belongs to one of a fixed number of shards
// (a consistent hash of its name), and each shard is owned by one instance at a time through a
// lease, an entry in a JetStream key-value bucket whose max age is the lease's TTL.
//
// Every instance, on every tick (a third of the TTL):
// - renews its membership (bucket <name>-members, same TTL) and reads who else is alive;
// - renews each lease it holds (an update conditional on the revision it wrote last);
// - takes a free shard (a create that fails when another instance was first) when, among the live
//   members, it ranks first for that shard (rendezvous hashing, so shards spread evenly and move
//   as little as possible when members come and go), or when the shard stayed free for a whole TTL;
// - hands over a shard for which a live member now ranks above it: it stops polling the shard's
//   feeds, waits until none is in flight, and only then deletes the lease.
// An instance polls a shard's feeds only while its last renewal, counted from when it was sent,
// is younger than 3/4 of the TTL; the bucket drops the lease a whole TTL after it was written. So an
// instance cut off from NATS stops polling before another can take its shards, and two instances
// never poll one feed at once. A dead instance's shards are free again within one TTL.
//
// Thread-safety: none; one cluster thread ticks it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/cluster/nats_client.h"

namespace sluice::pipeline {

// The shard of a feed, out of `shards` (jump consistent hashing of the name's 64-bit hash).
std::uint32_t shard_of(std::string_view feed, std::uint32_t shards) noexcept;

class ShardLeases {
 public:
  using Clock = std::chrono::steady_clock;
  struct Settings {
    std::string instance;
    std::string name = "sluice";  // bucket prefix
    std::uint32_t shards = 64;
    std::chrono::milliseconds ttl = std::chrono::seconds(6);
    int replicas = 1;
  };
  ShardLeases(const NatsClient& client, Settings settings);

  // How often tick() should run.
  std::chrono::milliseconds tick_interval() const noexcept { return settings_.ttl / 3; }

  struct Changes {
    std::vector<std::uint32_t> gained;  // start polling these shards' feeds
    std::vector<std::uint32_t> lost;    // stop polling these now
  };
  // One round, as above. `idle(shard)` says whether none of the shard's feeds is being polled any
  // more; a shard being handed over is let go only then. NATS errors are logged, not thrown: leases
  // that cannot be renewed run out, and their shards are reported lost in time.
  Changes tick(Clock::time_point now, const std::function<bool(std::uint32_t)>& idle);

  // Lets go of every lease (on a clean stop, after polling stopped), so other instances take the
  // shards at their next tick instead of a TTL later.
  void release_all();

  // Until when this instance may poll shard's feeds (its last renewal, sent then, plus 3/4 of the
  // TTL), or nullopt when it does not hold the shard or is handing it over.
  std::optional<Clock::time_point> valid_until(std::uint32_t shard) const noexcept;
  bool holds(std::uint32_t shard, Clock::time_point now) const noexcept {
    const auto until = valid_until(shard);
    return until && now < *until;
  }

  std::size_t held() const noexcept;
  const std::vector<std::string>& members() const noexcept { return members_; }
  const std::string& instance() const noexcept { return settings_.instance; }

  // Who ranks first for shard among members (rendezvous hashing); "" when members is empty.
  static std::string preferred(std::uint32_t shard, const std::vector<std::string>& members);

 private:
  enum class State { free, held, releasing };
  struct Lease {
    State state = State::free;
    std::uint64_t revision = 0;
    Clock::time_point valid_until{};
    std::optional<Clock::time_point> free_since;  // when a free shard was first seen free
  };
  static std::string key(std::uint32_t shard);
  void renew(std::uint32_t shard, Lease& lease, Clock::time_point now, Changes& changes);

  Settings settings_;
  KeyValueBucket members_bucket_;
  KeyValueBucket leases_bucket_;
  std::vector<Lease> leases_;
  std::vector<std::string> members_;
  std::size_t errors_ = 0;  // NATS failures in a row, for logging
};

}  // namespace sluice::pipeline
