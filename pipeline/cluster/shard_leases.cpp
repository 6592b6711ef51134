#include "pipeline/cluster/shard_leases.h"

#include <algorithm>

#include "feeds/hashing.h"
#include "feeds/logging.h"

namespace sluice::pipeline {

std::uint32_t shard_of(std::string_view feed, std::uint32_t shards) noexcept {
  // Lamping and Veach's jump consistent hash: a shard count that grows moves only 1/n of the feeds.
  std::uint64_t key = feeds::hash64(feed);
  std::int64_t bucket = -1;
  std::int64_t next = 0;
  while (next < static_cast<std::int64_t>(shards)) {
    bucket = next;
    key = key * 2862933555777941757ULL + 1;
    next = static_cast<std::int64_t>(static_cast<double>(bucket + 1) *
                                     (static_cast<double>(std::int64_t{1} << 31) / static_cast<double>((key >> 33) + 1)));
  }
  return static_cast<std::uint32_t>(bucket);
}

ShardLeases::ShardLeases(const NatsClient& client, Settings settings)
    : settings_(std::move(settings)),
      members_bucket_(client, {settings_.name + "-members", settings_.ttl, settings_.replicas}),
      leases_bucket_(client, {settings_.name + "-leases", settings_.ttl, settings_.replicas}),
      leases_(settings_.shards) {}

std::string ShardLeases::key(std::uint32_t shard) { return "shard-" + std::to_string(shard); }

std::string ShardLeases::preferred(std::uint32_t shard, const std::vector<std::string>& members) {
  std::string best;
  std::uint64_t best_score = 0;
  for (const std::string& member : members) {
    const std::uint64_t score = feeds::hash64(member + '/' + std::to_string(shard));
    if (best.empty() || score > best_score || (score == best_score && member < best)) {
      best = member;
      best_score = score;
    }
  }
  return best;
}

std::optional<ShardLeases::Clock::time_point> ShardLeases::valid_until(std::uint32_t shard) const noexcept {
  if (shard >= leases_.size() || leases_[shard].state != State::held) return std::nullopt;
  return leases_[shard].valid_until;
}

std::size_t ShardLeases::held() const noexcept {
  return static_cast<std::size_t>(std::ranges::count_if(leases_, [](const Lease& lease) { return lease.state == State::held; }));
}

void ShardLeases::renew(std::uint32_t shard, Lease& lease, Clock::time_point now, Changes& changes) {
  static const auto log = logger("cluster");
  const auto renewed = leases_bucket_.update(key(shard), settings_.instance, lease.revision);
  if (!renewed) {
    // Someone else wrote it: the lease ran out on the server before this instance noticed.
    log->warn("shard lease taken by another instance shard={}; its feeds stop here", shard);
    if (lease.state == State::held) changes.lost.push_back(shard);
    lease = Lease{};
    return;
  }
  lease.revision = *renewed;
  lease.valid_until = now + settings_.ttl * 3 / 4;
}

ShardLeases::Changes ShardLeases::tick(Clock::time_point now, const std::function<bool(std::uint32_t)>& idle) {
  static const auto log = logger("cluster");
  Changes changes;
  // Leases past their local validity go first, whatever NATS says: polling must stop in time.
  for (std::uint32_t shard = 0; shard < leases_.size(); ++shard) {
    Lease& lease = leases_[shard];
    if (lease.state == State::free || now < lease.valid_until) continue;
    log->warn("shard lease not renewed in time shard={}; its feeds stop here until it is held again", shard);
    if (lease.state == State::held) changes.lost.push_back(shard);
    lease = Lease{};
  }
  try {
    members_bucket_.put(settings_.instance, settings_.instance);
    members_ = members_bucket_.keys();
    if (std::ranges::find(members_, settings_.instance) == members_.end()) members_.push_back(settings_.instance);
    std::ranges::sort(members_);
    for (std::uint32_t shard = 0; shard < leases_.size(); ++shard) {
      Lease& lease = leases_[shard];
      const std::string first = preferred(shard, members_);
      if (lease.state == State::releasing) {
        if (idle(shard)) {
          leases_bucket_.erase(key(shard));
          log->info("shard handed over shard={} to={}", shard, first);
          lease = Lease{};
          lease.free_since = now;
        } else {
          renew(shard, lease, now, changes);
        }
        continue;
      }
      if (lease.state == State::held) {
        renew(shard, lease, now, changes);
        if (lease.state == State::held && first != settings_.instance) {
          // A member that ranks first for it is (back) in the cluster: stop polling, let go later.
          lease.state = State::releasing;
          changes.lost.push_back(shard);
        }
        continue;
      }
      if (leases_bucket_.get(key(shard))) {
        lease.free_since.reset();
        continue;
      }
      if (!lease.free_since) lease.free_since = now;
      // Its first choice takes a free shard; anyone does once it stayed free for a TTL.
      if (first != settings_.instance && now - *lease.free_since < settings_.ttl) continue;
      // Validity counts from `now`, which is no later than when the create was sent.
      if (const auto revision = leases_bucket_.create(key(shard), settings_.instance)) {
        lease.state = State::held;
        lease.revision = *revision;
        lease.valid_until = now + settings_.ttl * 3 / 4;
        lease.free_since.reset();
        changes.gained.push_back(shard);
      }
    }
    if (errors_ > 0) log->info("NATS reachable again after failed_ticks={}", errors_);
    errors_ = 0;
  } catch (const NatsError& e) {
    if (errors_++ % 10 == 0)
      log->error("cluster tick failed error=\"{}\" held={}; leases not renewed run out and their feeds stop", e.what(),
                 held());
  }
  return changes;
}

void ShardLeases::release_all() {
  static const auto log = logger("cluster");
  std::size_t released = 0;
  for (std::uint32_t shard = 0; shard < leases_.size(); ++shard) {
    if (leases_[shard].state == State::free) continue;
    try {
      leases_bucket_.erase(key(shard));
      ++released;
    } catch (const NatsError& e) {
      log->warn("shard lease not released shard={} error=\"{}\"; it runs out on its own", shard, e.what());
    }
    leases_[shard] = Lease{};
  }
  try {
    members_bucket_.erase(settings_.instance);
  } catch (const NatsError&) {
    // The membership runs out on its own.
  }
  log->info("shard leases released count={}", released);
}

}  // namespace sluice::pipeline
